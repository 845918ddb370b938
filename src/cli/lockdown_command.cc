// `airlock lockdown on|off|status` and `airlock admin ...`: clients of a
// running gateway's admin API (docs/gateway.md, "Admin API").
//
// The key comes from the environment ($AIRLOCK_ADMIN_KEY, or --key-env) or a
// file (--key-file), never from the command line, where `ps` would show it.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "airlock/compliance/http_probe.h"
#include "commands.h"

namespace airlock::cli {

namespace {

struct AdminOptions {
  std::string url;
  std::string key_env = "AIRLOCK_ADMIN_KEY";
  std::string key_file;
  std::string ca_file;
  std::string mode;
  std::string query;
  unsigned timeout_s = 30;
};

void AddClientOptions(CLI::App* cmd, AdminOptions* o) {
  cmd->add_option("--url", o->url, "the gateway or its admin listener (default: $AIRLOCK_URL, else http://127.0.0.1:8080)");
  cmd->add_option("--key-env", o->key_env, "environment variable holding an admin API key (default AIRLOCK_ADMIN_KEY)");
  cmd->add_option("--key-file", o->key_file, "file holding an admin API key (instead of --key-env)");
  cmd->add_option("--ca", o->ca_file, "CA bundle (PEM) to verify an https:// gateway");
  cmd->add_option("--timeout", o->timeout_s, "seconds to wait for the answer (default 30)")->check(CLI::Range(1u, 3600u));
}

Result<std::string> AdminKey(const AdminOptions& o) {
  if (!o.key_file.empty()) {
    std::ifstream in(o.key_file);
    if (!in) return Status::IoError(o.key_file + ": cannot open key file");
    std::string key;
    std::getline(in, key);
    while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
    if (key.empty()) return Status::InvalidArgument(o.key_file + ": empty key file");
    return key;
  }
  const char* v = std::getenv(o.key_env.c_str());
  if (v == nullptr || *v == '\0')
    return Status::InvalidArgument("no admin key: set $" + o.key_env + " or give --key-file");
  return std::string(v);
}

std::string BaseUrl(const AdminOptions& o) {
  if (!o.url.empty()) return o.url;
  const char* v = std::getenv("AIRLOCK_URL");
  return v != nullptr && *v != '\0' ? std::string(v) : "http://127.0.0.1:8080";
}

// Runs one admin call and prints the JSON answer; exit 0 on 2xx, 1 on an
// HTTP error answer, 2 when the gateway cannot be reached or used.
int Call(const AdminOptions& o, const std::string& method, const std::string& target, const std::string& body) {
  auto key = AdminKey(o);
  if (!key.ok()) {
    std::cerr << "airlock: " << key.status().message() << "\n";
    return kExitError;
  }
  const std::string url = BaseUrl(o);
  auto r = compliance::HttpCall(url, method, target, *key, body, o.ca_file, 0,
                                std::chrono::seconds(o.timeout_s));
  if (!r.ok) {
    std::cerr << "airlock: cannot reach " << url << ": " << r.error << "\n";
    return kExitError;
  }
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded()) {
    std::cerr << "airlock: " << url << target << " answered HTTP " << r.status << " without JSON\n";
    return kExitError;
  }
  if (r.status / 100 != 2) {
    std::string msg = j.contains("error") && j["error"].is_object() ? j["error"].value("message", "") : "";
    std::cerr << "airlock: HTTP " << r.status << ": " << msg << "\n";
    return kExitFindings;
  }
  std::cout << j.dump(2) << "\n";
  return kExitClean;
}

}  // namespace

void RegisterLockdownCommands(CLI::App& app, Commands& out) {
  auto o = std::make_shared<AdminOptions>();
  auto* lock = app.add_subcommand("lockdown", "Limit every workflow to local models, or refuse all model calls, at once");
  lock->require_subcommand(1);
  auto* on = lock->add_subcommand("on", "Start a lockdown (audited and alerted)");
  AddClientOptions(on, o.get());
  on->add_option("--mode", o->mode, "local (local backends only) or refuse (every model call refused); default: admin.lockdown_mode")
      ->check(CLI::IsMember({"local", "refuse"}));
  out.push_back({on, [o] {
                   nlohmann::json b = {{"state", "on"}};
                   if (!o->mode.empty()) b["mode"] = o->mode;
                   return Call(*o, "POST", "/admin/v1/lockdown", b.dump());
                 }});
  auto* off = lock->add_subcommand("off", "End the lockdown");
  AddClientOptions(off, o.get());
  out.push_back({off, [o] { return Call(*o, "POST", "/admin/v1/lockdown", R"({"state":"off"})"); }});
  auto* st = lock->add_subcommand("status", "Show the lockdown state");
  AddClientOptions(st, o.get());
  out.push_back({st, [o] { return Call(*o, "GET", "/admin/v1/lockdown", ""); }});

  auto* admin = app.add_subcommand("admin", "Read a running gateway's state through its admin API");
  admin->require_subcommand(1);
  struct Read {
    const char* name;
    const char* help;
    const char* path;
    bool query;
  };
  for (const Read& r : {Read{"status", "instance, lockdown, audit trail and backends", "/admin/v1/status", false},
                        Read{"chain", "verify every audit chain in the trail now", "/admin/v1/chain", false},
                        Read{"alerts", "the latest alerts", "/admin/v1/alerts", false},
                        Read{"events", "audit events (--query 'since=2026-11-28&principal=crm-sync&limit=50')",
                             "/admin/v1/events", true},
                        Read{"stats", "counts by decision, workflow, backend and entity type (--query 'since=...')",
                             "/admin/v1/stats", true}}) {
    auto* cmd = admin->add_subcommand(r.name, r.help);
    AddClientOptions(cmd, o.get());
    if (r.query) cmd->add_option("--query", o->query, "query string: since, until, principal, workflow, kind, decision, limit");
    const std::string path = r.path;
    out.push_back({cmd, [o, path] { return Call(*o, "GET", o->query.empty() ? path : path + "?" + o->query, ""); }});
  }
}

}  // namespace airlock::cli
