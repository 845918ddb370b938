#include "airlock/server/audit_setup.h"

#include <unistd.h>

#include <filesystem>

#include "airlock/audit/store.h"

namespace airlock::server {

namespace fs = std::filesystem;

std::string StoreDir(const config::Config& cfg) {
  const fs::path p = fs::path(cfg.store_path).parent_path();
  return p.empty() ? std::string(".") : p.string();
}

namespace {

// The store URL without creating anything.
Result<std::string> ResolveAuditStoreUrl(const config::Config& cfg) {
  std::string url;
  if (!cfg.audit.store_secret.empty()) {
    auto secret = config::ResolveSecret(cfg.audit.store_secret);
    if (!secret.ok()) return Status(secret.status()).WithContext("audit.store");
    url = std::move(*secret);
  } else if (!cfg.audit.store.empty()) {
    url = cfg.audit.store;
  } else {
    url = "sqlite:" + StoreDir(cfg) + "/audit.db";
  }
  return url;
}

// audit.signing_key, else the default file next to the store; and whether
// it is the default (which is created on first use).
std::pair<std::string, bool> SigningKeyPath(const config::Config& cfg) {
  if (!cfg.audit.signing_key.empty()) return {cfg.audit.signing_key, false};
  return {StoreDir(cfg) + "/audit-signing.pem", true};
}

Result<audit::SigningKey> LoadAuditSigningKey(const std::string& path) {
  auto k = audit::SigningKey::LoadPem(path);
  if (!k.ok()) return Status(k.status()).WithContext("audit.signing_key " + path);
  if (!k->can_sign())
    return Status::InvalidArgument("audit.signing_key " + path +
                                   " is a public key; writing the trail needs the private key");
  return k;
}

}  // namespace

Result<std::string> AuditStoreUrl(const config::Config& cfg) {
  auto resolved = ResolveAuditStoreUrl(cfg);
  if (!resolved.ok()) return resolved.status();
  std::string url = std::move(*resolved);
  if (url.rfind("sqlite:", 0) == 0) {
    std::error_code ec;
    const fs::path parent = fs::path(url.substr(7)).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
  }
  return url;
}

Result<audit::SigningKey> LoadOrCreateAuditSigningKey(const config::Config& cfg) {
  const auto [path, by_default] = SigningKeyPath(cfg);
  if (by_default && !fs::exists(path)) {
    auto k = audit::SigningKey::Generate();
    if (!k.ok()) return k.status();
    auto pem = k->PrivatePem();
    if (!pem.ok()) return pem.status();
    std::error_code ec;
    fs::create_directories(StoreDir(cfg), ec);
    // Another writer (the gateway, another CLI run) may have created it
    // meanwhile: then its key is the one to use.
    if (Status s = audit::WriteSecretFile(path, *pem); !s.ok() && !fs::exists(path)) return s;
  }
  return LoadAuditSigningKey(path);
}

Result<std::string> CheckAuditSetup(const config::Config& cfg) {
  auto url = ResolveAuditStoreUrl(cfg);
  if (!url.ok()) return url.status();
  auto store = audit::ProbeStore(*url);
  if (!store.ok()) return Status(store.status()).WithContext("audit.store");
  const auto [path, by_default] = SigningKeyPath(cfg);
  std::string key = "signing key " + path;
  if (by_default && !fs::exists(path)) {
    key += " (will be created)";
  } else {
    auto k = LoadAuditSigningKey(path);
    if (!k.ok()) return k.status();
  }
  return *store + ", " + key;
}

std::string HostInstanceId(std::string_view prefix) {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string id = std::string(prefix) + "-";
  const std::size_t empty = id.size();
  for (const char* c = host; *c && id.size() < 48; ++c) {
    const char ch = *c;
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                    ch == '-' || ch == '_';
    id.push_back(ok ? ch : '-');
  }
  if (id.size() == empty) id += "local";
  return id;
}

}  // namespace airlock::server
