// airlock-eval: precision, recall and F1 of the built-in detector catalog on
// the public data sets, and random-shape false-positive rates.
//
//   ./build/release/airlock-eval --datasets ../shared/datasets          # full run
//   ./build/release/airlock-eval --datasets ../shared/datasets --quick  # smoke test
//   ./build/release/airlock-eval --json > eval.json
//
// Tables are markdown, so the output can be pasted into docs/accuracy.md.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "eval.h"

namespace {

using airlock::eval::EvalContext;
namespace detect = airlock::detect;

// Same rule as the CLI: $AIRLOCK_CACHE_DIR ("" disables), else
// $XDG_CACHE_HOME/airlock, else ~/.cache/airlock. Compiling the catalog with
// its name dictionaries takes long enough that a cache matters here.
std::string CacheDir() {
  namespace fs = std::filesystem;
  if (const char* x = std::getenv("AIRLOCK_CACHE_DIR"); x != nullptr) return x;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0') {
    return (fs::path(x) / "airlock").string();
  }
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    return (fs::path(h) / ".cache" / "airlock").string();
  }
  return "";
}

std::string DefaultDatasets() {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const char* candidate : {"../shared/datasets", "../../shared/datasets",
                                "../../../shared/datasets"}) {
    if (fs::is_directory(candidate, ec)) return candidate;
  }
  return "../shared/datasets";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"airlock-eval: detector accuracy against ../shared/datasets"};
  EvalContext ctx;
  ctx.datasets_dir = DefaultDatasets();
  bool json = false;
  std::string only;
  std::size_t random_n = 0;
  std::size_t random_analyzer_n = 0;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  app.add_option("--datasets", ctx.datasets_dir, "Folder holding the data sets")
      ->capture_default_str();
  app.add_option("--min-score", ctx.min_score, "Report findings scoring at least this")
      ->capture_default_str();
  app.add_option("--region", ctx.region, "Default region for phone numbers")->capture_default_str();
  app.add_flag("--quick", ctx.quick, "Subsample everything (smoke test, seconds)");
  app.add_flag("--json", json, "Print JSON instead of tables");
  app.add_option("--random", random_n,
                 "Random strings per shape checked by the validator (default 1000000; "
                 "--quick: 2000; 0 keeps the default)");
  app.add_option("--random-analyzer", random_analyzer_n,
                 "Random strings per shape scanned by the analyzer, alone and in a sentence "
                 "(default 100000; --quick: 500)");
  app.add_option("--seed", ctx.seed, "Seed of the random shapes")->capture_default_str();
  app.add_option("--threads", threads, "Threads for the random-shape scans")->capture_default_str();
  app.add_flag("--dump-errors", ctx.dump_errors,
               "Print each false positive / negative with its data-set text to stderr");
  app.add_option("--only", only,
                 "Run one section: synth, stdnum, recognizers, gitleaks, random");
  CLI11_PARSE(app, argc, argv);

  ctx.threads = std::max(1u, threads);
  if (ctx.quick) {
    ctx.random_n = 2000;
    ctx.random_analyzer_n = 500;
  }
  if (random_n > 0) ctx.random_n = random_n;
  if (random_analyzer_n > 0) ctx.random_analyzer_n = random_analyzer_n;
  ctx.random_analyzer_n = std::min(ctx.random_analyzer_n, ctx.random_n);

  auto catalog = detect::Catalog::LoadDirectory(detect::DefaultDataDir() + "/detectors");
  if (!catalog.ok()) {
    std::cerr << "airlock-eval: " << catalog.status().ToString() << "\n";
    return 2;
  }
  std::size_t detector_count = catalog->detectors().size();
  std::string fingerprint = catalog->Fingerprint();
  detect::AnalyzerOptions ao;
  ao.min_score = ctx.min_score;
  ao.validation.default_region = ctx.region;
  ao.cache_dir = CacheDir();
  auto analyzer = detect::Analyzer::Create(std::move(*catalog), ao);
  if (!analyzer.ok()) {
    std::cerr << "airlock-eval: " << analyzer.status().ToString() << "\n";
    return 2;
  }
  ctx.analyzer = *analyzer;
  const auto& as = ctx.analyzer->stats();
  std::cerr << "airlock-eval: database " << (as.from_cache ? "loaded from cache" : "compiled")
            << " in " << static_cast<long>(as.compile_ms) << " ms\n";

  nlohmann::json report;
  report["settings"] = {{"datasets", ctx.datasets_dir},
                        {"min_score", ctx.min_score},
                        {"region", ctx.region},
                        {"quick", ctx.quick},
                        {"random_n", ctx.random_n},
                        {"random_analyzer_n", ctx.random_analyzer_n},
                        {"seed", ctx.seed},
                        {"detectors", detector_count},
                        {"catalog_fingerprint", fingerprint.substr(0, 16)}};

  std::ostringstream null_sink;
  std::ostream& out = json ? static_cast<std::ostream&>(null_sink) : std::cout;
  out << "# airlock-eval\n\n"
      << "Catalog: " << detector_count << " detectors (fingerprint "
      << fingerprint.substr(0, 16) << "), min score " << ctx.min_score << ", phone region "
      << ctx.region << (ctx.quick ? ", QUICK MODE (subsampled)" : "") << ".\n\n";

  struct Section {
    const char* name;
    nlohmann::json (*run)(const EvalContext&, std::ostream&);
  };
  const Section sections[] = {
      {"synth", &airlock::eval::RunSynth},
      {"stdnum", &airlock::eval::RunStdnum},
      {"recognizers", &airlock::eval::RunRecognizers},
      {"gitleaks", &airlock::eval::RunGitleaks},
      {"random", &airlock::eval::RunRandomShapes},
  };
  bool ran = false;
  for (const auto& s : sections) {
    if (!only.empty() && only != s.name) continue;
    ran = true;
    auto t0 = std::chrono::steady_clock::now();
    nlohmann::json r = s.run(ctx, out);
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r["seconds"] = secs;
    report[s.name] = std::move(r);
    char took[64];
    std::snprintf(took, sizeof took, "_(%s: %.1f s)_\n\n", s.name, secs);
    out << took;
    out.flush();
  }
  if (!ran) {
    std::cerr << "airlock-eval: unknown section '" << only << "'\n";
    return 2;
  }
  if (json) std::cout << report.dump(2) << "\n";
  return 0;
}
