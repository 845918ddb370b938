// GatewayMetrics: the gateway's Prometheus metrics, counted from audit events.
//
//   metrics::GatewayMetricsOptions opt;
//   opt.version = "0.1.0";
//   auto gm = metrics::GatewayMetrics::Create(opt);        // Result<unique_ptr<...>>
//   server.AddObserver([m = gm->get()](const audit::Event& e, const audit::EventId& id) {
//     m->Observe(e, id);
//   });
//   (*gm)->SetProbe(metrics::Probe::kInFlightRequests, [&] { return double(in_flight); });
//   GET /metrics -> 200, Content-Type metrics::kContentType, body (*gm)->Render()
//
// What is counted (docs/metrics.md has the full list):
//   every event            airlock_events_total{kind}
//   request events         airlock_requests_total{workflow,backend,decision},
//                          airlock_findings_total{direction="request",...},
//                          airlock_principal_requests_total{principal} (opt-in)
//   completion events      airlock_request_duration_seconds{workflow,backend},
//                          airlock_tokens_total{backend,kind},
//                          airlock_findings_total{direction="completion",...}
//   decision block         airlock_blocked_total{workflow,reason} (first reason)
//   reason upstream_error  airlock_upstream_errors_total{backend}
//     or timeout
//   auth events            airlock_auth_failures_total
//   ObserveStage           airlock_stage_duration_seconds{stage}: how long
//                          each step of a request took (pipeline.cc times
//                          them; the stage names are fixed)
//
// Why labels cannot carry payload: every label value is an identifier field
// of the event (workflow, backend, entity type, data class, principal) or a
// fixed enum name (kind, decision, reason). Events have no free-text field,
// and a value that is not an audit identifier (audit::IsIdentifier) is
// rendered as "invalid" rather than copied. Principals are not labelled at all
// unless the options say so, and then at most `max_principals` of them
// (later ones count as "other"); in kHashed mode the label is the first 16 hex
// digits of HMAC-SHA256(principal_key, principal), so the scrape alone does
// not name anyone.
//
// Thread-safety: Observe, SetProbe and Render are safe to call concurrently.
// Observe allocates only the first time it sees a label set.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "airlock/audit/event.h"
#include "airlock/core/status.h"
#include "airlock/metrics/registry.h"

namespace airlock::metrics {

enum class PrincipalLabels {
  kNone,    // no per-principal series (default)
  kHashed,  // principal="<16 hex of HMAC-SHA256(principal_key, principal)>"
  kClear,   // principal="<principal id>"
};
std::string_view PrincipalLabelsName(PrincipalLabels m);  // "none", "hashed", "clear"

struct GatewayMetricsOptions {
  PrincipalLabels principal_labels = PrincipalLabels::kNone;
  // Most distinct principals with a series of their own; the rest count
  // under principal="other". 0 is treated as 1.
  std::size_t max_principals = 1000;
  // REQUIRED in kHashed mode: at least 32 bytes (see DerivePrincipalLabelKey).
  std::string principal_key;
  // Rendered as airlock_build_info{version="..."} 1.
  std::string version;
  // Cap on distinct label sets of every other family (entity types, reasons
  // and the like are bounded already; this is the backstop).
  std::size_t max_series_per_family = 10000;
};

// Gauges read at scrape time; each renders only once a callback is set.
enum class Probe {
  kAuditQueueDepth,   // airlock_audit_queue_depth: events waiting for commit
  kInFlightRequests,  // airlock_in_flight_requests
  kLocalQueueDepth,   // airlock_local_queue_depth: requests waiting for the local model
  kLockdown,          // airlock_lockdown: 1 while lockdown is on, else 0
};

// Steps of a model call that the pipeline times one by one, so that an
// operator can see where a request's latency goes (docs/metrics.md).
enum class Stage {
  kAuth,                // API key lookup
  kRequestScan,         // detection of the request, pool wait included
  kAuditCommit,         // the request event's durable commit before forwarding
  kUpstream,            // the backend exchange of a non-streamed call
  kUpstreamFirstChunk,  // a streamed call: until the backend's first chunk
  kResponseScan,        // scanning and rehydrating a non-streamed answer
  kStreamHold,          // a streamed call: from the first chunk to the first text released
};
inline constexpr std::size_t kStageCount = 7;
std::string_view StageName(Stage s);  // "auth", "request_scan", ...

// A principal-label key derived from the audit HMAC key, so that principal
// labels and value fingerprints are keyed differently:
// HMAC-SHA256(audit_hmac_key, "airlock metrics principal labels v1").
std::string DerivePrincipalLabelKey(std::string_view audit_hmac_key);

// First 16 lower-case hex digits of HMAC-SHA256(key, principal).
std::string HashedPrincipalLabel(std::string_view key, std::string_view principal);

class GatewayMetrics {
 public:
  // Fails (InvalidArgument) when kHashed is chosen without a 32-byte key.
  static Result<std::unique_ptr<GatewayMetrics>> Create(GatewayMetricsOptions options);

  GatewayMetrics(const GatewayMetrics&) = delete;
  GatewayMetrics& operator=(const GatewayMetrics&) = delete;

  // Counts one committed audit event. `id` is not used for labels (it would
  // make a series per event); it is part of the observer signature.
  void Observe(const audit::Event& e, const audit::EventId& id);

  // Counts one timed stage of a request in airlock_stage_duration_seconds.
  // Lock-free after Create (the series exist from the start).
  void ObserveStage(Stage stage, double seconds);

  // Sets (or with nullptr clears) the function read for `probe` at scrape
  // time. `read` must be thread-safe and must not call Render.
  void SetProbe(Probe probe, std::function<double()> read);

  // Text exposition 0.0.4 of every metric; serve with kContentType.
  std::string Render() const { return registry_.Render(); }

  // For gauges or counters of the caller's own, registered next to these.
  Registry& registry() { return registry_; }

 private:
  explicit GatewayMetrics(GatewayMetricsOptions options);
  Status Init();
  Counter* PrincipalCounter(std::string_view principal);
  void CountFindings(const audit::Event& e, std::string_view direction);

  GatewayMetricsOptions options_;
  Registry registry_;
  CounterFamily* events_ = nullptr;
  CounterFamily* requests_ = nullptr;
  CounterFamily* findings_ = nullptr;
  HistogramFamily* duration_ = nullptr;
  CounterFamily* upstream_errors_ = nullptr;
  CounterFamily* blocked_ = nullptr;
  CounterFamily* tokens_ = nullptr;
  Counter* auth_failures_ = nullptr;
  CounterFamily* principal_requests_ = nullptr;
  std::array<CallbackGauge*, 4> probes_{};
  std::array<Histogram*, kStageCount> stages_{};

  // principal id -> its series, so each principal is hashed once and the cap
  // is counted in principals rather than in label values.
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::shared_mutex principals_mu_;
  std::unordered_map<std::string, Counter*, StringHash, std::equal_to<>> principals_;
  Counter* other_principals_ = nullptr;
};

}  // namespace airlock::metrics
