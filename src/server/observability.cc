#include "observability.h"

#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>

#include "airlock/alerts/engine.h"
#include "airlock/alerts/sink.h"
#include "airlock/metrics/gateway_metrics.h"

namespace airlock::server {

namespace {

// The latest alerts, for GET /admin/v1/alerts (an in-process sink).
class RecentAlerts {
 public:
  void Add(const std::vector<alerts::Alert>& batch) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& a : batch) {
      json_.push_back(alerts::ToJson(a));
      if (json_.size() > kKeep) json_.pop_front();
    }
  }
  std::string Json() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out = "[";
    for (auto it = json_.rbegin(); it != json_.rend(); ++it) {  // newest first
      if (out.size() > 1) out += ',';
      out += *it;
    }
    return out + "]";
  }

 private:
  static constexpr std::size_t kKeep = 200;
  mutable std::mutex mu_;
  std::deque<std::string> json_;
};

class RecentSink final : public alerts::Sink {
 public:
  explicit RecentSink(std::shared_ptr<RecentAlerts> r) : r_(std::move(r)) {}
  std::string Describe() const override { return "admin API (latest alerts)"; }
  alerts::Outcome Deliver(const std::vector<alerts::Alert>& batch, const alerts::StopSignal&) override {
    r_->Add(batch);
    alerts::Outcome o;
    o.delivered = batch.size();
    return o;
  }

 private:
  std::shared_ptr<RecentAlerts> r_;
};

metrics::PrincipalLabels LabelsOf(config::Config::Metrics::PrincipalLabels p) {
  switch (p) {
    case config::Config::Metrics::PrincipalLabels::kHashed: return metrics::PrincipalLabels::kHashed;
    case config::Config::Metrics::PrincipalLabels::kClear: return metrics::PrincipalLabels::kClear;
    case config::Config::Metrics::PrincipalLabels::kNone: break;
  }
  return metrics::PrincipalLabels::kNone;
}

// The rules see this instance's events of the warm-start span again (see
// Engine::Replay), before the first live event. A trail that cannot be read
// leaves the rules cold: logged, not fatal (the verifier reports a damaged
// chain on its own).
void WarmStart(alerts::Engine& engine, Trail& trail, const config::AlertsConfig& cfg) {
  const std::int64_t span_ms = alerts::Engine::WarmStartMs(cfg);
  if (span_ms <= 0 || cfg.rules.empty()) return;
  const std::int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  audit::EventFilter filter;
  filter.since_us = now_us - span_ms * 1000;
  filter.instance = trail.instance();
  std::uint64_t events = 0, dropped = 0;
  Status st = trail.Scan(filter, [&](const audit::Event& e) {
    dropped += engine.Replay(e, audit::EventId{e.instance, e.seq});
    ++events;
    return true;
  });
  if (!st.ok()) {
    std::fprintf(stderr, "airlock: alerts: warm start stopped after %llu events: %s\n",
                 static_cast<unsigned long long>(events), st.message().c_str());
    return;
  }
  std::fprintf(stderr, "airlock: alerts: warm start replayed %llu events of the last %llds (alerts due in them, not raised again: %llu)\n",
               static_cast<unsigned long long>(events), static_cast<long long>(span_ms / 1000),
               static_cast<unsigned long long>(dropped));
}

}  // namespace

Result<std::unique_ptr<Observability>> Observability::Start(Services& s, const config::Config& cfg,
                                                            std::function<double()> in_flight) {
  std::unique_ptr<Observability> o(new Observability());
  if (cfg.metrics.enabled) {
    metrics::GatewayMetricsOptions mo;
    mo.version = "0.1.0";
    mo.max_principals = cfg.metrics.max_principals;
    mo.principal_labels = LabelsOf(cfg.metrics.principal_labels);
    if (mo.principal_labels == metrics::PrincipalLabels::kHashed)
      mo.principal_key = metrics::DerivePrincipalLabelKey(s.trail->hmac_bytes());
    auto m = metrics::GatewayMetrics::Create(std::move(mo));
    if (!m.ok()) return Status(m.status()).WithContext("metrics");
    o->metrics_ = std::shared_ptr<metrics::GatewayMetrics>(std::move(*m));
    std::shared_ptr<metrics::GatewayMetrics> gm = o->metrics_;
    s.trail->AddObserver([gm](const audit::Event& e, const audit::EventId& id) { gm->Observe(e, id); });
    Services* sp = &s;
    gm->SetProbe(metrics::Probe::kLockdown, [sp] { return sp->lockdown_state() == Lockdown::kOff ? 0.0 : 1.0; });
    if (in_flight) gm->SetProbe(metrics::Probe::kInFlightRequests, std::move(in_flight));
    s.observe_stage = [gm](metrics::Stage stage, double seconds) { gm->ObserveStage(stage, seconds); };
    gm->SetProbe(metrics::Probe::kAuditQueueDepth, [sp] { return double(sp->trail->queued()); });
    gm->SetProbe(metrics::Probe::kLocalQueueDepth, [sp] {
      std::size_t n = 0;
      for (const auto& [name, b] : sp->runtime()->backends) n += b->Waiting();
      return double(n);
    });
    s.render_metrics = [gm] { return gm->Render(); };
  }

  auto recent = std::make_shared<RecentAlerts>();
  alerts::EngineOptions eo;
  eo.extra_sinks.push_back(std::make_unique<RecentSink>(recent));
  auto engine = alerts::Engine::Create(cfg.alerts, s.trail->hmac_key(), std::move(eo));
  if (!engine.ok()) return Status(engine.status()).WithContext("alerts");
  o->alerts_ = std::shared_ptr<alerts::Engine>(std::move(*engine));
  std::shared_ptr<alerts::Engine> ae = o->alerts_;
  WarmStart(*ae, *s.trail, cfg.alerts);
  s.trail->AddObserver([ae](const audit::Event& e, const audit::EventId& id) { ae->Observe(e, id); });
  s.on_lockdown = [ae](Lockdown l, const std::string& principal) { ae->ReportLockdown(l != Lockdown::kOff, principal); };
  const std::string instance = s.trail->instance();
  s.on_chain_failure = [ae, instance](const std::string& problem) {
    // "gw-1:42 modified: ..." -> the event id and the problem kind only.
    audit::EventId at{instance, 0};
    std::string kind = "unreadable";
    const auto space = problem.find(' ');
    if (space != std::string::npos) {
      const std::string id = problem.substr(0, space);
      const auto colon = id.rfind(':');
      if (colon != std::string::npos) {
        at.instance = id.substr(0, colon);
        at.seq = std::strtoull(id.c_str() + colon + 1, nullptr, 10);
      }
      const auto end = problem.find(':', space + 1);
      kind = problem.substr(space + 1, end == std::string::npos ? std::string::npos : end - space - 1);
    }
    ae->ReportChainFailure(at, kind);
  };
  s.recent_alerts_json = [recent] { return recent->Json(); };
  return o;
}

void Observability::Shutdown() {
  if (alerts_) {
    alerts_->Flush(std::chrono::seconds(5));
    alerts_->Shutdown();
    alerts_.reset();
  }
}

Observability::~Observability() { Shutdown(); }

}  // namespace airlock::server
