#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "airlock/scan/scan.h"

namespace airlock::scan {
namespace {

std::vector<Match> ScanAll(const Scanner& s, std::string_view text) {
  std::vector<Match> out;
  Status st = s.Scan(text, [&](const Match& m) {
    out.push_back(m);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(Database, CompileErrorNamesThePattern) {
  auto db = Database::Compile({{"ok", 1, kNone}, {"(unclosed", 42, kNone}},
                              Database::Mode::kBlock);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("pattern #1 (id 42)"), std::string::npos)
      << db.status().message();
}

TEST(Database, EmptyPatternListIsAnError) {
  EXPECT_FALSE(Database::Compile({}, Database::Mode::kBlock).ok());
}

TEST(Scanner, ReportsStartOfMatch) {
  auto db = Database::Compile({{"\\bfoo\\d+\\b", 7, kNone}, {"bar", 9, kCaseless}},
                              Database::Mode::kBlock);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Scanner scanner(*db);
  auto m = ScanAll(scanner, "xx foo123 BAR");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].id, 7u);
  EXPECT_EQ(m[0].from, 3u);
  EXPECT_EQ(m[0].to, 9u);
  EXPECT_EQ(m[1].id, 9u);
  EXPECT_EQ(m[1].from, 10u);
  EXPECT_EQ(m[1].to, 13u);
}

TEST(Scanner, StopsWhenCallbackReturnsFalse) {
  auto db = Database::Compile({{"a", 1, kNone}}, Database::Mode::kBlock);
  ASSERT_TRUE(db.ok());
  Scanner scanner(*db);
  int n = 0;
  ASSERT_TRUE(scanner.Scan("aaaa", [&](const Match&) { return ++n < 2; }).ok());
  EXPECT_EQ(n, 2);
}

TEST(Scanner, ModeMismatchIsAnError) {
  auto db = Database::Compile({{"a", 1, kNone}}, Database::Mode::kStream);
  ASSERT_TRUE(db.ok());
  Scanner scanner(*db);
  EXPECT_FALSE(scanner.Scan("a", [](const Match&) { return true; }).ok());
}

TEST(Stream, FindsMatchesAcrossChunkBoundaries) {
  auto db = Database::Compile({{"DE\\d{2}(?: ?\\d{4}){4} ?\\d{2}", 3, kNone}},
                              Database::Mode::kStream);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Scanner scanner(*db);
  auto stream = scanner.OpenStream();
  ASSERT_TRUE(stream.ok());
  std::vector<Match> got;
  auto cb = [&](const Match& m) {
    got.push_back(m);
    return true;
  };
  const std::string text = "pay to DE89 3704 0044 0532 0130 00 today";
  // Feed one byte at a time: the worst case for boundaries.
  for (char c : text) ASSERT_TRUE((*stream)->Write(std::string_view(&c, 1), cb).ok());
  ASSERT_TRUE((*stream)->Close(cb).ok());
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().from, 7u);
  EXPECT_EQ(got.back().to, 34u);
  EXPECT_EQ((*stream)->bytes_written(), text.size());
}

TEST(Database, SerialiseRoundTrip) {
  auto db = Database::Compile({{"needle", 5, kNone}}, Database::Mode::kBlock);
  ASSERT_TRUE(db.ok());
  auto bytes = (*db)->Serialize();
  ASSERT_TRUE(bytes.ok());
  auto back = Database::Deserialize(*bytes, Database::Mode::kBlock);
  ASSERT_TRUE(back.ok());
  Scanner scanner(*back);
  EXPECT_EQ(ScanAll(scanner, "a needle here").size(), 1u);
  std::string damaged = *bytes;
  damaged[damaged.size() / 2] ^= 0x5A;
  damaged.resize(damaged.size() / 3);
  EXPECT_FALSE(Database::Deserialize(damaged, Database::Mode::kBlock).ok());
}

TEST(ScratchPool, ConcurrentLeasesAreDistinct) {
  auto db = Database::Compile({{"x", 1, kNone}}, Database::Mode::kBlock);
  ASSERT_TRUE(db.ok());
  ScratchPool pool(*db);
  auto a = pool.Acquire();
  auto b = pool.Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->get(), b->get());
}

}  // namespace
}  // namespace airlock::scan

namespace airlock::scan {
namespace {

TEST(Database, Utf8ModeKeepsWordBoundariesAndFoldsCase) {
  auto db = Database::Compile({{"\\bstreng vertraulich\\b", 1, kUtf8 | kCaseless},
                               {"\\bgeb\\x{00FC}hr\\b", 2, kUtf8 | kCaseless}},
                              Database::Mode::kBlock);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Scanner scanner(*db);
  auto m = ScanAll(scanner, "STRENG VERTRAULICH: GEB\xC3\x9CHR");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].from, 20u);
  EXPECT_EQ(m[1].to, 27u);
}

}  // namespace
}  // namespace airlock::scan
