#include <gtest/gtest.h>

#include "airlock/core/bytes.h"

namespace airlock {
namespace {

TEST(Base64Encode, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Encode, UrlSafeAlphabet) {
  EXPECT_EQ(Base64Encode("\xFB\xFF\xBF", false), "+/+/");
  EXPECT_EQ(Base64Encode("\xFB\xFF\xBF", true), "-_-_");
}

}  // namespace
}  // namespace airlock
