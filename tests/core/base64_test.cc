#include <gtest/gtest.h>

#include <optional>
#include <string>

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

TEST(Base64Decode, Rfc4648VectorsAndRoundTrip) {
  for (const char* v : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(v)), std::optional<std::string>(v)) << v;
  }
  EXPECT_EQ(Base64Decode("Zm9vYg"), std::optional<std::string>("foob"));  // padding left out
  EXPECT_EQ(Base64Decode("Zm9v\r\nYmFy"), std::optional<std::string>("foobar"));  // line breaks
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(Base64Decode(Base64Encode(all)), std::optional<std::string>(all));
}

TEST(Base64Decode, RejectsWhatNoEncoderWrites) {
  EXPECT_FALSE(Base64Decode("Zm9v!").has_value());     // not in the alphabet
  EXPECT_FALSE(Base64Decode("-_-_").has_value());      // URL-safe alphabet
  EXPECT_FALSE(Base64Decode("Zm9vY").has_value());     // one symbol left over
  EXPECT_FALSE(Base64Decode("Zg==Zg==").has_value());  // data after padding
  EXPECT_FALSE(Base64Decode("Zg=").has_value());       // padding to no multiple of 4
  EXPECT_FALSE(Base64Decode("Z===").has_value());
}

}  // namespace
}  // namespace airlock
