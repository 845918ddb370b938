// FlatStringSet: the gazetteer's hash set.
#include "internal/flat_set.h"

#include <gtest/gtest.h>

#include <string>

namespace airlock::detect::internal {
namespace {

TEST(FlatStringSet, FindsEveryInsertedWordAndNothingElse) {
  FlatStringSet set;
  EXPECT_FALSE(set.Contains("anna"));  // empty, not built
  for (int i = 0; i < 5000; ++i) set.Insert("w" + std::to_string(i));
  set.Insert("w7");  // a duplicate is kept once
  set.Insert("");    // the empty word is a word too
  set.Build();
  for (int i = 0; i < 5000; ++i) EXPECT_TRUE(set.Contains("w" + std::to_string(i))) << i;
  EXPECT_TRUE(set.Contains(""));
  EXPECT_FALSE(set.Contains("w5000"));
  EXPECT_FALSE(set.Contains("W7"));      // case matters
  EXPECT_FALSE(set.Contains("w7 "));     // so does every byte
  EXPECT_FALSE(set.Contains("w123456"));  // longer than any word
}

}  // namespace
}  // namespace airlock::detect::internal
