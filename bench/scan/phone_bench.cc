// BM_PhoneValidate/{prose,digits}/...: the `phone` validator alone, over the
// phone candidates of a corpus, with libphonenumber only (the path before the
// fast path) and with the fast path (validators/phone_fast.h), in the same
// run. Both without the validator's per-thread answer cache, so every
// candidate costs what a new number costs.
//
// Candidates: the matches of the catalog's `validator: phone` detectors over
// the corpus, the longest per start (what the analyzer tries first),
// distinct. Before timing, both paths answer every candidate once (this also
// compiles the fast path's region tables) and the counter `mismatches`
// reports how many answers differ: it must be 0.
#include <benchmark/benchmark.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "airlock/scan/scan.h"
#include "bench_state.h"
#include "validators/phone_fast.h"

namespace airlock::bench {
namespace {

struct PhoneCandidates {
  std::vector<std::string> texts;
  std::size_t valid = 0;
  std::size_t mismatches = 0;
};

std::vector<std::string> ExtractCandidates(std::string_view text) {
  std::vector<scan::Pattern> patterns;
  for (const detect::Detector& d : State().catalog.detectors()) {
    if (d.validator != "phone") continue;
    for (const std::string& p : d.patterns) patterns.push_back({p, 0, scan::kNone});
  }
  std::set<std::string> out;
  auto db = scan::Database::Compile(patterns, scan::Database::Mode::kBlock);
  if (!db.ok()) return {};
  scan::Scanner scanner(*db);
  // Chunks keep vectorscan's per-scan work small; numbers do not cross lines.
  for (std::string_view chunk : Chunks(text, 1 << 16)) {
    std::map<std::uint64_t, std::uint64_t> longest;  // start -> end
    Status st = scanner.Scan(chunk, [&longest](const scan::Match& m) {
      auto& end = longest[m.from];
      end = std::max(end, m.to);
      return true;
    });
    if (!st.ok()) return {};
    for (auto [from, to] : longest) out.insert(std::string(chunk.substr(from, to - from)));
  }
  return {out.begin(), out.end()};
}

PhoneCandidates MakeCandidates(Profile profile) {
    PhoneCandidates pc;
    pc.texts = ExtractCandidates(State().corpora[static_cast<int>(profile)].text);
    detect::ValidationContext ctx;
    for (const std::string& t : pc.texts) {
      auto old = detect::internal::ValidatePhoneUncachedForTest(t, ctx, false);
      auto fast = detect::internal::ValidatePhoneUncachedForTest(t, ctx, true);
      pc.valid += old.valid ? 1 : 0;
      if (old.valid != fast.valid || old.detail != fast.detail) ++pc.mismatches;
    }
    return pc;
}

const PhoneCandidates& Candidates(Profile profile) {
  static const PhoneCandidates digits = MakeCandidates(Profile::kDigitDense);
  static const PhoneCandidates prose = MakeCandidates(Profile::kProseHeavy);
  return profile == Profile::kDigitDense ? digits : prose;
}

void PhoneValidate(benchmark::State& st, Profile profile, bool fast) {
  const PhoneCandidates& c = Candidates(profile);
  detect::ValidationContext ctx;  // default region DE, as the analyzer's default
  for (auto _ : st) {
    std::size_t valid = 0;
    for (const std::string& t : c.texts) {
      valid += detect::internal::ValidatePhoneUncachedForTest(t, ctx, fast).valid ? 1 : 0;
    }
    benchmark::DoNotOptimize(valid);
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * c.texts.size()));
  st.counters["candidates"] = static_cast<double>(c.texts.size());
  st.counters["valid"] = static_cast<double>(c.valid);
  st.counters["mismatches"] = static_cast<double>(c.mismatches);
}

bool RegisterPhoneBenchmarks() {
  for (Profile p : {Profile::kProseHeavy, Profile::kDigitDense}) {
    const std::string profile = p == Profile::kDigitDense ? "digits" : "prose";
    for (bool fast : {false, true}) {
      benchmark::RegisterBenchmark(
          ("BM_PhoneValidate/" + profile + (fast ? "/fast_path" : "/libphonenumber")).c_str(),
          [p, fast](benchmark::State& st) { PhoneValidate(st, p, fast); })
          ->Unit(benchmark::kMillisecond);
    }
  }
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterPhoneBenchmarks();

}  // namespace
}  // namespace airlock::bench
