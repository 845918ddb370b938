// Alert: what the alerts engine raises, and its one JSON shape.
//
// An alert never carries payload text. It names the rule that fired, the
// principal / workflow / backend identifiers taken from the audit event (the
// same tokens the trail stores), counts, the ids of the events that made it
// fire, and, where values matter (canaries, bulk exports), their keyed
// HMAC-SHA256 fingerprints in hex - never the values.
//
// JSON (one line, the shape every sink delivers; docs/alerts.md):
//   {"version":1,"id":"1795858200000000-7","rule":"blocked-burst","type":"threshold",
//    "severity":"high","time":"2026-11-28T09:30:00.000000Z","time_us":1795858200000000,
//    "key":"principal:alice","principal":"alice","workflow":"support","backend":"",
//    "count":10,"threshold":10,"window_ms":300000,"events":["gw-1:41","gw-1:42"],
//    "fingerprints":[{"entity_type":"EMAIL_ADDRESS","hmac":"9f86d0..."}],"detail":""}
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::alerts {

enum class Severity : std::uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity s);  // "high"
bool ParseSeverity(std::string_view name, Severity* out);

// At most this many event ids and fingerprints ride along in one alert; the
// counts say how many there were.
inline constexpr std::size_t kMaxAlertEventIds = 20;
inline constexpr std::size_t kMaxAlertFingerprints = 32;

struct FingerprintHex {
  std::string entity_type;  // "EMAIL_ADDRESS"
  std::string hmac;         // 64 lower-case hex characters
  friend bool operator==(const FingerprintHex&, const FingerprintHex&) = default;
};

struct Alert {
  std::string id;    // unique per engine: "<time_us>-<sequence>"; receivers may de-duplicate on it
  std::string rule;  // the rule's name; "lockdown" / "chain_failure" for the built-in ones
  std::string type;  // threshold | distinct_values | first_backend_use | outside_hours |
                     // canary | chain_failure | lockdown
  Severity severity = Severity::kMedium;
  std::int64_t time_us = 0;  // when it was raised (Unix microseconds, the engine's clock)
  std::string key;           // what the rule counted per: "principal:alice", "global", ...
  std::string principal;     // from the (last) triggering event
  std::string workflow;
  std::string backend;
  std::uint64_t count = 0;          // the measured value: sum in window, distinct values, matches
  std::uint64_t threshold = 0;      // the configured count, where the rule has one
  std::uint64_t window_ms = 0;      // threshold rules
  std::vector<std::string> events;  // EventId::ToString() of the triggering events, newest last
  std::vector<FingerprintHex> fingerprints;
  std::string detail;  // a fixed code: "lockdown_on", "modified", ...; never free text
};

// One line of JSON, no trailing newline.
std::string ToJson(const Alert& a);

// RFC 3339 UTC with microseconds: "2026-11-28T09:30:00.000000Z" (also a
// valid RFC 5424 TIMESTAMP).
std::string FormatTime(std::int64_t time_us);

}  // namespace airlock::alerts
