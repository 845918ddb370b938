// RuleSet: evaluates the configured alert rules on the live audit stream.
//
//   auto rules = RuleSet::Create(cfg->alerts, hmac_key);   // Result<unique_ptr<RuleSet>>
//   for (Alert& a : (*rules)->Observe(event, id, now_us)) deliver(a);
//
// Rule types (config: `alerts.rules`, docs/alerts.md):
//   threshold          a metric summed over a sliding window per principal,
//                      workflow or globally reaches `count`
//   distinct_values    one event holds `count` or more distinct fingerprints
//                      (a bulk export)
//   first_backend_use  a backend is used for the first time (globally, or per
//                      principal / workflow), unless listed in `known`
//   outside_hours      a request arrives outside the working hours and days
//   canary             a fingerprint equals a planted canary's fingerprint
//   chain_failure      ChainFailure() was called (always alerts; a built-in
//                      critical rule is used when none is configured)
//   Lockdown() always alerts with severity high.
//
// Canary values are fingerprinted with the trail's HMAC key when the set is
// built (audit::FingerprintValue, so differently written values match) and
// the clear values are not kept.
//
// Cool-down: after a rule fires for a key (the principal, workflow, backend
// or instance it counts per) it stays quiet for that key for `cooldown`
// (default 5m; 0 for canary and chain_failure). A burst of 500 blocked
// requests therefore raises one alert per cool-down, not 491.
//
// Memory: every per-key table (windows, cool-downs, seen backends) holds at
// most `alerts.max_keys` keys per rule, evicting the least recently seen;
// a window keeps at most `count` entries.
//
// Time is the caller's `now_us` (the engine passes its clock), not the
// event's own timestamp, so tests drive windows with a fake clock.
//
// Thread-safety: all methods may be called concurrently (one mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "airlock/alerts/alert.h"
#include "airlock/audit/event.h"
#include "airlock/audit/keys.h"
#include "airlock/config/config.h"
#include "airlock/core/status.h"

namespace airlock::alerts {

class RuleSet {
 public:
  // Fails (naming the rule's file:line) on a rule it cannot evaluate.
  static Result<std::unique_ptr<RuleSet>> Create(const config::AlertsConfig& cfg,
                                                 const audit::HmacKey& key);
  ~RuleSet();

  // Every rule on one committed event. Alerts come back with id empty
  // (the engine numbers them).
  std::vector<Alert> Observe(const audit::Event& e, const audit::EventId& id, std::int64_t now_us);

  // The audit chain failed verification at `at`. `problem` is a short code
  // ("modified", "deleted", "unreadable"); anything else is reduced to
  // [a-z0-9_] and cut to 32 characters.
  std::vector<Alert> ChainFailure(const audit::EventId& at, std::string_view problem,
                                  std::int64_t now_us);

  // Lockdown switched on or off, by `principal` (an identifier).
  Alert Lockdown(bool on, std::string_view principal, std::int64_t now_us);

  std::size_t canary_count() const;

 private:
  struct Impl;
  explicit RuleSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlock::alerts
