// Shared fixture: tiny random-weight models written once per test binary.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tiny_model.h"

namespace airlock::backend::local {

inline const char* kChatml =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] "
    "+ "
    "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' "
    "}}{% endif %}";

// Paths of the models every backend test uses; written on first use.
class TestModels {
 public:
  static const TestModels& Get() {
    static TestModels m;
    return m;
  }
  std::filesystem::path dir;
  std::string chat;         // llama, chatml template
  std::string no_template;  // llama, no template
  std::string embedding;    // llama, mean pooling declared
  uint64_t chat_params = 0;

  ~TestModels() { std::filesystem::remove_all(dir); }

 private:
  TestModels() {
    dir = std::filesystem::temp_directory_path() /
          ("airlock-backend-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    testing::TinyModelSpec spec;
    spec.chat_template = kChatml;
    chat = (dir / "chat.gguf").string();
    auto n = testing::WriteTinyModel(spec, chat);
    if (!n.ok()) throw std::runtime_error(n.status().message());
    chat_params = *n;
    spec.chat_template.clear();
    spec.seed = 2;
    no_template = (dir / "plain.gguf").string();
    if (!testing::WriteTinyModel(spec, no_template).ok()) throw std::runtime_error("write");
    spec.pooling = 1;
    spec.seed = 3;
    embedding = (dir / "embed.gguf").string();
    if (!testing::WriteTinyModel(spec, embedding).ok()) throw std::runtime_error("write");
  }
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace airlock::backend::local
