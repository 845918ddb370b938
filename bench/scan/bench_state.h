// Shared state of airlock-bench: the corpora and the analyzer under test,
// built once in main() before any benchmark runs, then read-only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "corpus/crm_corpus.h"

namespace airlock::bench {

struct CompileReport {
  std::size_t detectors = 0;
  std::size_t patterns = 0;
  double cold_compile_ms = 0;  // Analyzer::Create without a cache, wall clock
  double cold_compile_cpu_ms = 0;  // ... CPU time of the process
  double cache_store_ms = 0;   // Create with an empty cache dir (compile + write)
  double cache_load_ms = 0;    // Create again: deserialise from the cache
  bool cache_used = false;     // the second Create really loaded from the cache
  std::size_t database_bytes = 0;
  std::size_t scratch_bytes = 0;
  long rss_before_kib = 0;      // resident set before the cold compile
  long rss_after_kib = 0;       // ... after it (analyzer alive)
  long peak_rss_kib = 0;        // ru_maxrss after the cold compile
};

struct BenchState {
  detect::Catalog catalog;  // as loaded, before Create consumed its copy
  std::shared_ptr<const detect::Analyzer> analyzer;
  CompileReport compile;
  std::vector<Corpus> corpora;  // indexed by Profile
  std::string cache_dir;        // holds the cached database; removed at exit
};

// REQUIRES: main() has filled it before benchmarks run.
BenchState& State();

// Splits `text` at line ends into pieces of about `chunk` bytes (never more
// than one line over), the way a gateway sees requests rather than one
// 8 MiB blob.
std::vector<std::string_view> Chunks(std::string_view text, std::size_t chunk);

// Registers BM_Analyze, BM_RawVectorscan, BM_Memchr, BM_Compile,
// BM_CacheLoad for every profile.
void RegisterBenchmarks();

// stream_bench.cc: builds the full catalog plus a generated custom
// dictionary of `entries` literals, then registers BM_Stream,
// BM_AnalyzeDict and BM_StreamDict.
bool BuildDictionaryAnalyzer(const detect::Catalog& base, std::size_t entries);
void RegisterStreamBenchmarks();

}  // namespace airlock::bench
