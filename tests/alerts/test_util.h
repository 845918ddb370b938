// Shared helpers for the alerts tests: events, ids, a fixed key and a
// Monday-morning clock.
#pragma once

#include <ctime>
#include <string>

#include "airlock/alerts/rules.h"
#include "airlock/audit/fingerprint.h"
#include "airlock/config/config.h"

namespace airlock::alerts::testing {

inline audit::HmacKey Key() { return *audit::HmacKey::FromBytes(std::string(32, 'k')); }

inline audit::EventId Id(std::uint64_t seq) { return {"gw-1", seq}; }

// Unix microseconds of a UTC wall-clock time.
inline std::int64_t Utc(int year, int month, int day, int hour, int minute) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000000;
}
// 2026-11-30 is a Monday.
inline const std::int64_t kMonday10 = Utc(2026, 11, 30, 10, 0);
inline constexpr std::int64_t kSecond = 1000000;
inline constexpr std::int64_t kMinute = 60 * kSecond;

inline audit::Event Request(std::string principal, audit::Decision d = audit::Decision::kAllow) {
  audit::Event e;
  e.kind = audit::EventKind::kRequest;
  e.principal = std::move(principal);
  e.workflow = "support";
  e.backend = "local";
  e.decision = d;
  return e;
}

inline audit::Event Blocked(std::string principal) {
  return Request(std::move(principal), audit::Decision::kBlock);
}

// Parses an `alerts:` section through the real config parser.
inline config::AlertsConfig Alerts(const std::string& yaml) {
  auto cfg = config::Parse("alerts:\n" + yaml, "test.yaml");
  if (!cfg.ok()) throw std::runtime_error(cfg.status().message());
  return (*cfg)->alerts;
}

inline std::unique_ptr<RuleSet> Rules(const std::string& yaml) {
  auto r = RuleSet::Create(Alerts(yaml), Key());
  if (!r.ok()) throw std::runtime_error(r.status().message());
  return std::move(*r);
}

}  // namespace airlock::alerts::testing
