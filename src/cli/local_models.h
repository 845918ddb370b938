// The engines behind `type: local` backends, for `airlock serve`.
//
// LocalModels::Factory() is the server's LocalBackendFactory. It picks the
// model file (the backend's model_file; else `--model FILE`; else the first
// *.gguf under ./models/, by name), loads it with the backend's pin and
// settings, and keeps the engine shared: a SIGHUP reload with the same file,
// pin and settings reuses the loaded model instead of loading it twice.
// With no model anywhere the backend answers 503 saying how to add one.
//
// Thread-safety: the factory may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "airlock/server/server.h"

namespace airlock::cli {

class LocalModels {
 public:
  // `model_flag`: the --model argument (may be empty); `models_dir`: where
  // to look for *.gguf when neither the config nor the flag names a file.
  LocalModels(std::string model_flag, std::string models_dir);
  ~LocalModels();

  server::LocalBackendFactory Factory();
  // `serve --check`: the model Factory() would load for a backend, checked
  // without loading it (Engine::Check); a line saying what was found.
  server::LocalModelCheck Checker();

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace airlock::cli
