#include "airlock/metrics/gateway_metrics.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <mutex>

namespace airlock::metrics {
namespace {

constexpr std::size_t kMinPrincipalKeyBytes = 32;

// Latency of LLM calls spans milliseconds (blocked before the backend) to
// minutes (long completions).
const std::vector<double>& DurationBounds() {
  static const std::vector<double> k = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                        2.5,   5,    10,    30,   60,  120, 300};
  return k;
}

// Pipeline stages take tens of microseconds (a key lookup) to seconds (a
// slow backend); the fine low end is what a latency budget is about.
const std::vector<double>& StageBounds() {
  static const std::vector<double> k = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01,
                                        0.025,   0.05,   0.1,     0.25,   0.5,   1,     2.5,   5,
                                        10,      30,     60};
  return k;
}

// Only audit identifiers become label values; anything else (which a
// committed event cannot hold, but an uncommitted one might) is replaced.
std::string_view Label(std::string_view v) { return audit::IsIdentifier(v) ? v : "invalid"; }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

bool IsUpstreamFailure(const audit::Event& e) {
  return std::any_of(e.reasons.begin(), e.reasons.end(), [](audit::Reason r) {
    return r == audit::Reason::kUpstreamError || r == audit::Reason::kTimeout;
  });
}

}  // namespace

std::string_view PrincipalLabelsName(PrincipalLabels m) {
  switch (m) {
    case PrincipalLabels::kNone: return "none";
    case PrincipalLabels::kHashed: return "hashed";
    case PrincipalLabels::kClear: return "clear";
  }
  return "none";
}

std::string_view StageName(Stage s) {
  switch (s) {
    case Stage::kAuth: return "auth";
    case Stage::kRequestScan: return "request_scan";
    case Stage::kAuditCommit: return "audit_commit";
    case Stage::kUpstream: return "upstream";
    case Stage::kUpstreamFirstChunk: return "upstream_first_chunk";
    case Stage::kResponseScan: return "response_scan";
    case Stage::kStreamHold: return "stream_hold";
  }
  return "invalid";
}

std::string DerivePrincipalLabelKey(std::string_view audit_hmac_key) {
  return HmacSha256(audit_hmac_key, "airlock metrics principal labels v1");
}

std::string HashedPrincipalLabel(std::string_view key, std::string_view principal) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string mac = HmacSha256(key, principal);
  std::string out;
  out.reserve(16);
  for (std::size_t i = 0; i < 8; ++i) {
    const auto b = static_cast<unsigned char>(mac[i]);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

Result<std::unique_ptr<GatewayMetrics>> GatewayMetrics::Create(GatewayMetricsOptions options) {
  if (options.principal_labels == PrincipalLabels::kHashed &&
      options.principal_key.size() < kMinPrincipalKeyBytes) {
    return Status::InvalidArgument("metrics: principal_labels hashed needs a key of at least 32 bytes");
  }
  options.max_principals = std::max<std::size_t>(options.max_principals, 1);
  std::unique_ptr<GatewayMetrics> m(new GatewayMetrics(std::move(options)));
  if (Status s = m->Init(); !s.ok()) return s;
  return m;
}

GatewayMetrics::GatewayMetrics(GatewayMetricsOptions options) : options_(std::move(options)) {}

// Registers families and keeps the first error; names are fixed here, so an
// error is a programming mistake that Create reports rather than hides.
class FamilyMaker {
 public:
  explicit FamilyMaker(Registry* r) : r_(r) {}
  template <typename F>
  F* Keep(Result<F*> f) {
    if (!f.ok()) {
      if (status_.ok()) status_ = f.status();
      return nullptr;
    }
    return *f;
  }
  CounterFamily* Counter(const char* name, const char* help, std::vector<std::string> labels,
                         FamilyOptions o) {
    return Keep(r_->AddCounter(name, help, std::move(labels), o));
  }
  const Status& status() const { return status_; }

 private:
  Registry* r_;
  Status status_;
};

Status GatewayMetrics::Init() {
  const FamilyOptions capped{options_.max_series_per_family};
  FamilyMaker m(&registry_);
  events_ = m.Counter("airlock_events_total", "Audit events committed, by kind.", {"kind"}, capped);
  requests_ = m.Counter("airlock_requests_total",
                        "Requests that passed authentication, by workflow, chosen backend and policy decision.",
                        {"workflow", "backend", "decision"}, capped);
  findings_ = m.Counter("airlock_findings_total",
                        "Detected values, by direction (request or completion), entity type and data class.",
                        {"direction", "entity_type", "data_class"}, capped);
  upstream_errors_ = m.Counter("airlock_upstream_errors_total",
                               "Events whose reasons include upstream_error or timeout, by backend.",
                               {"backend"}, capped);
  blocked_ = m.Counter("airlock_blocked_total",
                       "Requests and completions blocked, by workflow and first reason.",
                       {"workflow", "reason"}, capped);
  tokens_ = m.Counter("airlock_tokens_total",
                      "Tokens reported by completions, by backend and kind (prompt or completion).",
                      {"backend", "kind"}, capped);
  CounterFamily* auth = m.Counter("airlock_auth_failures_total", "Callers refused for their key (auth events).", {}, capped);
  if (options_.principal_labels != PrincipalLabels::kNone) {
    // One more than the cap: the "other" series.
    principal_requests_ = m.Counter("airlock_principal_requests_total",
                                    "Requests by principal (principal_labels hashed or clear; capped).",
                                    {"principal"}, FamilyOptions{options_.max_principals + 1});
  }
  duration_ = m.Keep(registry_.AddHistogram("airlock_request_duration_seconds",
                                            "Time from request to completion, by workflow and backend.",
                                            {"workflow", "backend"}, DurationBounds(), capped));
  HistogramFamily* stages = m.Keep(registry_.AddHistogram(
      "airlock_stage_duration_seconds",
      "Time spent in each step of a model call (auth, request_scan, audit_commit, upstream, "
      "upstream_first_chunk, response_scan, stream_hold).",
      {"stage"}, StageBounds(), capped));
  static constexpr std::array<std::pair<const char*, const char*>, 4> kProbes = {{
      {"airlock_audit_queue_depth", "Audit events waiting to be committed."},
      {"airlock_in_flight_requests", "Requests being processed now."},
      {"airlock_local_queue_depth", "Requests waiting for the local model."},
      {"airlock_lockdown", "1 while lockdown is on, else 0."},
  }};
  for (std::size_t i = 0; i < kProbes.size(); ++i) {
    probes_[i] = m.Keep(registry_.AddCallbackGauge(kProbes[i].first, kProbes[i].second));
  }
  GaugeFamily* build = m.Keep(registry_.AddGauge(
      "airlock_build_info", "Always 1; the version label names the build.", {"version"}));
  if (!m.status().ok()) return m.status();
  auth_failures_ = auth->Get();
  for (std::size_t i = 0; i < kStageCount; ++i) {
    stages_[i] = stages->WithLabels({StageName(static_cast<Stage>(i))});
  }
  if (principal_requests_ != nullptr) other_principals_ = principal_requests_->WithLabels({kOverflowLabel});
  build->WithLabels({Label(options_.version)})->Set(1);
  return Status::Ok();
}

void GatewayMetrics::ObserveStage(Stage stage, double seconds) {
  const auto i = static_cast<std::size_t>(stage);
  if (i < stages_.size()) stages_[i]->Observe(seconds);
}

void GatewayMetrics::SetProbe(Probe probe, std::function<double()> read) {
  probes_[static_cast<std::size_t>(probe)]->SetCallback(std::move(read));
}

Counter* GatewayMetrics::PrincipalCounter(std::string_view principal) {
  {
    std::shared_lock lock(principals_mu_);
    auto it = principals_.find(principal);
    if (it != principals_.end()) return it->second;
    if (principals_.size() >= options_.max_principals) return other_principals_;
  }
  std::string label = options_.principal_labels == PrincipalLabels::kHashed
                          ? HashedPrincipalLabel(options_.principal_key, principal)
                          : std::string(Label(principal));
  std::unique_lock lock(principals_mu_);
  auto it = principals_.find(principal);
  if (it != principals_.end()) return it->second;
  if (principals_.size() >= options_.max_principals) return other_principals_;
  Counter* c = principal_requests_->WithLabels({std::string_view(label)});
  principals_.emplace(std::string(principal), c);
  return c;
}

void GatewayMetrics::CountFindings(const audit::Event& e, std::string_view direction) {
  for (const auto& f : e.findings) {
    findings_->WithLabels({direction, Label(f.entity_type), Label(f.data_class)})->Inc(f.count);
  }
}

void GatewayMetrics::Observe(const audit::Event& e, const audit::EventId& /*id*/) {
  events_->WithLabels({audit::EventKindName(e.kind)})->Inc();
  const std::string_view workflow = Label(e.workflow);
  const std::string_view backend = Label(e.backend);
  switch (e.kind) {
    case audit::EventKind::kRequest:
      requests_->WithLabels({workflow, backend, audit::DecisionName(e.decision)})->Inc();
      CountFindings(e, "request");
      if (principal_requests_ != nullptr) PrincipalCounter(e.principal)->Inc();
      break;
    case audit::EventKind::kCompletion:
      duration_->WithLabels({workflow, backend})->Observe(static_cast<double>(e.latency_us) / 1e6);
      if (e.prompt_tokens > 0) tokens_->WithLabels({backend, "prompt"})->Inc(e.prompt_tokens);
      if (e.completion_tokens > 0) tokens_->WithLabels({backend, "completion"})->Inc(e.completion_tokens);
      CountFindings(e, "completion");
      break;
    case audit::EventKind::kAuth:
      auth_failures_->Inc();
      break;
    default:
      break;
  }
  const bool traffic = e.kind == audit::EventKind::kRequest || e.kind == audit::EventKind::kCompletion;
  if (traffic && e.decision == audit::Decision::kBlock) {
    const std::string_view reason = e.reasons.empty() ? "none" : audit::ReasonName(e.reasons.front());
    blocked_->WithLabels({workflow, reason})->Inc();
  }
  if (traffic && IsUpstreamFailure(e)) upstream_errors_->WithLabels({backend})->Inc();
}

}  // namespace airlock::metrics
