// Streaming and custom-dictionary throughput, next to block mode on the
// same bytes:
//   BM_Stream         StreamAnalyzer: each piece (a "response") fed in
//                     `write`-byte chunks (64: a few tokens), then Finish;
//                     compare with BM_Analyze at the same piece size
//   BM_AnalyzeDict    Analyzer::Analyze with the full catalog plus a
//                     generated 10,000-entry custom dictionary (detector YAML
//                     with `dictionary:`); compare with BM_Analyze
//   BM_StreamDict     the dictionary catalog streamed in 64-byte chunks
// Counters: findings per MiB (must equal block mode's), and the largest and
// mean hold-back (bytes_written - SafeOffset after each write).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "airlock/detect/stream_analyzer.h"
#include "bench_state.h"

namespace airlock::bench {

namespace {

constexpr Profile kProfiles[] = {Profile::kProseHeavy, Profile::kDigitDense};

std::shared_ptr<const detect::Analyzer>& DictAnalyzer() {
  static std::shared_ptr<const detect::Analyzer> a;
  return a;
}

// Piece size as in BM_Analyze (range 0), write size (range 1).
void RunStream(benchmark::State& st, Profile profile,
               const std::shared_ptr<const detect::Analyzer>& analyzer) {
  if (analyzer == nullptr) {
    st.SkipWithError("no analyzer");
    return;
  }
  const auto pieces = Chunks(State().corpora[static_cast<int>(profile)].text,
                             static_cast<std::size_t>(st.range(0)));
  const std::size_t write = static_cast<std::size_t>(st.range(1));
  std::size_t findings = 0, bytes = 0, max_lag = 0, writes = 0;
  double lag_sum = 0;
  std::vector<detect::Finding> out;
  for (auto _ : st) {
    findings = 0;
    for (auto piece : pieces) {
      auto s = detect::StreamAnalyzer::Create(analyzer);
      if (!s.ok()) {
        st.SkipWithError(s.status().message().c_str());
        return;
      }
      detect::StreamAnalyzer& stream = **s;
      for (std::size_t p = 0; p < piece.size(); p += write) {
        out.clear();
        if (!stream.Write(piece.substr(p, write), &out).ok()) {
          st.SkipWithError("stream write failed");
          return;
        }
        findings += out.size();
        const std::size_t lag = stream.bytes_written() - stream.SafeOffset();
        max_lag = std::max(max_lag, lag);
        lag_sum += static_cast<double>(lag);
        ++writes;
      }
      out.clear();
      if (!stream.Finish(&out).ok()) {
        st.SkipWithError("stream finish failed");
        return;
      }
      findings += out.size();
    }
  }
  for (auto piece : pieces) bytes += piece.size();
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * bytes));
  st.counters["findings_per_MiB"] = static_cast<double>(findings) * (1 << 20) / bytes;
  st.counters["max_hold_back"] = static_cast<double>(max_lag);
  st.counters["mean_hold_back"] = writes == 0 ? 0 : lag_sum / static_cast<double>(writes);
}

void BM_Stream(benchmark::State& st, Profile profile) { RunStream(st, profile, State().analyzer); }
void BM_StreamDict(benchmark::State& st, Profile profile) { RunStream(st, profile, DictAnalyzer()); }

void BM_AnalyzeDict(benchmark::State& st, Profile profile) {
  if (DictAnalyzer() == nullptr) {
    st.SkipWithError("no dictionary analyzer");
    return;
  }
  const auto pieces = Chunks(State().corpora[static_cast<int>(profile)].text,
                             static_cast<std::size_t>(st.range(0)));
  std::size_t findings = 0, bytes = 0;
  for (auto _ : st) {
    findings = 0;
    for (auto piece : pieces) {
      auto r = DictAnalyzer()->Analyze(piece);
      if (!r.ok()) {
        st.SkipWithError(r.status().message().c_str());
        return;
      }
      findings += r->size();
    }
  }
  for (auto piece : pieces) bytes += piece.size();
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * bytes));
  st.counters["findings_per_MiB"] = static_cast<double>(findings) * (1 << 20) / bytes;
}

// 10,000 made-up project code names, client matters and product names:
// "Project Amber Falcon", "Matter 4711-Corvid", ... (distinct, deterministic).
std::vector<std::string> DictionaryEntries(std::size_t n) {
  static const char* kA[] = {"Amber", "Basalt", "Cobalt", "Dune",  "Ember",  "Fjord", "Garnet",
                             "Harbor", "Indigo", "Juniper", "Krypton", "Lumen", "Marble", "Nimbus",
                             "Onyx",  "Pylon",  "Quartz", "Rune",  "Sable",  "Tundra"};
  static const char* kB[] = {"Falcon", "Otter", "Heron", "Lynx",  "Marten", "Osprey", "Puma",
                             "Raven",  "Stoat", "Tapir", "Viper", "Wren",   "Yak",    "Zebu",
                             "Bison",  "Crane", "Dingo", "Egret", "Ferret", "Gecko",  "Hyena",
                             "Ibis",   "Jackal", "Koala", "Lemur"};
  std::vector<std::string> out;
  for (std::size_t i = 0; out.size() < n; ++i) {
    const std::string a = kA[i % 20], b = kB[(i / 20) % 25];
    switch ((i / 500) % 4) {
      case 0: out.push_back("Project " + a + " " + b); break;
      case 1: out.push_back("Matter " + std::to_string(1000 + i) + "-" + b); break;
      case 2: out.push_back(a + b + " " + std::to_string(i % 97)); break;
      default: out.push_back("Client " + a + "-" + std::to_string(i)); break;
    }
  }
  return out;
}

}  // namespace

bool BuildDictionaryAnalyzer(const detect::Catalog& base, std::size_t entries) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("airlock-bench-dict-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream txt(dir / "codenames.txt");
    for (const auto& e : DictionaryEntries(entries)) txt << e << "\n";
    std::ofstream yaml(dir / "codenames.yaml");
    yaml << "detectors:\n  - id: custom_codenames\n    entity_type: PROJECT_CODE_NAME\n"
            "    data_class: confidential\n    dictionary: codenames.txt\n    score: 0.8\n";
  }
  auto extra = detect::Catalog::LoadFile((dir / "codenames.yaml").string());
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!extra.ok()) {
    std::cerr << "dictionary catalog: " << extra.status().message() << "\n";
    return false;
  }
  detect::Catalog all = base;
  if (!all.Merge(std::move(*extra)).ok()) return false;
  auto a = detect::Analyzer::Create(std::move(all), detect::AnalyzerOptions{});
  if (!a.ok()) {
    std::cerr << "dictionary analyzer: " << a.status().message() << "\n";
    return false;
  }
  DictAnalyzer() = *a;
  // The streaming databases are compiled on first use; do it here, outside
  // the timed loops, and report how long it took.
  char buf[64];
  for (const auto& [name, an] : {std::pair{"catalog", State().analyzer}, std::pair{"dictionary", *a}}) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!detect::StreamAnalyzer::Prepare(*an).ok()) return false;
    std::snprintf(buf, sizeof(buf), "%.1f",
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    benchmark::AddCustomContext(std::string("airlock_stream_compile_ms_") + name, buf);
  }
  std::snprintf(buf, sizeof(buf), "%.1f", (*a)->stats().compile_ms);
  benchmark::AddCustomContext("airlock_dictionary_catalog_compile_ms", buf);
  return true;
}

void RegisterStreamBenchmarks() {
  for (Profile p : kProfiles) {
    const std::string suffix = "/" + std::string(ProfileName(p));
    // Pieces of 4 KiB (a chat answer) and 64 KiB (a document), written 64
    // bytes at a time; 4 KiB also 16 and 1024 bytes at a time.
    benchmark::RegisterBenchmark(("BM_Stream" + suffix).c_str(), BM_Stream, p)
        ->Args({4 << 10, 16})
        ->Args({4 << 10, 64})
        ->Args({4 << 10, 1024})
        ->Args({64 << 10, 64})
        ->ArgNames({"chunk", "write"})
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_AnalyzeDict" + suffix).c_str(), BM_AnalyzeDict, p)
        ->Arg(4 << 10)
        ->Arg(64 << 10)
        ->ArgName("chunk")
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_StreamDict" + suffix).c_str(), BM_StreamDict, p)
        ->Args({4 << 10, 64})
        ->ArgNames({"chunk", "write"})
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace airlock::bench
