#include "airlock/backend/local/stop_filter.h"

#include <gtest/gtest.h>

namespace airlock::backend::local {
namespace {

std::string Feed(StopFilter& f, const std::vector<std::string>& pieces, bool* stopped) {
  std::string out;
  for (const auto& p : pieces) {
    out += f.Push(p, stopped);
    if (*stopped) return out;
  }
  return out + f.Flush();
}

TEST(StopFilterTest, PassesTextWithoutStops) {
  StopFilter f;
  bool stopped = false;
  EXPECT_EQ(f.Push("hello", &stopped), "hello");
  EXPECT_FALSE(stopped);
}

TEST(StopFilterTest, HoldsBackAPossibleStopPrefix) {
  StopFilter f({"END"});
  bool stopped = false;
  EXPECT_EQ(f.Push("abcE", &stopped), "abc");
  EXPECT_EQ(f.Push("N", &stopped), "");
  EXPECT_EQ(f.Push("x", &stopped), "ENx");  // not a stop after all
  EXPECT_FALSE(stopped);
}

TEST(StopFilterTest, StopAcrossPiecesDropsItAndTheRest) {
  StopFilter f({"###", "END"});
  bool stopped = false;
  EXPECT_EQ(Feed(f, {"one E", "N", "D two"}, &stopped), "one ");
  EXPECT_TRUE(stopped);
  StopFilter g({"###", "END"});
  EXPECT_EQ(Feed(g, {"a#", "#", "#b"}, &stopped), "a");
  EXPECT_TRUE(stopped);
}

TEST(StopFilterTest, EarliestStopWins) {
  StopFilter f({"cd", "b"});
  bool stopped = false;
  EXPECT_EQ(f.Push("abcd", &stopped), "a");
  EXPECT_TRUE(stopped);
}

TEST(StopFilterTest, FlushReleasesHeldText) {
  StopFilter f({"END"});
  bool stopped = false;
  EXPECT_EQ(f.Push("xyEN", &stopped), "xy");
  EXPECT_EQ(f.Flush(), "EN");
}

TEST(StopFilterTest, IncompleteUtf8IsHeldUntilComplete) {
  StopFilter f;
  bool stopped = false;
  const std::string euro = "\xE2\x82\xAC";
  EXPECT_EQ(f.Push("a\xE2", &stopped), "a");
  EXPECT_EQ(f.Push("\x82", &stopped), "");
  EXPECT_EQ(f.Push("\xAC!", &stopped), euro + "!");
}

}  // namespace
}  // namespace airlock::backend::local
