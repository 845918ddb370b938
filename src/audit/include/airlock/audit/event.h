// AuditEvent: what the audit trail records about one request, completion or
// administrative action, and nothing more.
//
// The trail must never become the leak, so an event has no free-text field:
//   - identifiers (instance, request id, principal, workflow, backend, entity
//     types, data classes) are short tokens of [A-Za-z0-9._:@/+-], at most
//     kMaxIdentifierBytes, checked by Validate() before anything is stored;
//     a prompt cannot be smuggled through them (no spaces, no length);
//   - reasons are `Reason` codes, not sentences;
//   - detected values are present only as keyed HMAC-SHA256 fingerprints
//     (see fingerprint.h), never as text.
//
// Thread-safety: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"

namespace airlock::audit {

inline constexpr std::size_t kMaxIdentifierBytes = 64;
inline constexpr std::size_t kMaxReasons = 16;
inline constexpr std::size_t kMaxFindingCounts = 256;
inline constexpr std::size_t kMaxFingerprints = 1024;

// The byte values are part of the record format (docs/audit-format.md):
// append new values, never renumber.
enum class EventKind : std::uint8_t {
  kRequest = 1,     // a request passed the pipeline (before the backend)
  kCompletion = 2,  // the backend's answer was scanned and delivered (or not)
  kAdmin = 3,       // an administrative action (keys, config, lockdown)
  kAuth = 4,        // an authentication failure
  kSystem = 5,      // the gateway started, stopped, rotated a key
};

enum class Decision : std::uint8_t {
  kNone = 0,  // no policy decision (admin, system events)
  kAllow = 1,
  kRedact = 2,
  kPseudonymise = 3,
  kRouteLocal = 4,
  kBlock = 5,
  kError = 6,  // failed closed: nothing was forwarded
};

// Why a decision was taken. Short fixed codes, stored as 16-bit numbers.
enum class Reason : std::uint16_t {
  kPolicyAllow = 1,
  kDataClassNotAllowed = 2,     // the workflow does not allow a data class found
  kJurisdictionNotAllowed = 3,  // no backend allowed in the data's jurisdiction
  kNoBackendAvailable = 4,
  kCredentialDetected = 5,
  kCanaryValue = 6,
  kLockdown = 7,
  kUnauthenticated = 8,
  kForbidden = 9,
  kRequestTooLarge = 10,
  kTimeout = 11,
  kUpstreamError = 12,
  kScanFailed = 13,
  kOutputLeak = 14,  // the answer held data the caller may not see
  kRateLimited = 15,
  kConfigChanged = 16,
  kKeyCreated = 17,
  kKeyRevoked = 18,
  kLockdownOn = 19,
  kLockdownOff = 20,
  kStarted = 21,
  kStopped = 22,
  kRerouted = 23,            // sent to another allowed backend than the preferred one
  kInvalidRequest = 24,      // malformed JSON or OpenAI request: nothing forwarded
  kUnknownWorkflow = 25,     // the request named no configured workflow
  kClientDisconnected = 26,  // the caller went away before the answer was complete
  kScanOnly = 27,            // /v1/airlock/scan: scanned, nothing forwarded
  // The `airlock` CLI's own actions (docs/audit-format.md, "CLI actions").
  kReidentified = 28,    // `airlock reidentify`: surrogates of a scope turned back into values
  kScopeForgotten = 29,  // `airlock reidentify --forget`: a scope's mapping deleted
  kSanitized = 30,       // `airlock sanitize`: an export sanitised under a workflow
  kAttachmentsRead = 31,  // file parts of the request were read as text and scanned
};

std::string_view EventKindName(EventKind k);
std::string_view DecisionName(Decision d);
std::string_view ReasonName(Reason r);  // "data_class_not_allowed"; "reason_<n>" if unknown
bool ParseEventKind(std::string_view name, EventKind* out);
bool ParseDecision(std::string_view name, Decision* out);
bool ParseReason(std::string_view name, Reason* out);

// How many findings of one entity type (and its data class) an event saw.
struct FindingCount {
  std::string entity_type;  // "IBAN_CODE"
  std::string data_class;   // "financial"
  std::uint32_t count = 0;
  friend bool operator==(const FindingCount&, const FindingCount&) = default;
};

// HMAC-SHA256 of one detected value (see fingerprint.h).
struct ValueFingerprint {
  std::string entity_type;
  std::array<std::uint8_t, 32> mac{};
  friend bool operator==(const ValueFingerprint&, const ValueFingerprint&) = default;
};

struct Event {
  // Set by AuditLog::Append (instance from its options, seq from its chain,
  // time_us from the clock unless the caller set it).
  std::string instance;
  std::uint64_t seq = 0;
  std::int64_t time_us = 0;  // Unix time, microseconds

  EventKind kind = EventKind::kRequest;
  std::string request_id;
  std::string principal;
  std::string workflow;
  std::string backend;
  Decision decision = Decision::kNone;
  std::vector<Reason> reasons;
  std::uint16_t status = 0;  // HTTP status sent to the caller, 0 if none
  std::uint64_t latency_us = 0;
  std::uint64_t request_bytes = 0;
  std::uint64_t response_bytes = 0;
  std::uint32_t prompt_tokens = 0;
  std::uint32_t completion_tokens = 0;
  std::vector<FindingCount> findings;
  std::vector<ValueFingerprint> fingerprints;

  friend bool operator==(const Event&, const Event&) = default;
};

// Where an event sits: its instance's chain and its position in it.
struct EventId {
  std::string instance;
  std::uint64_t seq = 0;
  std::string ToString() const;  // "gw-1:42"
  friend bool operator==(const EventId&, const EventId&) = default;
};

// OK when every identifier is a short token and every list is within its
// limit. The message names the field, never its content.
Status Validate(const Event& e);

// True when `s` is a valid identifier (empty allowed when `allow_empty`).
bool IsIdentifier(std::string_view s, bool allow_empty = true);

}  // namespace airlock::audit
