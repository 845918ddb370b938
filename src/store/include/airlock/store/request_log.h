// RequestLog: what the gateway did with each request, without the payload.
//
// Two writes per forwarded request:
//   1. Record(event) before anything is forwarded: who, which workflow and
//      backend, the decision and its reasons, finding counts by entity type
//      and data class, keyed HMAC-SHA256 fingerprints of the detected values
//      (so the same value can be correlated across events without being
//      stored), request sizes. If this write fails the gateway forwards
//      nothing (fail closed).
//   2. Complete(request_id, completion) after the response: status, latency,
//      tokens, output findings.
// Blocked requests are recorded too (decision "block").
//
// Table `audit_events` (SQLite):
//   id INTEGER PK, time_ms, request_id, principal, tenant, workflow, endpoint,
//   backend, decision, reasons (JSON array), entity_counts (JSON object),
//   class_counts (JSON object), fingerprints (JSON array of hex), request_bytes,
//   forwarded_bytes, stream, status, latency_ms, prompt_tokens,
//   completion_tokens, output_counts (JSON object), outcome.
// No column holds payload text. The tamper-evident chain comes later (the
// audit issue) on top of this table.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "airlock/store/database.h"
#include "airlock/core/status.h"

namespace airlock::store {

struct Event {
  int64_t time_ms = 0;
  std::string request_id;
  std::string principal;
  std::string tenant;
  std::string workflow;
  std::string endpoint;
  std::string backend;                // empty when blocked before routing
  std::string decision;               // "allow" | "block"
  std::vector<std::string> reasons;
  std::map<std::string, int> entity_counts;  // entity type -> count
  std::map<std::string, int> class_counts;   // data class -> count
  std::vector<std::string> fingerprints;     // Fingerprint() of each detected value
  int64_t request_bytes = 0;
  int64_t forwarded_bytes = 0;
  bool stream = false;
  int status = 0;                     // set for blocked requests right away
};

struct Completion {
  int status = 0;
  int64_t latency_ms = 0;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  std::map<std::string, int> output_counts;  // entity type -> count in the response
  std::string outcome;                // "ok", "upstream_error", "client_disconnected", ...
};

class RequestLog {
 public:
  // `hmac_key`: the fingerprint key (any length; 32 bytes recommended).
  static Result<std::unique_ptr<RequestLog>> Open(std::shared_ptr<Database> db, std::string hmac_key);

  // Committed when it returns OK.
  Status Record(const Event& e);
  Status Complete(const std::string& request_id, const Completion& c);

  // Hex HMAC-SHA256 of a value under the audit key.
  std::string Fingerprint(std::string_view value) const;

 private:
  RequestLog(std::shared_ptr<Database> db, std::string key) : db_(std::move(db)), key_(std::move(key)) {}
  std::shared_ptr<Database> db_;
  std::string key_;
};

}  // namespace airlock::store
