#include "airlock/alerts/alert.h"

#include <ctime>

#include <nlohmann/json.hpp>

namespace airlock::alerts {

std::string FormatTime(std::int64_t time_us) {
  std::int64_t secs = time_us / 1000000;
  std::int64_t micros = time_us % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --secs;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(micros));
  return buf;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "medium";
}

bool ParseSeverity(std::string_view name, Severity* out) {
  for (Severity s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (SeverityName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

std::string ToJson(const Alert& a) {
  nlohmann::ordered_json fps = nlohmann::ordered_json::array();
  for (const auto& f : a.fingerprints)
    fps.push_back({{"entity_type", f.entity_type}, {"hmac", f.hmac}});
  nlohmann::ordered_json j = {
      {"version", 1},
      {"id", a.id},
      {"rule", a.rule},
      {"type", a.type},
      {"severity", SeverityName(a.severity)},
      {"time", FormatTime(a.time_us)},
      {"time_us", a.time_us},
      {"key", a.key},
      {"principal", a.principal},
      {"workflow", a.workflow},
      {"backend", a.backend},
      {"count", a.count},
      {"threshold", a.threshold},
      {"window_ms", a.window_ms},
      {"events", a.events},
      {"fingerprints", std::move(fps)},
      {"detail", a.detail},
  };
  // Identifiers are tokens (audit::Validate); replace anything else rather
  // than throw on invalid UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace airlock::alerts
