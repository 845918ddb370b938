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
  auto indexes = detect::LoadIndexes(config->detection.indexes);
  if (!indexes.ok()) return Status(indexes.status()).WithContext("detection.indexes");
  rt->indexes = std::move(*indexes);
  rt->config = std::move(config);
  return std::shared_ptr<const Runtime>(std::move(rt));
}

std::string_view LockdownName(Lockdown l) {
  switch (l) {
    case Lockdown::kLocal: return "local";
    case Lockdown::kRefuse: return "refuse";
    case Lockdown::kOff: break;
  }
  return "off";
}

Status Services::SetLockdown(Lockdown l) {
  auto lock = db->Lock();
  auto st = db->Prepare("INSERT INTO settings(name, value, updated_ms) VALUES('lockdown', ?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, LockdownName(l));
  (*st)->Bind(2, NowMs());
  if (Status s = (*st)->Run(); !s.ok()) return s;
  lockdown = static_cast<int>(l);
  return Status::Ok();
}

Result<std::unique_ptr<Services>> CreateServices(const config::Config& config,
                                                 std::shared_ptr<const detect::Analyzer> analyzer, unsigned port) {
  auto s = std::make_unique<Services>();
  s->analyzer = std::move(analyzer);
  auto db = store::Database::Open(config.store_path);
  if (!db.ok()) return db.status();
  s->db = *db;
  s->keys = std::make_unique<KeyStore>(s->db);

  auto trail = Trail::Open(config, port);
  if (!trail.ok()) return trail.status();
  s->trail = std::move(*trail);
  s->hash_key = s->trail->hmac_bytes();
  s->started_ms = NowMs();
  {
    auto st = s->db->Prepare("SELECT value FROM settings WHERE name = 'lockdown'");
    if (!st.ok()) return st.status();
    if ((*st)->Next() == store::Statement::Step::kRow) {
      const std::string v = (*st)->Text(0);
      s->lockdown = static_cast<int>(v == "local" ? Lockdown::kLocal : v == "refuse" ? Lockdown::kRefuse : Lockdown::kOff);
    }
  }

  auto vault = MakeVault(config);
  if (!vault.ok()) return vault.status();
  s->vault = std::move(*vault);
  return s;
}

Result<std::unique_ptr<transform::Vault>> MakeVault(const config::Config& config) {
  auto vault_key = config.vault_key.empty() ? RandomBytes(32) : config::ResolveSecret(config.vault_key);
  if (!vault_key.ok()) return Status(vault_key.status()).WithContext("vault.key");
  auto vault = transform::Vault::Create(*vault_key, std::chrono::seconds(config.vault_ttl_seconds));
  if (!vault.ok()) return Status(vault.status()).WithContext("vault.key");
  return vault;
}

}  // namespace airlock::server
