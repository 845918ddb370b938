// airlock-bench: Google Benchmark driver plus three helper modes.
//
//   airlock-bench [--corpus-mib N] [--detectors DIR] [--only a,b] [--exclude a,b]
//                 [benchmark flags]            run the benchmarks
//   airlock-bench --write-corpus DIR           write DIR/prose.txt, DIR/digits.txt
//   airlock-bench --analyze-records IN OUT     findings for the accuracy comparison
//   airlock-bench --per-detector only|without  which detectors cost the most
//
// --analyze-records reads records framed as "<byte length>\n<bytes>\n" and
// writes one line per finding: "record\tbegin\tend\tentity_type\tdetector"
// (byte offsets). bench/js/compare.mjs uses it to score Airlock with the same
// code that scores the JavaScript libraries.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_state.h"

namespace airlock::bench {

BenchState& State() {
  static BenchState state;
  return state;
}

std::vector<std::string_view> Chunks(std::string_view text, std::size_t chunk) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = std::min(text.size(), pos + chunk);
    if (end < text.size()) {
      std::size_t nl = text.find('\n', end);
      end = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    out.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

long RssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

long PeakRssKib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

struct Flags {
  std::size_t corpus_mib = 8;
  std::string detectors_dir = std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors";
  std::vector<std::string> only, exclude;
  std::string write_corpus;
  std::string records_in, records_out;
  std::string per_detector;  // "", "only" or "without"
};

// Takes our flags out of argv, leaving Google Benchmark's.
bool ParseFlags(int* argc, char** argv, Flags* f) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= *argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--corpus-mib") {
      f->corpus_mib = std::stoul(next());
    } else if (a == "--detectors") {
      f->detectors_dir = next();
    } else if (a == "--only") {
      f->only = SplitComma(next());
    } else if (a == "--exclude") {
      f->exclude = SplitComma(next());
    } else if (a == "--write-corpus") {
      f->write_corpus = next();
    } else if (a == "--analyze-records") {
      f->records_in = next();
      f->records_out = next();
    } else if (a == "--per-detector") {
      f->per_detector = next();
      if (f->per_detector != "only" && f->per_detector != "without") {
        std::cerr << "--per-detector takes 'only' or 'without'\n";
        return false;
      }
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  return true;
}

Result<detect::Catalog> LoadCatalog(const Flags& f) {
  auto cat = detect::Catalog::LoadDirectory(f.detectors_dir);
  if (!cat.ok()) return cat;
  if (!f.only.empty()) cat->Filter([&](const detect::Detector& d) { return Contains(f.only, d.id); });
  if (!f.exclude.empty()) {
    cat->Filter([&](const detect::Detector& d) { return !Contains(f.exclude, d.id); });
  }
  return cat;
}

int WriteCorpus(const Flags& f) {
  for (Profile p : {Profile::kProseHeavy, Profile::kDigitDense}) {
    Corpus c = GenerateCorpus(p, f.corpus_mib << 20);
    std::string path = f.write_corpus + "/" + std::string(ProfileName(p)) + ".txt";
    std::ofstream out(path, std::ios::binary);
    out.write(c.text.data(), static_cast<std::streamsize>(c.text.size()));
    if (!out) {
      std::cerr << "cannot write " << path << "\n";
      return 1;
    }
    std::cout << path << ": " << c.text.size() << " bytes, " << c.documents << " documents, "
              << c.identifiers << " planted identifiers\n";
  }
  return 0;
}

int AnalyzeRecords(const Flags& f, const detect::Analyzer& analyzer) {
  std::ifstream in(f.records_in, std::ios::binary);
  std::ofstream out(f.records_out, std::ios::binary);
  if (!in || !out) {
    std::cerr << "cannot open " << f.records_in << " or " << f.records_out << "\n";
    return 1;
  }
  std::string header;
  std::size_t record = 0;
  while (std::getline(in, header)) {
    std::size_t len = std::stoul(header);
    std::string text(len, '\0');
    in.read(text.data(), static_cast<std::streamsize>(len));
    in.get();  // the "\n" after the record
    auto findings = analyzer.Analyze(text);
    if (!findings.ok()) {
      std::cerr << "record " << record << ": " << findings.status().message() << "\n";
      return 1;
    }
    for (const auto& fd : *findings) {
      out << record << '\t' << fd.span.begin << '\t' << fd.span.end << '\t' << fd.entity_type
          << '\t' << fd.detector << '\n';
    }
    ++record;
  }
  std::cout << "analysed " << record << " records\n";
  return 0;
}

// Best-of-N time for analysing `chunks` once; *raw_ms is the same for
// CountRawMatches (the scan alone).
double TimeAnalyze(const detect::Analyzer& a, const std::vector<std::string_view>& chunks,
                   std::size_t* findings, std::size_t* raw, double* raw_ms) {
  double best = 1e300;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = Clock::now();
    std::size_t n = 0;
    for (auto c : chunks) n += a.Analyze(c)->size();
    best = std::min(best, MsSince(t0));
    *findings = n;
  }
  *raw_ms = 1e300;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = Clock::now();
    std::size_t r = 0;
    for (auto c : chunks) r += *a.CountRawMatches(c);
    *raw_ms = std::min(*raw_ms, MsSince(t0));
    *raw = r;
  }
  return best;
}

// Builds one analyzer per detector (that detector alone, or the catalog
// without it) and prints the Analyze throughput on both profiles.
int PerDetector(const Flags& f, const detect::Catalog& full) {
  std::vector<std::vector<std::string_view>> chunks;
  std::vector<std::size_t> bytes;
  for (const auto& c : State().corpora) {
    chunks.push_back(Chunks(c.text, 64 << 10));
    bytes.push_back(c.text.size());
  }
  std::printf("mode: %s; corpora %zu MiB each, 64 KiB chunks, wall clock, best of 3;\n"
              "MBs = Analyze MB/s, scan_MBs = CountRawMatches MB/s, raw = raw matches\n",
              f.per_detector.c_str(), f.corpus_mib);
  std::printf("%-28s %8s %10s | %9s %9s %9s | %9s %9s %9s %9s\n", "detector", "patterns",
              "compile_ms", "prose_MBs", "scan_MBs", "raw/MiB", "digit_MBs", "scan_MBs", "raw/MiB",
              "find/MiB");
  auto run = [&](const std::string& label, detect::Catalog cat) {
    auto t0 = Clock::now();
    auto a = detect::Analyzer::Create(std::move(cat), detect::AnalyzerOptions{});
    double compile = MsSince(t0);
    if (!a.ok()) {
      std::printf("%-28s compile failed: %s\n", label.c_str(), a.status().message().c_str());
      return;
    }
    double mbs[2], scan_mbs[2], raw_per[2], find_per[2];
    for (int p = 0; p < 2; ++p) {
      std::size_t fnd = 0, raw = 0;
      double raw_ms = 0;
      double ms = TimeAnalyze(**a, chunks[static_cast<std::size_t>(p)], &fnd, &raw, &raw_ms);
      double mib = static_cast<double>(bytes[static_cast<std::size_t>(p)]) / (1 << 20);
      mbs[p] = static_cast<double>(bytes[static_cast<std::size_t>(p)]) / 1e6 / (ms / 1e3);
      scan_mbs[p] = static_cast<double>(bytes[static_cast<std::size_t>(p)]) / 1e6 / (raw_ms / 1e3);
      raw_per[p] = static_cast<double>(raw) / mib;
      find_per[p] = static_cast<double>(fnd) / mib;
    }
    std::printf("%-28s %8zu %10.1f | %9.1f %9.1f %9.0f | %9.1f %9.1f %9.0f %9.0f\n", label.c_str(),
                (*a)->stats().pattern_count, compile, mbs[0], scan_mbs[0], raw_per[0], mbs[1],
                scan_mbs[1], raw_per[1], find_per[1]);
    std::fflush(stdout);
  };
  if (f.per_detector == "without") run("(full catalog)", full);
  for (const auto& d : full.detectors()) {
    detect::Catalog cat = full;
    const std::string id = d.id;
    if (f.per_detector == "only") {
      cat.Filter([&](const detect::Detector& x) { return x.id == id; });
    } else {
      cat.Filter([&](const detect::Detector& x) { return x.id != id; });
    }
    run(id, std::move(cat));
  }
  return 0;
}

void BuildAnalyzer(detect::Catalog catalog) {
  BenchState& s = State();
  CompileReport& r = s.compile;
  s.catalog = catalog;
  r.detectors = catalog.detectors().size();
  r.rss_before_kib = RssKib();
  auto t0 = Clock::now();
  std::clock_t c0 = std::clock();
  auto a = detect::Analyzer::Create(std::move(catalog), detect::AnalyzerOptions{});
  r.cold_compile_ms = MsSince(t0);
  r.cold_compile_cpu_ms = 1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  if (!a.ok()) {
    std::cerr << "Analyzer::Create: " << a.status().message() << "\n";
    std::exit(1);
  }
  r.rss_after_kib = RssKib();
  r.peak_rss_kib = PeakRssKib();
  s.analyzer = *a;
  r.patterns = s.analyzer->stats().pattern_count;
  r.database_bytes = s.analyzer->stats().database_bytes;
  r.scratch_bytes = s.analyzer->stats().scratch_bytes;
}

void MeasureCache() {
  namespace fs = std::filesystem;
  CompileReport& r = State().compile;
  const fs::path dir =
      fs::temp_directory_path() / ("airlock-bench-cache-" + std::to_string(::getpid()));
  State().cache_dir = dir.string();
  detect::AnalyzerOptions opts;
  opts.cache_dir = dir.string();
  auto t0 = Clock::now();
  auto first = detect::Analyzer::Create(State().catalog, opts);
  r.cache_store_ms = MsSince(t0);
  t0 = Clock::now();
  auto second = detect::Analyzer::Create(State().catalog, opts);
  r.cache_load_ms = MsSince(t0);
  r.cache_used = second.ok() && (*second)->stats().from_cache;
}

void Report() {
  const CompileReport& r = State().compile;
  auto add = [](const std::string& k, const std::string& v) {
    benchmark::AddCustomContext(k, v);
  };
  char buf[64];
  add("airlock_detectors", std::to_string(r.detectors));
  add("airlock_patterns", std::to_string(r.patterns));
  std::snprintf(buf, sizeof(buf), "%.1f", r.cold_compile_ms);
  add("airlock_cold_compile_ms", buf);
  std::snprintf(buf, sizeof(buf), "%.1f", r.cold_compile_cpu_ms);
  add("airlock_cold_compile_cpu_ms", buf);
  std::snprintf(buf, sizeof(buf), "%.1f", r.cache_store_ms);
  add("airlock_compile_and_cache_store_ms", buf);
  std::snprintf(buf, sizeof(buf), "%.1f%s", r.cache_load_ms, r.cache_used ? "" : " (cache not used)");
  add("airlock_cache_load_ms", buf);
  add("airlock_database_bytes", std::to_string(r.database_bytes));
  add("airlock_scratch_bytes", std::to_string(r.scratch_bytes));
  add("airlock_rss_kib_before_compile", std::to_string(r.rss_before_kib));
  add("airlock_rss_kib_after_compile", std::to_string(r.rss_after_kib));
  add("airlock_peak_rss_kib_after_compile", std::to_string(r.peak_rss_kib));
  for (const Corpus& c : State().corpora) {
    std::size_t digits = static_cast<std::size_t>(
        std::count_if(c.text.begin(), c.text.end(), [](char ch) { return ch >= '0' && ch <= '9'; }));
    const std::string name = std::string(ProfileName(&c == &State().corpora[0]
                                                         ? Profile::kProseHeavy
                                                         : Profile::kDigitDense));
    std::snprintf(buf, sizeof(buf), "%zu bytes, %.1f%% digits, %.1f identifiers/KiB",
                  c.text.size(), 100.0 * static_cast<double>(digits) / static_cast<double>(c.text.size()),
                  static_cast<double>(c.identifiers) * 1024.0 / static_cast<double>(c.text.size()));
    add("corpus_" + name, buf);
  }
}

}  // namespace

}  // namespace airlock::bench

int main(int argc, char** argv) {
  using namespace airlock::bench;
  Flags flags;
  if (!ParseFlags(&argc, argv, &flags)) return 2;
  if (!flags.write_corpus.empty()) return WriteCorpus(flags);

  auto catalog = LoadCatalog(flags);
  if (!catalog.ok()) {
    std::cerr << "catalog: " << catalog.status().message() << "\n";
    return 1;
  }
  if (catalog->detectors().empty()) {
    std::cerr << "no detectors left after --only/--exclude\n";
    return 1;
  }
  if (!flags.per_detector.empty() || flags.records_in.empty()) {
    for (Profile p : {Profile::kProseHeavy, Profile::kDigitDense}) {
      State().corpora.push_back(GenerateCorpus(p, flags.corpus_mib << 20));
    }
  }
  if (!flags.per_detector.empty()) return PerDetector(flags, *catalog);

  BuildAnalyzer(std::move(*catalog));
  if (!flags.records_in.empty()) return AnalyzeRecords(flags, *State().analyzer);
  MeasureCache();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  Report();
  RegisterBenchmarks();
  // Streaming and the 10,000-entry custom dictionary (stream_bench.cc).
  if (!BuildDictionaryAnalyzer(State().catalog, 10000)) return 1;
  RegisterStreamBenchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  std::filesystem::remove_all(State().cache_dir, ec);
  return 0;
}
