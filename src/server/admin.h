// The admin API (docs/gateway.md, "Admin API"): what security engineers and
// SOC analysts use to see and steer a running gateway. Every call needs an
// API key holding one of the config's admin.roles; every state change is an
// audit event.
//
//   GET  /admin/v1/status     instance, lockdown, trail, backends, uptime
//   GET  /admin/v1/events     ?since=&until=&principal=&workflow=&kind=&decision=&limit=
//   GET  /admin/v1/stats      ?since=&until=  counts by kind, decision, workflow, backend, entity type
//   GET  /admin/v1/alerts     the latest alerts (fingerprints and counts, never values)
//   GET  /admin/v1/chain      verifies every chain in the trail now
//   GET  /admin/v1/lockdown   the lockdown state
//   POST /admin/v1/lockdown   {"state": "on"|"off", "mode": "local"|"refuse"}
//
// events, stats and chain read the trail (chain all of it, stats a time
// range, events the newest rows up to its limit): the gateway runs them on
// its admin reader thread (ReadsTrail), never on an I/O thread, so that a
// long read does not stall the requests served there. status, alerts and
// lockdown answer on the calling thread: a lockdown must not queue behind a
// chain verification.
#pragma once

#include <string>
#include <string_view>

#include "airlock/policy/policy.h"
#include "runtime.h"

namespace airlock::server {

struct AdminReply {
  int status = 200;
  std::string body;  // JSON
  // Set by a lockdown change: what the audit event records.
  bool lockdown_changed = false;
};

// True when `who` holds one of the roles the admin API admits.
bool IsAdmin(const config::Config& cfg, const policy::Principal& who);

// True for the calls that read the audit trail (events, stats, chain).
bool ReadsTrail(std::string_view target);

// Serves one call for an authenticated admin. `target` is the path without
// the query; `query` what follows '?'.
AdminReply HandleAdminCall(Services& s, const Runtime& rt, const policy::Principal& who, bool post,
                           std::string_view target, std::string_view query, const std::string& body,
                           const std::string& request_id);

}  // namespace airlock::server
