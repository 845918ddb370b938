// BoundedPrefix: the stream analyzer bounds a match in progress by the end
// of its prefix, so the property that matters is that every match of the
// pattern starts with a match of the prefix no longer than max_width:
// checked with vectorscan's start-of-match over random text for every
// catalog pattern that gets a prefix, and the splitting on its own.
// HeadAndTail likewise: every match is a run of head bytes and at most
// max_width bytes after it.
#include "internal/pattern_prefix.h"

#include <gtest/gtest.h>

#include <bitset>
#include <random>
#include <string>
#include <vector>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "internal/analyzer_impl.h"
#include "internal/pattern_alphabet.h"

namespace airlock::detect::internal {
namespace {

std::vector<std::string> Items(std::string_view e) {
  auto s = SplitTopLevel(e);
  if (!s) return {"<none>"};
  std::vector<std::string> out;
  if (!s->flags.empty()) out.push_back("flags:" + s->flags);
  for (std::string_view i : s->items) out.emplace_back(i);
  return out;
}

// The built-in catalog's analyzer, compiled once for the tests below.
// `pattern` alone, compiled for block mode with start of match.
Result<std::shared_ptr<const scan::Database>> CompileAlone(const std::string& expression, unsigned flags) {
  return scan::Database::Compile({{expression, 0, flags}}, scan::Database::Mode::kBlock, true);
}

// `n` pieces drawn at random.
std::string RandomText(std::mt19937& rng, const std::vector<std::string>& pieces, int n) {
  std::string text;
  for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
  return text;
}

const std::shared_ptr<const Analyzer>& CatalogAnalyzer() {
  static const std::shared_ptr<const Analyzer> analyzer = [] {
    auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return std::shared_ptr<const Analyzer>();
    auto a = Analyzer::Create(std::move(*c), {});
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? *a : std::shared_ptr<const Analyzer>();
  }();
  return analyzer;
}

TEST(SplitTopLevel, AtomsWithTheirQuantifiers) {
  EXPECT_EQ(Items(R"(ab\d{2,3}[x\]-]+?(?:c|d)*$)"),
            (std::vector<std::string>{"a", "b", R"(\d{2,3})", R"([x\]-]+?)", "(?:c|d)*", "$"}));
  EXPECT_EQ(Items("(?m)^x"), (std::vector<std::string>{"flags:(?m)", "^", "x"}));
  EXPECT_EQ(Items(R"(\x41\x{263a}[[:alpha:]]{2})"),
            (std::vector<std::string>{R"(\x41)", R"(\x{263a})", "[[:alpha:]]{2}"}));
  EXPECT_EQ(Items("a{,2}"), (std::vector<std::string>{"a", "{", ",", "2", "}"}));  // a literal '{'
  EXPECT_EQ(Items("[]a](b(c)d)"), (std::vector<std::string>{"[]a]", "(b(c)d)"}));
  EXPECT_EQ(Items("caf\xC3\xA9!"), (std::vector<std::string>{"c", "a", "f", "\xC3\xA9", "!"}));
}

TEST(SplitTopLevel, RefusesWhatItCannotCut) {
  EXPECT_EQ(Items("ab|cd"), std::vector<std::string>{"<none>"});   // top-level alternation
  EXPECT_EQ(Items("a(b"), std::vector<std::string>{"<none>"});     // unbalanced
  EXPECT_EQ(Items("a[bc"), std::vector<std::string>{"<none>"});
  EXPECT_EQ(Items(R"(\Qa|b\E)"), std::vector<std::string>{"<none>"});  // literal run
  EXPECT_EQ(Items("*a"), std::vector<std::string>{"<none>"});
}

TEST(BoundedPrefix, TheLongestCutWithinTheLimit) {
  auto p = BoundedPrefix({R"([ \t]-u[ \t]+[^\s]{3,}(?:\s|$))", 0, 0}, 64);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->expression, R"([ \t]-u)");
  EXPECT_EQ(p->max_width, 3u);
  p = BoundedPrefix({"TOK-.{4,}", 0, 0}, 64);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->expression, "TOK-");
  // Flags come along; an empty prefix ("^") is none.
  p = BoundedPrefix({"(?i)^key[0-9]{2}x+", 0, 0}, 64);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->expression, "(?i)^key[0-9]{2}");
  EXPECT_FALSE(BoundedPrefix({"(?m)^[^\\n]*x", 0, 0}, 64).has_value());
  EXPECT_FALSE(BoundedPrefix({"a{100}b", 0, 0}, 64).has_value());  // first item too wide
  p = BoundedPrefix({"abc", 0, 0}, 64);  // proper prefixes only
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->expression, "ab");
}

// Every catalog pattern with a prefix: each start-of-match match over random
// text made of the catalog's own example-like pieces begins with a prefix
// match that ends within max_width.
TEST(BoundedPrefix, EveryMatchOfACatalogPatternStartsWithItsPrefix) {
  const std::shared_ptr<const Analyzer>& a = CatalogAnalyzer();
  ASSERT_NE(a, nullptr);
  const auto& im = a->impl();
  const std::vector<std::string> pieces = {
      "password = ",  "api_key: ",  "token=",     " -u ",       "--user ",   "authorization: Bearer ",
      "aws_secret",   "x7Kq9Lm2Pz", "abcdEFGH12", " ",          "\n",        "\"",
      "'",            ":",          "=",          ",",          "-----BEGIN RSA PRIVATE KEY-----\n",
      "MIIEow",       "-----END RSA PRIVATE KEY-----", "Document No: ", "AB-1234/56", "diagnosed with ",
      "cancer",       "12 Rue de la Paix", "Hauptstrasse 5", "DE89 3704 0044 0532 0130 00",
      "the weather is fine", "."};
  std::mt19937 rng(17);
  int checked = 0, matches = 0;
  for (const scan::Pattern& p : im.prefilter_patterns) {
    if (p.id >= im.patterns.size() || LocatorReach(im, p.id) <= kNarrowReach) continue;
    auto prefix = BoundedPrefix(p, kNarrowReach);
    if (!prefix) continue;
    ++checked;
    auto whole = CompileAlone(p.expression, p.flags);
    auto pre = CompileAlone(prefix->expression, p.flags);
    ASSERT_TRUE(whole.ok() && pre.ok()) << p.expression;
    scan::Scanner ws(*whole), ps(*pre);
    for (int round = 0; round < 60; ++round) {
      const std::string text = RandomText(rng, pieces, 40);
      std::vector<scan::Match> starts;
      ASSERT_TRUE(ws.Scan(text, [&](const scan::Match& m) { starts.push_back(m); return true; }).ok());
      for (const scan::Match& m : starts) {
        ++matches;
        // A prefix match from the same start (scanned in the whole text: a
        // \b or ^ at the start reads the byte before it), at most max_width long.
        bool found = false;
        ASSERT_TRUE(ps.Scan(text, [&](const scan::Match& q) {
                        if (q.from == m.from && q.to - q.from <= prefix->max_width) found = true;
                        return true;
                      }).ok());
        EXPECT_TRUE(found) << p.expression << " at " << m.from << " in: " << text;
      }
    }
  }
  EXPECT_GT(checked, 10);
  EXPECT_GT(matches, 100);
}

TEST(HeadAndTail, TheLongestBoundedTail) {
  auto t = HeadAndTail({R"(\b[A-Z][a-z]+(?:weg|gasse)\s[0-9]{1,4})", 0, 0}, 64);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->head, R"(\b[A-Z][a-z]+)");
  EXPECT_EQ(t->max_width, 10u);
  auto f = HeadAndTail({R"((?m)^[a-z]+:[0-9]{2})", 0, 0}, 64);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->head, R"((?m)^[a-z]+)");
  EXPECT_EQ(f->max_width, 3u);
  // An unbounded item late in the pattern moves the cut after it.
  auto g = HeadAndTail({R"(\w+:\s*\d{2})", 0, 0}, 64);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->head, R"(\w+:\s*)");
  EXPECT_FALSE(HeadAndTail({"a+b+", 0, 0}, 64).has_value());        // no bounded tail
  EXPECT_FALSE(HeadAndTail({"x[0-9]{80}", 0, 0}, 64).has_value());  // tail over the limit
  EXPECT_FALSE(HeadAndTail({"ab|cd", 0, 0}, 64).has_value());       // a top-level alternation
}

TEST(HeadAndTail, EveryMatchOfACatalogPatternIsAHeadRunAndATail) {
  const std::shared_ptr<const Analyzer>& a = CatalogAnalyzer();
  ASSERT_NE(a, nullptr);
  const auto& im = a->impl();
  const std::vector<std::string> pieces = {
      "Hauptstraße 5", "Lindenweg 12a", "Am Markt 3", "Gartenstr. 7-9", "Document No: ", "AB-1234/56",
      "CONFIDENTIAL", "Ref: ", "aws_secret_access_key = ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "x7Kq9Lm2Pz+/", " ", "\n", "\"", ":", "=", ",", "the weather is fine", ".", "Berlin", "-"};
  std::mt19937 rng(29);
  int checked = 0, matches = 0;
  for (const scan::Pattern& p : im.prefilter_patterns) {
    if (p.id >= im.patterns.size() || LocatorReach(im, p.id) <= kNarrowReach) continue;
    auto cut = HeadAndTail(p, kNarrowReach);
    if (!cut) continue;
    const Detector& d = im.catalog.detectors()[im.patterns[p.id].detector];
    const std::bitset<256> head = PatternAlphabet(cut->head, d.caseless, d.utf8);
    if (head[' ']) continue;  // not used by the stream
    ++checked;
    auto whole = CompileAlone(p.expression, p.flags);
    ASSERT_TRUE(whole.ok()) << p.expression;
    scan::Scanner ws(*whole);
    for (int round = 0; round < 40; ++round) {
      const std::string text = RandomText(rng, pieces, 30);
      ASSERT_TRUE(ws.Scan(text, [&](const scan::Match& m) {
                      ++matches;
                      // Every byte before the last max_width is a head byte.
                      for (std::uint64_t q = m.from; q + cut->max_width < m.to; ++q) {
                        EXPECT_TRUE(head[static_cast<unsigned char>(text[q])])
                            << p.expression << ": byte " << q << " of [" << m.from << ", " << m.to << ") in: " << text;
                      }
                      return true;
                    }).ok());
    }
  }
  EXPECT_GE(checked, 2);
  EXPECT_GT(matches, 100);
}

}  // namespace
}  // namespace airlock::detect::internal
