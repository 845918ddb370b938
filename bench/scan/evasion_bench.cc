// Evasion resistance (normalizer.h, decoders.h) next to its baselines, all
// on 4 KiB chunks in the same run:
//   BM_EvasionSignals/prose        the fast-path check alone
//   BM_Analyze/prose               (analyzer_bench.cc) default: fast path
//   BM_AnalyzeNoEvasion/*          AnalyzerOptions::normalize = false
//   BM_AnalyzeForcedViews/prose    views built even where the check says
//                                  there is nothing: what the fast path saves
//   BM_Analyze/evasion             the Unicode + encoded corpus
//                                  (corpus/evasion_corpus.h), default options
//   BM_RawVectorscan/evasion       the first-pass database alone
// Registered at start-up; they read State() when they run, after main() has
// filled it.
#include <benchmark/benchmark.h>

#include "airlock/detect/normalizer.h"
#include "bench_state.h"
#include "corpus/evasion_corpus.h"

namespace airlock::bench {

namespace {

constexpr std::size_t kChunk = 4 << 10;

const std::string& EvasionText() {
  static const std::string text = GenerateEvasionCorpus(State().corpora.at(0).text.size());
  return text;
}

std::string_view Text(bool evasion) {
  return evasion ? std::string_view(EvasionText()) : std::string_view(State().corpora.at(0).text);
}

// normalize = false, or force_evasion_views = true; from the bench's cache.
const detect::Analyzer& Variant(bool force) {
  auto make = [](bool f) {
    detect::AnalyzerOptions opts;
    opts.cache_dir = State().cache_dir;
    opts.normalize = f;
    opts.force_evasion_views = f;
    detect::Catalog copy = State().catalog;
    auto a = detect::Analyzer::Create(std::move(copy), opts);
    if (!a.ok()) std::abort();
    return *a;
  };
  static const std::shared_ptr<const detect::Analyzer> forced = make(true);
  static const std::shared_ptr<const detect::Analyzer> plain = make(false);
  return force ? *forced : *plain;
}

// Findings of the last iteration: all, and those from derived views
// (Finding::normalized), per MiB.
struct Counts {
  std::size_t findings = 0;
  std::size_t derived = 0;
};

template <typename Fn>
void Loop(benchmark::State& st, std::string_view text, Fn fn) {
  const auto chunks = Chunks(text, kChunk);
  std::size_t bytes = 0;
  for (auto c : chunks) bytes += c.size();
  Counts n;
  for (auto _ : st) {
    n = {};
    for (auto c : chunks) {
      if (!fn(c, &n)) {
        st.SkipWithError("scan failed");
        return;
      }
    }
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * bytes));
  if (n.findings == 0) return;  // the check alone, raw matches
  const double per_mib = static_cast<double>(1 << 20) / static_cast<double>(bytes);
  st.counters["findings_per_MiB"] = static_cast<double>(n.findings) * per_mib;
  st.counters["derived_per_MiB"] = static_cast<double>(n.derived) * per_mib;
}

bool AnalyzeWith(const detect::Analyzer& a, std::string_view c, Counts* n) {
  auto r = a.Analyze(c);
  if (!r.ok()) return false;
  n->findings += r->size();
  for (const auto& f : *r) n->derived += f.normalized ? 1 : 0;
  return true;
}

void BM_EvasionSignals(benchmark::State& st) {
  Loop(st, Text(false), [](std::string_view c, Counts*) {
    benchmark::DoNotOptimize(detect::EvasionSignals(c));
    return true;
  });
}

void BM_AnalyzeNoEvasion(benchmark::State& st, bool evasion) {
  Loop(st, Text(evasion), [](std::string_view c, Counts* n) { return AnalyzeWith(Variant(false), c, n); });
}

void BM_AnalyzeForcedViews(benchmark::State& st) {
  Loop(st, Text(false), [](std::string_view c, Counts* n) { return AnalyzeWith(Variant(true), c, n); });
}

void BM_AnalyzeEvasion(benchmark::State& st) {
  Loop(st, Text(true), [](std::string_view c, Counts* n) { return AnalyzeWith(*State().analyzer, c, n); });
}

void BM_RawVectorscanEvasion(benchmark::State& st) {
  Loop(st, Text(true), [](std::string_view c, Counts*) { return State().analyzer->CountRawMatches(c).ok(); });
}

[[maybe_unused]] const bool kRegistered = [] {
  benchmark::RegisterBenchmark("BM_EvasionSignals/prose", BM_EvasionSignals)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_AnalyzeNoEvasion/prose", BM_AnalyzeNoEvasion, false)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_AnalyzeForcedViews/prose", BM_AnalyzeForcedViews)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_Analyze/evasion", BM_AnalyzeEvasion)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_AnalyzeNoEvasion/evasion", BM_AnalyzeNoEvasion, true)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_RawVectorscan/evasion", BM_RawVectorscanEvasion)
      ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace

}  // namespace airlock::bench
