// `airlock keys create|list|revoke`: API keys in the store. Creating and
// revoking a key are audit events on the CLI's chain of the deployment's
// trail (cli_trail.h), recorded before the key store changes: a key whose
// creation or revocation cannot be audited is not created or revoked.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <ctime>
#include <iostream>
#include <optional>

#include "airlock/store/database.h"
#include "airlock/server/keys.h"
#include "airlock/server/server.h"
#include "cli_trail.h"
#include "commands.h"

namespace airlock::cli {

namespace {

struct KeysFlags {
  std::string config;
  std::string store;
  // create
  std::string principal;
  std::vector<std::string> roles;
  std::string tenant = "default";
  std::string jurisdiction;
  double expires_days = 0;
  // list
  std::string format = "table";
  // revoke
  std::string id;
};

// The config the key store and the audit trail come from: --config (or the
// built-in one), with --store as its store.path (the trail's default lives
// next to it, as for the gateway).
Result<std::shared_ptr<const config::Config>> KeysConfig(const KeysFlags& f) {
  auto cfg = server::LoadConfig(f.config);
  if (!cfg.ok() || f.store.empty()) return cfg;
  auto copy = std::make_shared<config::Config>(**cfg);
  copy->store_path = f.store;
  return std::shared_ptr<const config::Config>(std::move(copy));
}

Result<std::unique_ptr<server::KeyStore>> OpenStore(const config::Config& cfg) {
  auto db = store::Database::Open(cfg.store_path);
  if (!db.ok()) return db.status();
  return std::make_unique<server::KeyStore>(*db);
}

Result<std::unique_ptr<server::KeyStore>> OpenStore(const KeysFlags& f) {
  auto cfg = KeysConfig(f);
  if (!cfg.ok()) return cfg.status();
  return OpenStore(**cfg);
}

// What a key's audit event says: its principal and id, never the key.
audit::Event KeyEvent(const server::KeyInfo& k, audit::Reason why) {
  audit::Event e;
  e.kind = audit::EventKind::kAdmin;
  e.principal = k.principal.id;
  e.request_id = "key:" + k.id;
  e.reasons.push_back(why);
  return e;
}

// Opens the config's key store and audit trail; on error prints it (exit 2).
struct Opened {
  std::unique_ptr<server::KeyStore> keys;
  std::unique_ptr<CliTrail> trail;
};
std::optional<Opened> OpenAudited(const KeysFlags& f, const char* cmd, const char* consequence) {
  auto cfg = KeysConfig(f);
  auto keys = cfg.ok() ? OpenStore(**cfg) : Result<std::unique_ptr<server::KeyStore>>(cfg.status());
  if (!keys.ok()) {
    std::cerr << "airlock keys " << cmd << ": " << keys.status().message() << "\n";
    return std::nullopt;
  }
  auto trail = CliTrail::Open(**cfg);
  if (!trail.ok()) {
    std::cerr << "airlock keys " << cmd << ": " << TrailFailure(trail.status(), consequence) << "\n";
    return std::nullopt;
  }
  return Opened{std::move(*keys), std::move(*trail)};
}

std::string Date(int64_t ms) {
  if (ms == 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

int RunCreate(const KeysFlags& f) {
  constexpr const char* kNotCreated = "no key was created";
  auto opened = OpenAudited(f, "create", kNotCreated);
  if (!opened) return kExitError;
  policy::Principal p{f.principal, f.tenant, f.roles, f.jurisdiction};
  const int64_t now = server::NowMs();
  const int64_t expires = f.expires_days > 0 ? now + static_cast<int64_t>(f.expires_days * 86400000.0) : 0;
  server::KeyInfo info;
  bool audit_failed = false;
  auto key = opened->keys->Create(p, expires, now, &info, [&](const server::KeyInfo& k) -> Status {
    auto id = opened->trail->Record(KeyEvent(k, audit::Reason::kKeyCreated));
    audit_failed = !id.ok();
    return id.status();
  });
  if (!key.ok()) {
    std::cerr << "airlock keys create: "
              << (audit_failed ? TrailFailure(key.status(), kNotCreated) : key.status().message()) << "\n";
    return kExitError;
  }
  std::cout << *key << "\n";  // the key alone on stdout, so scripts can capture it
  std::cerr << "created key " << info.id << " for " << f.principal << " (shown once; store it now; audited on "
            << opened->trail->instance() << ")\n";
  return kExitClean;
}

int RunList(const KeysFlags& f) {
  auto store = OpenStore(f);
  if (!store.ok()) {
    std::cerr << "airlock keys list: " << store.status().message() << "\n";
    return kExitError;
  }
  auto keys = (*store)->List();
  if (!keys.ok()) {
    std::cerr << "airlock keys list: " << keys.status().message() << "\n";
    return kExitError;
  }
  const int64_t now = server::NowMs();
  auto state = [&](const server::KeyInfo& k) {
    if (k.revoked_ms) return "revoked";
    if (k.expires_ms && k.expires_ms <= now) return "expired";
    return "active";
  };
  if (f.format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& k : *keys) {
      arr.push_back({{"id", k.id}, {"principal", k.principal.id}, {"tenant", k.principal.tenant},
                     {"roles", k.principal.roles}, {"jurisdiction", k.principal.jurisdiction},
                     {"created", Date(k.created_ms)}, {"expires", Date(k.expires_ms)},
                     {"revoked", Date(k.revoked_ms)}, {"state", state(k)}});
    }
    std::cout << arr.dump(2) << "\n";
    return kExitClean;
  }
  std::printf("%-16s  %-16s  %-10s  %-20s  %-4s  %-20s  %s\n", "ID", "PRINCIPAL", "TENANT", "ROLES", "JUR",
              "EXPIRES", "STATE");
  for (const auto& k : *keys) {
    std::string roles;
    for (const auto& r : k.principal.roles) roles += (roles.empty() ? "" : ",") + r;
    std::printf("%-16s  %-16s  %-10s  %-20s  %-4s  %-20s  %s\n", k.id.c_str(), k.principal.id.c_str(),
                k.principal.tenant.c_str(), roles.c_str(),
                k.principal.jurisdiction.empty() ? "-" : k.principal.jurisdiction.c_str(),
                Date(k.expires_ms).c_str(), state(k));
  }
  return kExitClean;
}

int RunRevoke(const KeysFlags& f) {
  constexpr const char* kNotRevoked = "the key was not revoked";
  auto opened = OpenAudited(f, "revoke", kNotRevoked);
  if (!opened) return kExitError;
  auto keys = opened->keys->List();
  if (!keys.ok()) {
    std::cerr << "airlock keys revoke: " << keys.status().message() << "\n";
    return kExitError;
  }
  const server::KeyInfo* k = nullptr;
  for (const auto& candidate : *keys)
    if (candidate.id == f.id) k = &candidate;
  if (k == nullptr) {
    std::cerr << "airlock keys revoke: no key with id " << f.id << "\n";
    return kExitError;
  }
  if (k->revoked_ms != 0) {
    std::cerr << "key " << f.id << " was already revoked; nothing changed\n";
    return kExitClean;
  }
  // Recorded first: a revocation that cannot be audited does not happen.
  if (auto id = opened->trail->Record(KeyEvent(*k, audit::Reason::kKeyRevoked)); !id.ok()) {
    std::cerr << "airlock keys revoke: " << TrailFailure(id.status(), kNotRevoked) << "\n";
    return kExitError;
  }
  if (Status s = opened->keys->Revoke(f.id, server::NowMs()); !s.ok()) {
    std::cerr << "airlock keys revoke: " << s.message() << " (the trail already holds the key_revoked event)\n";
    return kExitError;
  }
  std::cerr << "revoked key " << f.id << " (audited on " << opened->trail->instance() << ")\n";
  return kExitClean;
}

void AddStoreOptions(CLI::App* cmd, KeysFlags* f) {
  cmd->add_option("--config", f->config,
                  "Config file whose store.path and audit trail to use (default: built-in config)");
  cmd->add_option("--store", f->store, "SQLite store file (overrides the config's store.path)");
}

}  // namespace

void RegisterKeysCommands(CLI::App& app, Commands& out) {
  auto f = std::make_shared<KeysFlags>();
  CLI::App* keys = app.add_subcommand("keys", "Manage API keys");
  keys->require_subcommand(1);

  CLI::App* create = keys->add_subcommand("create", "Create a key; prints the key alone on standard output");
  AddStoreOptions(create, f.get());
  create->add_option("--principal", f->principal, "Who the key belongs to")->required();
  create->add_option("--role", f->roles, "Role (repeatable); workflows allow roles")->required()->allow_extra_args(false);
  create->add_option("--tenant", f->tenant, "Tenant")->default_val("default");
  create->add_option("--jurisdiction", f->jurisdiction, "Home jurisdiction (ISO 3166 alpha-2 or EU)");
  create->add_option("--expires-in-days", f->expires_days, "Days until the key expires (default: never)")
      ->check(CLI::Range(0.0, 36500.0));
  out.push_back({create, [f] { return RunCreate(*f); }});

  CLI::App* list = keys->add_subcommand("list", "List keys (never the keys themselves)");
  AddStoreOptions(list, f.get());
  list->add_option("--format", f->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  out.push_back({list, [f] { return RunList(*f); }});

  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key by id");
  AddStoreOptions(revoke, f.get());
  revoke->add_option("id", f->id, "Key id (the 16 hex digits after alk_)")->required();
  out.push_back({revoke, [f] { return RunRevoke(*f); }});
}

}  // namespace airlock::cli
