#include "runtime.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "airlock/backend/remote.h"

namespace airlock::server {

namespace {

// A `type: local` backend while no engine is plugged in: every request gets
// a 503 that says how to add a model.
class NoModelBackend final : public backend::Backend {
 public:
  explicit NoModelBackend(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  std::string Unavailable() const override {
    return "no local model is loaded for backend '" + name_ +
           "': this server runs without the local model engine; start `airlock serve --model FILE` or put a GGUF "
           "file under ./models/ (see docs/local-models.md)";
  }
  boost::asio::awaitable<Result<backend::Reply>> Complete(const api::Request&) override {
    co_return Status::Internal(Unavailable());
  }
  boost::asio::awaitable<Result<backend::Reply>> Stream(const api::Request&, backend::EventSink) override {
    co_return Status::Internal(Unavailable());
  }

 private:
  std::string name_;
};

Result<std::string> RandomBytes(std::size_t n) {
  std::string s(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(n)) != 1)
    return Status::Internal("RAND_bytes failed");
  return s;
}

// The audit key file next to the store: created once (mode 0600), then reused
// so fingerprints stay comparable across restarts.
Result<std::string> StoreKey(const std::string& store_path, const char* name) {
  namespace fs = std::filesystem;
  const fs::path path = fs::path(store_path).parent_path() / name;
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string key = ss.str();
    if (key.size() < 32) return Status::Corruption(path.string() + ": key file is too short");
    return key;
  }
  auto key = RandomBytes(32);
  if (!key.ok()) return key;
  std::error_code ec;
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path(), ec);
  const mode_t old = umask(077);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(key->data(), static_cast<std::streamsize>(key->size()));
  out.close();
  umask(old);
  if (!out) return Status::IoError(path.string() + ": cannot write key file");
  return key;
}

}  // namespace

Result<std::shared_ptr<const Runtime>> BuildRuntime(std::shared_ptr<const config::Config> config,
                                                    const LocalBackendFactory& local) {
  auto rt = std::make_shared<Runtime>();
  const std::string adequacy = config->adequacy_file.empty() ? policy::DefaultAdequacyFile() : config->adequacy_file;
  auto j = policy::Jurisdictions::LoadFile(adequacy);
  if (!j.ok()) return j.status();
  rt->jurisdictions = std::move(*j);
  for (const auto& b : config->backends) {
    std::shared_ptr<backend::Backend> be;
    if (b.type == "local") {
      if (local) {
        auto made = local(b);
        if (!made.ok()) return Status(made.status()).WithContext(b.source);
        be = std::move(*made);
      } else {
        be = std::make_shared<NoModelBackend>(b.name);
      }
    } else {
      backend::RemoteOptions o;
      o.name = b.name;
      o.url = b.url;
      o.model = b.model;
      if (!b.api_key.empty()) {
        auto key = config::ResolveSecret(b.api_key);
        if (!key.ok()) return Status(key.status()).WithContext(b.source + ": backend " + b.name + " api_key");
        o.api_key = std::move(*key);
      }
      o.ca_bundle = b.ca_bundle;
      o.tls_verify = b.tls_verify;
      o.connect_timeout_ms = b.connect_timeout_ms;
      o.timeout_ms = b.timeout_ms;
      o.max_idle = b.max_idle_connections;
      auto made = backend::CreateRemoteBackend(std::move(o));
      if (!made.ok()) return Status(made.status()).WithContext(b.source);
      be = std::move(*made);
    }
    rt->backends.emplace(b.name, std::move(be));
  }
  rt->config = std::move(config);
  return std::shared_ptr<const Runtime>(std::move(rt));
}

Result<std::unique_ptr<Services>> CreateServices(const config::Config& config,
                                                 std::shared_ptr<const detect::Analyzer> analyzer) {
  auto s = std::make_unique<Services>();
  s->analyzer = std::move(analyzer);
  auto db = store::Database::Open(config.store_path);
  if (!db.ok()) return db.status();
  s->db = *db;
  s->keys = std::make_unique<KeyStore>(s->db);

  auto audit_key = config.audit_hmac_key.empty() ? StoreKey(config.store_path, "audit.key")
                                                 : config::ResolveSecret(config.audit_hmac_key);
  if (!audit_key.ok()) return Status(audit_key.status()).WithContext("audit.hmac_key");
  auto log = store::RequestLog::Open(s->db, *audit_key);
  if (!log.ok()) return log.status();
  s->audit = std::move(*log);
  s->hash_key = *audit_key;

  auto vault_key = config.vault_key.empty() ? RandomBytes(32) : config::ResolveSecret(config.vault_key);
  if (!vault_key.ok()) return Status(vault_key.status()).WithContext("vault.key");
  auto vault = transform::Vault::Create(*vault_key, std::chrono::seconds(config.vault_ttl_seconds));
  if (!vault.ok()) return vault.status();
  s->vault = std::move(*vault);
  return s;
}

}  // namespace airlock::server
