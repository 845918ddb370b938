// CliTrail: the `airlock` CLI's side of the tamper-evident audit trail.
//
// Security-relevant CLI actions (keys create/revoke, reidentify, reidentify
// --forget, sanitize) are recorded in the deployment's trail: the store the
// config names (audit.store, else sqlite next to store.path; see
// airlock/server/audit_setup.h), signed with the same key as the gateway.
//
// The CLI writes its own chain, instance "cli-<hostname>": never a gateway's
// chain (those are "gw-..." or audit.instance), so a running gateway and the
// CLI never share one. AuditLog allows one writer per chain; two CLI runs on
// one host would both append to "cli-<hostname>", so Record holds the chain's
// lock while it reads the chain's head, appends and signs (milliseconds; a
// long `airlock sanitize` does not hold it while it works):
//   SQLite      flock on "<database>.cli.lock" (next to the database)
//   PostgreSQL  pg_advisory_lock on "airlock-cli:<instance>" (a session lock,
//               held by the writer's connection, so it also holds across hosts
//               that share a hostname)
// Record waits up to 10 s for the lock, then fails (closed). Should two
// writers meet on one chain anyway, the store's (instance, seq) key refuses
// the second commit: that run fails, the chain stays intact.
//
// One event per run: Record appends it and then writes the signed checkpoint
// that covers it, so a CLI event is never in an unsigned tail.
//
//   auto trail = CliTrail::Open(cfg);     // before the action: store and key usable?
//   if (!trail.ok()) { ...exit 2, do nothing... }
//   audit::Event e; e.reasons = {audit::Reason::kKeyRevoked}; ...
//   if (!(*trail)->Record(std::move(e)).ok()) { ...exit 2, do nothing... }
//
// Thread-safety: one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "airlock/audit/audit_log.h"
#include "airlock/audit/event.h"
#include "airlock/audit/keys.h"
#include "airlock/audit/store.h"
#include "airlock/config/config.h"
#include "airlock/core/status.h"

namespace airlock::cli {

class CliTrail {
 public:
  // Opens cfg's trail (creating its tables and the default signing key as
  // the gateway would) for CliInstanceId()'s chain. An error says which part
  // (store, key) failed.
  static Result<std::unique_ptr<CliTrail>> Open(const config::Config& cfg);
  CliTrail(CliTrail&&) = delete;
  CliTrail(const CliTrail&) = delete;
  CliTrail& operator=(const CliTrail&) = delete;

  // Takes the chain's lock, appends `e` (stamped with the time then) and the
  // checkpoint after it, and lets the lock go; OK only once both are
  // durable. Once per CliTrail.
  Result<audit::EventId> Record(audit::Event e);

  const std::string& instance() const { return instance_; }
  const std::string& describe() const { return describe_; }  // the store, no password

 private:
  CliTrail() = default;
  std::string instance_;
  std::string describe_;
  std::string lock_path_;  // SQLite: the file Record flocks; empty: PostgreSQL's advisory lock
  std::unique_ptr<audit::Store> store_;  // handed to the AuditLog by Record
  std::optional<audit::SigningKey> key_;
};

// "cli-<hostname>" (hostname reduced to identifier characters).
std::string CliInstanceId();

// Who ran the command, as the OS knows them: "os:<login name>" (reduced to
// identifier characters; "os:uid-<n>" without a name).
std::string OperatorPrincipal();

// An identifier naming `name` for an event: "<prefix>:<name>" when that is
// one (at most 64 bytes of [A-Za-z0-9._:@/+-]), else
// "<prefix>-sha256:<first 16 hex digits of SHA-256(name)>".
std::string AuditToken(std::string_view prefix, std::string_view name);

// The CLI's message for a trail that cannot be written: "the audit trail
// cannot be written (<why>); <consequence>".
std::string TrailFailure(const Status& why, std::string_view consequence);

}  // namespace airlock::cli
