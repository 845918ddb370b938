// PatternAlphabet: the bytes a pattern's matches can contain. The analyzer
// leaves out candidates on the strength of it, so the property that matters
// is that no match ever holds a byte outside the set: checked against
// vectorscan's own start-of-match scans of every located catalog pattern.
#include "internal/pattern_alphabet.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "internal/analyzer_impl.h"

namespace airlock::detect {
namespace {

using internal::PatternAlphabet;

std::string Members(const std::bitset<256>& s) {
  std::string out;
  for (unsigned c = 0; c < 256; ++c)
    if (s[c]) out += static_cast<char>(c);
  return out;
}

TEST(PatternAlphabet, LiteralsClassesAndEscapes) {
  EXPECT_EQ(Members(PatternAlphabet("ab+c", false, false)), "abc");
  EXPECT_EQ(Members(PatternAlphabet("[0-3]{2,4}", false, false)), "0123");
  EXPECT_EQ(Members(PatternAlphabet("\\b0[0-9]{1,4}(?:[ .\\-/][0-9]{2,8})+\\b", false, false)), " -./0123456789");
  EXPECT_EQ(Members(PatternAlphabet("\\d\\.", false, false)), ".0123456789");
  EXPECT_EQ(Members(PatternAlphabet("\\x41\\t", false, false)), "\tA");
  EXPECT_EQ(Members(PatternAlphabet("[\\]a]", false, false)), "]a");
  EXPECT_EQ(Members(PatternAlphabet("[a-c\\-]", false, false)), "-abc");
  EXPECT_EQ(Members(PatternAlphabet("x{2}y{1,}z{a}", false, false)), "axyz{}");
  // \s and \w
  EXPECT_TRUE(PatternAlphabet("\\s", false, false)['\n']);
  EXPECT_TRUE(PatternAlphabet("\\w", false, false)['_']);
  EXPECT_FALSE(PatternAlphabet("\\w", false, false)['-']);
}

TEST(PatternAlphabet, CaselessAddsTheOtherCase) {
  EXPECT_EQ(Members(PatternAlphabet("[A-C]1", true, false)), "1ABCabc");
  EXPECT_EQ(Members(PatternAlphabet("(?i)ab", false, false)), "ABab");
  EXPECT_EQ(Members(PatternAlphabet("(?i:x)", false, false)), "Xx");
}

// A negated class: every byte but its members, every byte >= 0x80 (parts
// of code points), and \v even after \s (dialects disagree on it).
TEST(PatternAlphabet, NegatedClassesAreTheOtherBytes) {
  const std::bitset<256> a = PatternAlphabet("x[^\\s<>\"]+", false, false);
  EXPECT_FALSE(a[' ']);
  EXPECT_FALSE(a['\n']);
  EXPECT_FALSE(a['<']);
  EXPECT_FALSE(a['"']);
  EXPECT_TRUE(a['\v']);
  EXPECT_TRUE(a['x']);
  EXPECT_TRUE(a['a']);
  EXPECT_TRUE(a[0x80]);
  EXPECT_TRUE(a[0xff]);
  EXPECT_EQ(a.count(), 256u - 8u);  // out: space, \t, \n, \r, \f, '<', '>', '"'
  const std::bitset<256> d = PatternAlphabet("[^0-9a-f]", true, true);
  EXPECT_TRUE(d['A']);  // caseless: the other case of a letter a member excludes comes back
  EXPECT_TRUE(d['g']);
  EXPECT_FALSE(d['5']);
}

TEST(PatternAlphabet, UnknownSyntaxMeansEveryByte) {
  for (const char* p : {"a.b", "[^\\pL]", "[^\\x80]", "\\W", "\\D", "\\S", "(?=a)b", "(a)\\1", "\\p{L}", "[[:alpha:]]", "\\x{41}",
                        "[a"}) {
    EXPECT_TRUE(PatternAlphabet(p, false, false).all()) << p;
  }
  // Non-ASCII in a UTF-8 class is code points, not bytes; caseless
  // non-ASCII letters have other byte sequences.
  EXPECT_TRUE(PatternAlphabet("[\xC3\xA4-\xC3\xB6]", false, true).all());
  EXPECT_TRUE(PatternAlphabet("\xC3\xA4", true, true).all());
  EXPECT_EQ(Members(PatternAlphabet("\xC3\xA4", false, true)), "\xA4\xC3");
}

// Every byte of every match of every located catalog pattern is in its
// alphabet, over random text made of the characters identifiers use and
// arbitrary bytes.
TEST(PatternAlphabet, HoldsEveryMatchOfTheCatalog) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("airlock_alphabet_test_" + std::to_string(::getpid()));
  auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
  ASSERT_TRUE(c.ok());
  AnalyzerOptions o;
  o.cache_dir = dir.string();
  auto a = Analyzer::Create(std::move(*c), o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const Analyzer::Impl& im = (*a)->impl();
  const std::vector<std::string> pieces = {
      "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "+49 (0)30 1234-5678", "0044 20 7946 0958",
      "4111-1111-1111-1111", "DE 123 456 789", "max.mustermann@example.com", "Herr Dr. Max Mustermann",
      "AKIAIOSFODNN7EXAMPLE", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "password=hunter2",
      "postgres://u:p@host:5432/db", "192.168.0.1", "2001:db8::1", "12.03.1985", "SW1A 1AA", "ext. 12", "#"};
  std::mt19937 rng(7);
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    switch (rng() % 4) {
      case 0: text += static_cast<char>(rng() % 256); break;
      case 1: text += static_cast<char>("0123456789 .-/+()"[rng() % 17]); break;
      case 2: text += static_cast<char>('A' + rng() % 26); break;
      default: text += pieces[rng() % pieces.size()]; break;
    }
  }
  std::size_t checked = 0;
  for (unsigned pid = 0; pid < im.patterns.size(); ++pid) {
    if (im.locators[pid] == nullptr) continue;
    Status s = im.locators[pid]->Scan(text, [&](const scan::Match& m) {
      for (std::uint64_t k = m.from; k < m.to; ++k) {
        EXPECT_TRUE(im.alphabets[pid][static_cast<unsigned char>(text[k])])
            << "pattern " << pid << " (" << im.catalog.detectors()[im.patterns[pid].detector].id << ") byte "
            << static_cast<int>(static_cast<unsigned char>(text[k]));
      }
      ++checked;
      return true;
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_GT(checked, 1000u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace airlock::detect
