// Throughput of the full default catalog next to its two limits:
//   BM_Analyze        Analyzer::Analyze: scan + validators + context + overlaps
//   BM_RawVectorscan  Analyzer::CountRawMatches: the same database, no validation
//   BM_Memchr         memchr for a byte that never occurs: memory bandwidth
// All three walk the same bytes in the same chunks, so their ratio is the
// distance to the limit. Throughput is per CPU second of the benchmark thread
// (Google Benchmark's default), not wall time: the reference machine is a
// shared 2-core box whose wall clock includes other people's work. Compile time and cache-load time are BM_Compile and
// BM_CacheLoad.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "bench_state.h"

namespace airlock::bench {

namespace {

constexpr Profile kProfiles[] = {Profile::kProseHeavy, Profile::kDigitDense};

std::size_t TotalBytes(const std::vector<std::string_view>& chunks) {
  std::size_t n = 0;
  for (auto c : chunks) n += c.size();
  return n;
}

void BM_Analyze(benchmark::State& st, Profile profile) {
  const auto chunks = Chunks(State().corpora[static_cast<int>(profile)].text,
                             static_cast<std::size_t>(st.range(0)));
  const auto& analyzer = *State().analyzer;
  std::size_t findings = 0;
  for (auto _ : st) {
    findings = 0;
    for (auto c : chunks) {
      auto r = analyzer.Analyze(c);
      if (!r.ok()) {
        st.SkipWithError(r.status().message().c_str());
        return;
      }
      findings += r->size();
      benchmark::DoNotOptimize(r->data());
    }
  }
  const std::size_t bytes = TotalBytes(chunks);
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * bytes));
  st.counters["findings_per_MiB"] = static_cast<double>(findings) * (1 << 20) / bytes;
}

void BM_RawVectorscan(benchmark::State& st, Profile profile) {
  const auto chunks = Chunks(State().corpora[static_cast<int>(profile)].text,
                             static_cast<std::size_t>(st.range(0)));
  const auto& analyzer = *State().analyzer;
  std::size_t matches = 0;
  for (auto _ : st) {
    matches = 0;
    for (auto c : chunks) {
      auto r = analyzer.CountRawMatches(c);
      if (!r.ok()) {
        st.SkipWithError(r.status().message().c_str());
        return;
      }
      matches += *r;
    }
    benchmark::DoNotOptimize(matches);
  }
  const std::size_t bytes = TotalBytes(chunks);
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * bytes));
  st.counters["raw_matches_per_MiB"] = static_cast<double>(matches) * (1 << 20) / bytes;
}

void BM_Memchr(benchmark::State& st, Profile profile) {
  const auto chunks = Chunks(State().corpora[static_cast<int>(profile)].text,
                             static_cast<std::size_t>(st.range(0)));
  std::size_t hits = 0;
  for (auto _ : st) {
    for (auto c : chunks) {
      // 0x01 never occurs in generated text, so memchr reads every byte.
      const void* p = std::memchr(c.data(), 0x01, c.size());
      hits += p != nullptr;
      benchmark::DoNotOptimize(p);
    }
  }
  if (hits != 0) st.SkipWithError("the corpus contains byte 0x01");
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * TotalBytes(chunks)));
}

void BM_Compile(benchmark::State& st) {
  detect::AnalyzerStats stats;
  for (auto _ : st) {
    st.PauseTiming();
    detect::Catalog copy = State().catalog;
    st.ResumeTiming();
    auto a = detect::Analyzer::Create(std::move(copy), detect::AnalyzerOptions{});
    if (!a.ok()) {
      st.SkipWithError(a.status().message().c_str());
      return;
    }
    stats = (*a)->stats();
  }
  st.counters["database_bytes"] = static_cast<double>(stats.database_bytes);
  st.counters["scratch_bytes"] = static_cast<double>(stats.scratch_bytes);
  st.counters["patterns"] = static_cast<double>(stats.pattern_count);
}

// Loads the database that main() stored in the cache (see MeasureCache).
void BM_CacheLoad(benchmark::State& st) {
  detect::AnalyzerOptions opts;
  opts.cache_dir = State().cache_dir;
  bool from_cache = true;
  for (auto _ : st) {
    st.PauseTiming();
    detect::Catalog copy = State().catalog;
    st.ResumeTiming();
    auto a = detect::Analyzer::Create(std::move(copy), opts);
    if (!a.ok()) {
      st.SkipWithError(a.status().message().c_str());
      return;
    }
    from_cache = from_cache && (*a)->stats().from_cache;
  }
  // 0 when compiling took under 100 ms, so the analyzer did not cache it.
  st.counters["from_cache"] = from_cache ? 1 : 0;
}

}  // namespace

void RegisterBenchmarks() {
  for (Profile p : kProfiles) {
    const std::string suffix = "/" + std::string(ProfileName(p));
    // 4 KiB: a chat prompt; 64 KiB: a document or a page of an export.
    benchmark::RegisterBenchmark(("BM_Analyze" + suffix).c_str(), BM_Analyze, p)
        ->Arg(4 << 10)
        ->Arg(64 << 10)
        ->ArgName("chunk")
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_RawVectorscan" + suffix).c_str(), BM_RawVectorscan, p)
        ->Arg(4 << 10)
        ->Arg(64 << 10)
        ->ArgName("chunk")
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_Memchr" + suffix).c_str(), BM_Memchr, p)
        ->Arg(64 << 10)
        ->ArgName("chunk")
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_Compile", BM_Compile)
      ->Iterations(2)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_CacheLoad", BM_CacheLoad)
      ->Iterations(5)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace airlock::bench
