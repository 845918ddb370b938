// JSON and time helpers for audit events: the `airlock audit` commands and the
// gateway's admin API print events the same way.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "airlock/audit/event.h"
#include "airlock/core/status.h"

namespace airlock::audit {

// "2026-11-28T10:15:00.123456Z"
std::string FormatTimeUs(std::int64_t time_us);

// Accepts "2026-11-28" (UTC midnight), "2026-11-28T10:15:00Z" (optionally
// with fractional seconds) and "@1764324900" (Unix seconds).
Result<std::int64_t> ParseTimeUs(const std::string& text);

// Every field of the event; fingerprints as hex MACs. Never a value.
nlohmann::ordered_json EventToJson(const Event& e);

// The inverse for `airlock audit append`: reads the same fields (names for
// kind, decision, reasons). Values to fingerprint come separately.
Result<Event> EventFromJson(const nlohmann::json& j);

}  // namespace airlock::audit
