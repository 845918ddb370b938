// `seeder:` hooks report exactly what vectorscan reports for the patterns
// they stand for (differential, against the patterns compiled as the first
// pass compiles them), in block mode and fed in pieces as the stream
// analyzer feeds them; and a catalog that edits a seeded pattern is refused.
#include <gtest/gtest.h>

#include <memory>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "airlock/scan/scan.h"
#include "internal/analyzer_impl.h"

namespace airlock::detect {
namespace {

using Hit = std::pair<unsigned, std::uint64_t>;  // (pattern index, end)

// The patterns compiled as the first pass compiles them (no start of match).
class Vectorscan {
 public:
  explicit Vectorscan(const std::vector<std::string>& patterns) {
    std::vector<scan::Pattern> pats;
    for (unsigned i = 0; i < patterns.size(); ++i) pats.push_back({patterns[i], i, 0});
    auto db = scan::Database::Compile(pats, scan::Database::Mode::kBlock, /*som=*/false);
    EXPECT_TRUE(db.ok());
    scanner_ = std::make_unique<scan::Scanner>(*db);
  }
  std::set<Hit> Hits(std::string_view text) const {
    std::set<Hit> out;
    EXPECT_TRUE(scanner_->Scan(text, [&](const scan::Match& m) {
      out.insert({m.id, m.to});
      return true;
    }).ok());
    return out;
  }

 private:
  std::unique_ptr<scan::Scanner> scanner_;
};

// The hook over `text`, fed in pieces of the given sizes: each call sees the
// whole text before its piece (the stream keeps at least 3 bytes) and
// nothing after it.
std::set<Hit> BySeeder(internal::SeederFn fn, std::string_view text, std::vector<std::size_t> pieces) {
  const unsigned ids[] = {0, 1};
  std::vector<scan::Match> found;
  std::uint64_t lo = 0;
  for (std::size_t n : pieces) {
    const std::uint64_t hi = std::min<std::uint64_t>(text.size(), lo + n);
    // The buffer as the stream holds it: from a few bytes before lo.
    const std::uint64_t base = lo > 8 ? lo - 8 : 0;
    fn(text.substr(base, hi - base), base, lo, hi, ids, &found);
    lo = hi;
  }
  if (lo < text.size()) fn(text.substr(0), 0, lo, text.size(), ids, &found);
  std::set<Hit> out;
  for (const auto& m : found) {
    EXPECT_TRUE(out.insert({m.id, m.to}).second) << "reported twice: " << m.id << "@" << m.to;
  }
  return out;
}

TEST(Seeder, CapitalisedWordMatchesVectorscanOnRandomText) {
  const std::vector<std::string>* patterns = nullptr;
  internal::SeederFn fn = internal::FindSeeder("capitalised_word", &patterns);
  ASSERT_NE(fn, nullptr);
  ASSERT_EQ(patterns->size(), 2u);
  // Bytes that decide the two patterns, and their neighbours.
  const std::string alphabet = std::string("AZMaqz09_ -.'\n\t") + "\xC3\xC4\xC5\xC2\xC6\x80\xBF\xA9\xC0\x7F";
  const Vectorscan vs(*patterns);
  std::mt19937 rng(20261128);
  std::size_t checked = 0, matches = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text(1 + rng() % 64, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    const std::set<Hit> want = vs.Hits(text);
    matches += want.size();
    EXPECT_EQ(BySeeder(fn, text, {text.size()}), want) << "block, round " << round;
    std::vector<std::size_t> pieces;
    for (std::size_t left = text.size(); left > 0;) {
      const std::size_t n = std::min<std::size_t>(left, 1 + rng() % 5);
      pieces.push_back(n);
      left -= n;
    }
    EXPECT_EQ(BySeeder(fn, text, pieces), want) << "pieces, round " << round;
    ++checked;
  }
  EXPECT_EQ(checked, 3000u);
  EXPECT_GT(matches, 1000u) << "the alphabet must make matches";
}

TEST(Seeder, CapitalisedWordMatchesVectorscanOnProse) {
  const std::vector<std::string>* patterns = nullptr;
  internal::SeederFn fn = internal::FindSeeder("capitalised_word", &patterns);
  ASSERT_NE(fn, nullptr);
  const std::string text =
      "Dear Ms. Öztürk, Jürgen Müller-Lüdenscheidt (ÄBC) and Élodie Dupré met O'Brien at 9AM; "
      "_Xy aB Ça Ü\xC3\x9F" "e ÅSA Łódź Žižek Ærø x\xC5\x81" "a Zoë";
  const std::set<Hit> want = Vectorscan(*patterns).Hits(text);
  EXPECT_GE(want.size(), 15u);
  EXPECT_EQ(BySeeder(fn, text, {text.size()}), want);
  EXPECT_EQ(BySeeder(fn, text, {1, 1, 2, 3, 5, 8, 13}), want);
}

TEST(Seeder, TheCatalogRefusesASeederOnOtherPatterns) {
  auto cat = Catalog::Parse(R"(
detectors:
  - id: names_edited
    entity_type: PERSON
    data_class: personal
    patterns: ['\b[A-Z][a-z]']
    seeder: capitalised_word
)",
                            "edited.yaml", ".");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  auto an = Analyzer::Create(std::move(*cat), {});
  ASSERT_FALSE(an.ok());
  EXPECT_NE(an.status().message().find("seeder 'capitalised_word' finds only its own patterns"),
            std::string::npos)
      << an.status().message();
  auto unknown = Catalog::Parse(R"(
detectors:
  - {id: x, entity_type: X, data_class: personal, patterns: ['x'], seeder: nope}
)",
                                "unknown.yaml", ".");
  ASSERT_TRUE(unknown.ok());
  auto an2 = Analyzer::Create(std::move(*unknown), {});
  ASSERT_FALSE(an2.ok());
  EXPECT_NE(an2.status().message().find("unknown seeder 'nope'"), std::string::npos);
}

}  // namespace
}  // namespace airlock::detect
