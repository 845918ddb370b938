// MayBeCodeLine bounds where a run of code lines may begin in a stream, so
// it must say yes to every line the source_code pattern's line alternative
// matches: checked against vectorscan with that alternative, taken from the
// catalog's own pattern (IsCodeRunPattern must recognise it, or the stream
// falls back to the 1 KiB reach).
#include "internal/code_lines.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "airlock/detect/catalog.h"
#include "airlock/scan/scan.h"
#include "internal/pattern_prefix.h"

namespace airlock::detect::internal {
namespace {

// The pattern, and its flags as the analyzer compiles it (*flags).
std::string SourceCodePattern(unsigned* flags = nullptr) {
  auto c = Catalog::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/source_code.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  for (const Detector& d : c->detectors()) {
    if (d.id == "source_code" && d.patterns.size() == 1) {
      if (flags != nullptr) {
        *flags = (d.caseless ? unsigned{scan::kCaseless} : 0u) | (d.utf8 ? unsigned{scan::kUtf8} : 0u);
      }
      return d.patterns[0];
    }
  }
  ADD_FAILURE() << "no source_code detector with one pattern";
  return "";
}

TEST(CodeLines, TheCatalogPatternIsTheOneTheBoundKnows) {
  const std::string p = SourceCodePattern();
  EXPECT_TRUE(IsCodeRunPattern(p));
  EXPECT_FALSE(IsCodeRunPattern(p + "x"));
  EXPECT_FALSE(IsCodeRunPattern("(?m)^x$"));
}

TEST(CodeLines, Examples) {
  for (const char* yes : {"    return x", "\tgo", "x = 1", "f(a)", "end;", "  ", "# note",
                          "import os", "SELECT *", "key: value", "\"name\": 1", "items,", "- item",
                          "}", "foo \\"}) {
    EXPECT_TRUE(MayBeCodeLine(yes)) << yes;
  }
  for (const char* no : {"Dear Anna", "the weather is fine.", "Thanks!", "", " a", "hello world"}) {
    EXPECT_FALSE(MayBeCodeLine(no)) << no;
  }
  EXPECT_TRUE(IsBlankLine(" \t\r"));
  EXPECT_FALSE(IsBlankLine(" x"));
}

TEST(CodeLines, EveryLineThePatternTakesIsCodeHere) {
  unsigned flags = 0;
  const std::string pattern = SourceCodePattern(&flags);
  auto split = SplitTopLevel(pattern);
  ASSERT_TRUE(split.has_value());
  ASSERT_EQ(split->items.size(), 4u);  // ^ LINE (...){2,} $
  const std::string line_re = "^" + std::string(split->items[1]) + "$";
  auto db = scan::Database::Compile({{line_re, 0, flags}}, scan::Database::Mode::kBlock, false);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  scan::Scanner line(*db);
  const std::vector<std::string> pieces = {
      " ",  "  ", "\t", "\r", "the", "Dear", "import", "from", "end", "Select", "x", "_id",
      "\"", ":", "=", "(", ")", "{", "}", ";", ",", "]", "\\", "#", "/", "*", "@", "<", "-",
      ".", "!", "?", "caf\xC3\xA9", "42", "a.b-c"};
  std::mt19937 rng(23);
  int code = 0, prose = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string l;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < n; ++k) l += pieces[rng() % pieces.size()];
    bool matched = false;
    ASSERT_TRUE(line.Scan(l, [&](const scan::Match&) { matched = true; return false; }).ok());
    if (matched) {
      ++code;
      EXPECT_TRUE(MayBeCodeLine(l)) << "[" << l << "]";
    } else {
      ++prose;
    }
  }
  EXPECT_GT(code, 1000);
  EXPECT_GT(prose, 1000);
}

}  // namespace
}  // namespace airlock::detect::internal
