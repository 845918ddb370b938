// Cost of counting one audit event in the gateway's metrics, next to a loop
// that walks the same events and does nothing with them:
//   BM_EmptyLoop          the baseline: pick the next event, keep it alive
//   BM_Observe            GatewayMetrics::Observe, principal labels off (default)
//   BM_ObserveHashed      the same with principal_labels: hashed
//   BM_ObserveShared      BM_Observe from 1 and 2 threads into one instance
//   BM_CounterIncCached   one Counter::Inc through a cached pointer
//   BM_Render             one scrape of the metrics that this mix produces
// The events are a fixed mix (request + completion pairs over 8 workflows,
// 3 backends, 16 principals, 0-3 findings each), built once. Times are CPU
// time of the benchmark thread; docs/benchmarks.md records the ratios.
#include <benchmark/benchmark.h>

#include <vector>

#include "airlock/metrics/gateway_metrics.h"

namespace airlock::metrics {
namespace {

std::vector<audit::Event> Mix() {
  static const char* kTypes[][2] = {{"EMAIL_ADDRESS", "contact"}, {"IBAN_CODE", "financial"},
                                    {"PERSON", "personal"},       {"PHONE_NUMBER", "contact"}};
  static const audit::Decision kDecisions[] = {audit::Decision::kAllow, audit::Decision::kRedact,
                                               audit::Decision::kPseudonymise, audit::Decision::kBlock};
  std::vector<audit::Event> events;
  for (int i = 0; i < 256; ++i) {
    audit::Event e;
    e.kind = i % 2 == 0 ? audit::EventKind::kRequest : audit::EventKind::kCompletion;
    e.request_id = "req-" + std::to_string(i / 2);
    e.principal = "user-" + std::to_string(i % 16) + "@example.org";
    e.workflow = "workflow-" + std::to_string(i % 8);
    e.backend = i % 3 == 0 ? "local" : (i % 3 == 1 ? "eu-cloud" : "us-cloud");
    e.decision = e.kind == audit::EventKind::kRequest ? kDecisions[(i / 2) % 4] : audit::Decision::kAllow;
    if (e.decision == audit::Decision::kBlock) e.reasons = {audit::Reason::kDataClassNotAllowed};
    e.latency_us = 1000 + static_cast<std::uint64_t>(i) * 7919 % 5'000'000;
    e.prompt_tokens = e.kind == audit::EventKind::kCompletion ? 200 : 0;
    e.completion_tokens = e.kind == audit::EventKind::kCompletion ? 80 : 0;
    for (int f = 0; f < i % 4; ++f) e.findings.push_back({kTypes[(i + f) % 4][0], kTypes[(i + f) % 4][1], 1});
    events.push_back(std::move(e));
  }
  return events;
}

const std::vector<audit::Event>& Events() {
  static const std::vector<audit::Event> k = Mix();
  return k;
}

const audit::EventId kId{"gw-1", 1};

void BM_EmptyLoop(benchmark::State& st) {
  const auto& events = Events();
  std::size_t i = 0;
  for (auto _ : st) {
    const audit::Event& e = events[i++ % events.size()];
    benchmark::DoNotOptimize(&e);
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_EmptyLoop);

void ObserveLoop(benchmark::State& st, GatewayMetricsOptions options) {
  auto m = GatewayMetrics::Create(std::move(options));
  if (!m.ok()) {
    st.SkipWithError(m.status().message().c_str());
    return;
  }
  const auto& events = Events();
  std::size_t i = 0;
  for (auto _ : st) {
    const audit::Event& e = events[i++ % events.size()];
    benchmark::DoNotOptimize(&e);
    (*m)->Observe(e, kId);
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(st.iterations());
}

void BM_Observe(benchmark::State& st) { ObserveLoop(st, {}); }
BENCHMARK(BM_Observe);

void BM_ObserveHashed(benchmark::State& st) {
  GatewayMetricsOptions o;
  o.principal_labels = PrincipalLabels::kHashed;
  o.principal_key = std::string(32, 'k');
  ObserveLoop(st, o);
}
BENCHMARK(BM_ObserveHashed);

// Several threads counting into one GatewayMetrics, as the gateway's worker
// threads do; per-event CPU time of each thread.
void BM_ObserveShared(benchmark::State& st) {
  static GatewayMetrics* shared = GatewayMetrics::Create({}).value().release();  // lives for the run
  const auto& events = Events();
  std::size_t i = static_cast<std::size_t>(st.thread_index()) * 37;
  for (auto _ : st) {
    const audit::Event& e = events[i++ % events.size()];
    benchmark::DoNotOptimize(&e);
    shared->Observe(e, kId);
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_ObserveShared)->Threads(1)->Threads(2);

void BM_CounterIncCached(benchmark::State& st) {
  Registry reg;
  Counter* c = (*reg.AddCounter("c_total", "x"))->Get();
  for (auto _ : st) {
    c->Inc();
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_CounterIncCached);

void BM_Render(benchmark::State& st) {
  auto m = std::move(GatewayMetrics::Create({}).value());
  for (const auto& e : Events()) m->Observe(e, kId);
  std::size_t bytes = 0;
  for (auto _ : st) {
    std::string text = m->Render();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  st.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Render);

}  // namespace
}  // namespace airlock::metrics

BENCHMARK_MAIN();
