#include "local_models.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

#include "airlock/backend/local/engine.h"
#include "airlock/backend/local/local_backend.h"
#include "airlock/backend/local/model_file.h"

namespace airlock::cli {

namespace local = backend::local;

class LocalModels::Impl {
 public:
  Impl(std::string flag, std::string dir) : flag_(std::move(flag)), dir_(std::move(dir)) {}

  std::string PathFor(const config::BackendConfig& b) const {
    std::string path = b.model_file;
    if (path.empty()) path = flag_;
    if (path.empty()) path = FirstModelIn(dir_);
    return path;
  }

  static local::EngineConfig ConfigFor(const config::BackendConfig& b, const std::string& path) {
    local::EngineConfig ec;
    ec.model_path = path;
    ec.sha256 = b.sha256;  // the config requires one with model_file; --model and ./models/ go unpinned
    ec.threads = static_cast<int>(b.threads);
    ec.context_length = static_cast<int>(b.context);
    ec.parallel = static_cast<int>(b.parallel);
    ec.memory_budget_bytes = b.memory_budget;
    return ec;
  }

  Result<std::string> Check(const config::BackendConfig& b) const {
    const std::string path = PathFor(b);
    if (path.empty()) {
      return "no model file (none configured, no --model, nothing under " + dir_ +
             "/): chat requests will answer 503";
    }
    const local::EngineConfig ec = ConfigFor(b, path);
    auto checked = local::Engine::Check(ec);
    if (!checked.ok()) return checked.status();
    return path + ": " + checked->info.architecture + ", " + checked->info.quantization + ", " +
           std::to_string(checked->context_length) + " tokens per request, " + std::to_string(checked->parallel) +
           " parallel, about " + local::FormatMiB(checked->memory.total()) +
           (ec.sha256.empty() ? " (not pinned)" : ", sha256 pin verified");
  }

  Result<std::shared_ptr<backend::Backend>> Make(const config::BackendConfig& b) {
    const std::string path = PathFor(b);
    if (path.empty()) {
      return local::CreateModellessBackend(
          b.name, "no local model is loaded for backend '" + b.name + "': put a GGUF model file under " + dir_ +
                      "/ or start with `airlock serve --model FILE` (or set model_file and sha256 on the backend "
                      "in airlock.yaml); see docs/local-models.md");
    }
    const local::EngineConfig ec = ConfigFor(b, path);
    auto engine = Shared(ec);
    if (!engine.ok()) return Status(engine.status()).WithContext("backend " + b.name);
    // Engine::Load refused the file unless its SHA-256 matched the pin.
    backend::Backend::ModelIdentity id{path, ec.sha256, ec.sha256};
    return local::CreateLocalBackend(b.name, b.model, std::move(*engine), std::move(id));
  }

 private:
  static std::string FirstModelIn(const std::string& dir) {
    std::error_code ec;
    std::vector<std::string> found;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.is_regular_file(ec) && e.path().extension() == ".gguf") found.push_back(e.path().string());
    }
    std::sort(found.begin(), found.end());
    return found.empty() ? std::string() : found.front();
  }

  Result<std::shared_ptr<local::Engine>> Shared(const local::EngineConfig& ec) {
    const std::string key = ec.model_path + '\0' + ec.sha256 + '\0' + std::to_string(ec.threads) + '\0' +
                            std::to_string(ec.context_length) + '\0' + std::to_string(ec.parallel) + '\0' +
                            std::to_string(ec.memory_budget_bytes);
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = engines_.find(key); it != engines_.end()) {
      if (auto e = it->second.lock()) return e;
    }
    auto loaded = local::Engine::Load(ec);
    if (!loaded.ok()) return loaded.status();
    std::shared_ptr<local::Engine> e = std::move(*loaded);
    const auto& info = e->info();
    std::fprintf(stderr, "airlock: model %s: %s, %s, %d tokens per request, %d parallel, %d threads%s\n",
                 ec.model_path.c_str(), info.architecture.c_str(), info.quantization.c_str(), e->context_length(),
                 e->parallel(), e->threads(), ec.sha256.empty() ? " (not pinned)" : ", sha256 pin verified");
    engines_[key] = e;
    return e;
  }

  std::string flag_;
  std::string dir_;
  std::mutex mu_;
  std::map<std::string, std::weak_ptr<local::Engine>> engines_;
};

LocalModels::LocalModels(std::string model_flag, std::string models_dir)
    : impl_(std::make_shared<Impl>(std::move(model_flag), std::move(models_dir))) {}
LocalModels::~LocalModels() = default;

server::LocalBackendFactory LocalModels::Factory() {
  return [impl = impl_](const config::BackendConfig& b) { return impl->Make(b); };
}

server::LocalModelCheck LocalModels::Checker() {
  return [impl = impl_](const config::BackendConfig& b) { return impl->Check(b); };
}

}  // namespace airlock::cli
