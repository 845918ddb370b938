#include <gtest/gtest.h>

#include "airlock/detect/document.h"

namespace airlock::detect {
namespace {

std::string Raw(std::string_view input, const Segment& s, ByteSpan in_seg) {
  ByteSpan r = s.ToInputSpan(in_seg);
  return std::string(input.substr(r.begin, r.size()));
}

TEST(Json, StringsAndNumbersWithPointers) {
  const std::string in = R"({"a": {"b~c/d": "hello"}, "list": [1, "x"], "t": true, "n": null})";
  auto segs = SplitJson(in);
  ASSERT_TRUE(segs.ok()) << segs.status().ToString();
  ASSERT_EQ(segs->size(), 3u);
  EXPECT_EQ((*segs)[0].pointer, "/a/b~0c~1d");
  EXPECT_EQ((*segs)[0].text(), "hello");
  EXPECT_EQ((*segs)[1].pointer, "/list/0");
  EXPECT_EQ((*segs)[1].text(), "1");
  EXPECT_EQ((*segs)[2].pointer, "/list/1");
  EXPECT_EQ(Raw(in, (*segs)[0], {0, 5}), "hello");
}

TEST(Json, EscapesMapBackToInputBytes) {
  const std::string in = R"(["a\u00e9 \"q\" x@y.de\n\ud83d\ude00z"])";
  auto segs = SplitJson(in);
  ASSERT_TRUE(segs.ok()) << segs.status().ToString();
  ASSERT_EQ(segs->size(), 1u);
  const Segment& s = (*segs)[0];
  EXPECT_EQ(s.text(), "a\xc3\xa9 \"q\" x@y.de\n\xf0\x9f\x98\x80z");
  auto pos = s.text().find("x@y.de");
  ASSERT_NE(pos, std::string_view::npos);
  EXPECT_EQ(Raw(in, s, {pos, pos + 6}), "x@y.de");
  // The decoded 'é' maps to the whole \u00e9 escape.
  EXPECT_EQ(Raw(in, s, {1, 3}), "\\u00e9");
  // The emoji maps to the surrogate pair.
  auto emoji = s.text().find("\xf0\x9f");
  EXPECT_EQ(Raw(in, s, {emoji, emoji + 4}), "\\ud83d\\ude00");
}

struct JsonBad {
  const char* input;
  const char* expect;
};
class JsonErrors : public ::testing::TestWithParam<JsonBad> {};
TEST_P(JsonErrors, SayWhere) {
  auto segs = SplitJson(GetParam().input);
  ASSERT_FALSE(segs.ok());
  EXPECT_NE(segs.status().message().find(GetParam().expect), std::string::npos)
      << segs.status().message();
}
INSTANTIATE_TEST_SUITE_P(
    All, JsonErrors,
    ::testing::Values(JsonBad{"", "empty document"}, JsonBad{"{\"a\": }", "line 1, column 7"},
                      JsonBad{"{\"a\": \"x}", "unterminated string"},
                      JsonBad{"{\n\"a\": 1,\n}", "line 3, column 1"},
                      JsonBad{"[1] [2]", "unexpected data after"},
                      JsonBad{"[\"\\x\"]", "invalid escape"},
                      JsonBad{"[\"\\ud800\"]", "unpaired surrogate"},
                      JsonBad{"[01x]", "byte 3"}, JsonBad{"[tru]", "invalid literal"}),
    [](const auto& param_info) { return "case" + std::to_string(param_info.index); });

TEST(Json, DeepNestingIsRejectedNotACrash) {
  std::string deep(100000, '[');
  auto segs = SplitJson(deep);
  ASSERT_FALSE(segs.ok());
  EXPECT_NE(segs.status().message().find("nesting deeper than 512"), std::string::npos);
}

TEST(JsonLines, PointersAndLines) {
  const std::string in = "{\"e\":\"a@b.de\"}\n\n{\"e\":\"c@d.de\"}\r\n";
  auto segs = SplitJsonLines(in);
  ASSERT_TRUE(segs.ok()) << segs.status().ToString();
  ASSERT_EQ(segs->size(), 2u);
  EXPECT_EQ((*segs)[1].line, 3u);
  EXPECT_EQ((*segs)[1].pointer, "/e");
  EXPECT_EQ(Raw(in, (*segs)[1], {0, 6}), "c@d.de");
  auto bad = SplitJsonLines("{\"a\":1}\n{\"a\":\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status().message();
}

TEST(Csv, SalesforceStyleExport) {
  const std::string in =
      "\xEF\xBB\xBF\"Id\",\"Name\",\"Description\"\r\n"
      "\"0035g00000AbCdE\",\"Jane \"\"JJ\"\" Doe\",\"line one\nline two\"\r\n"
      "003X,plain,\r\n";
  auto segs = SplitCsv(in);
  ASSERT_TRUE(segs.ok()) << segs.status().ToString();
  ASSERT_EQ(segs->size(), 5u);  // empty cell skipped
  EXPECT_EQ((*segs)[1].column, "Name");
  EXPECT_EQ((*segs)[1].row, 1u);
  EXPECT_EQ((*segs)[1].text(), "Jane \"JJ\" Doe");
  EXPECT_EQ(Raw(in, (*segs)[1], {10, 13}), "Doe");
  EXPECT_EQ((*segs)[2].text(), "line one\nline two");
  EXPECT_EQ((*segs)[3].row, 2u);
  EXPECT_EQ((*segs)[3].line, 4u);  // the quoted newline moved it down
}

TEST(Csv, ErrorsSayWhere) {
  auto unterminated = SplitCsv("a,b\n\"x,y\n");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_NE(unterminated.status().message().find("opened at line 2 is never closed"),
            std::string::npos)
      << unterminated.status().message();
  auto ragged = SplitCsv("a,b\n1,2\n1,2,3\n");
  ASSERT_FALSE(ragged.ok());
  EXPECT_NE(ragged.status().message().find("line 3: record has 3 fields, the header has 2"),
            std::string::npos)
      << ragged.status().message();
  auto stray = SplitCsv("a,b\nx\"y,2\n");
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("quote inside an unquoted field"), std::string::npos);
  EXPECT_FALSE(SplitCsv("").ok());
}

}  // namespace
}  // namespace airlock::detect
