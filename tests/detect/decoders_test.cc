#include "airlock/detect/decoders.h"

#include <gtest/gtest.h>

#include <random>

#include "airlock/core/bytes.h"

namespace airlock::detect {
namespace {

std::string Base64(std::string_view in, bool url) { return Base64Encode(in, url); }
std::string HexOf(std::string_view in) { return HexEncode(in); }

std::vector<EncodedSegment> Find(std::string_view text) {
  std::size_t budget = 1 << 20;
  return FindEncodedSegments(text, &budget);
}

TEST(Decoders, Base64StandardAndUrlSafe) {
  const std::string secret = "my card is 4111 1111 1111 1111 ~~~~~";
  const std::string std64 = Base64(secret, false);
  const std::string url64 = Base64(secret, true);
  ASSERT_NE(std64, url64);  // "~~~" encodes with a + or -
  const std::string text = "a: " + std64 + "\nb: " + url64 + "\n";
  auto segs = Find(text);
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[0].encoding, "base64");
  EXPECT_EQ(segs[0].decoded, secret);
  EXPECT_EQ(segs[0].span, (ByteSpan{3, 3 + std64.size()}));
  EXPECT_EQ(segs[1].encoding, "base64url");
  EXPECT_EQ(segs[1].decoded, secret);
  // Decoded byte 11 ('4') is the last byte of group 3: base64 chars 12..15.
  EXPECT_EQ(MapSpan(segs[0].map, {11, 12}), (ByteSpan{3 + 12, 3 + 16}));
}

TEST(Decoders, MimeWrappedBase64) {
  std::string secret;
  for (int i = 0; i < 6; ++i) secret += "Contact jane.doe@example.com about IBAN DE89370400440532013000. ";
  std::string b64 = Base64(secret, false);
  std::string wrapped;
  for (std::size_t i = 0; i < b64.size(); i += 76) wrapped += b64.substr(i, 76) + "\r\n";
  auto segs = Find("body:\r\n" + wrapped);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segs[0].decoded, secret);
}

TEST(Decoders, Hex) {
  const std::string secret = "DE89370400440532013000";
  auto segs = Find("payload=" + HexOf(secret) + " and 0x" + HexOf("jane@example.com"));
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[0].encoding, "hex");
  EXPECT_EQ(segs[0].decoded, secret);
  EXPECT_EQ(segs[0].span, (ByteSpan{8, 8 + 2 * secret.size()}));
  EXPECT_EQ(MapSpan(segs[0].map, {1, 2}), (ByteSpan{10, 12}));
  EXPECT_EQ(segs[1].decoded, "jane@example.com");
}

TEST(Decoders, QuotedPrintable) {
  const std::string text =
      "Subject: hi\n\nCard=3A 4111=201111=20=\n1111=201111 gr=C3=BC=C3=9Fe\nBye\n";
  auto segs = Find(text);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segs[0].encoding, "qp");
  EXPECT_EQ(segs[0].decoded, "Card: 4111 1111 1111 1111 gr\u00FC\u00DFe\n");
  EXPECT_EQ(text.substr(segs[0].span.begin, segs[0].span.size()),
            "Card=3A 4111=201111=20=\n1111=201111 gr=C3=BC=C3=9Fe\n");
}

TEST(Decoders, Base64PaddingIsNoQuotedPrintableSoftBreak) {
  // A quoted-printable line next to a base64 line that ends in padding: the
  // base64 line stays out of the QP block, so its value is "base64" only.
  const std::string b64 = Base64("mail jane.doe@example.com now", false);
  ASSERT_EQ(b64.back(), '=');
  const std::string text = "gr=C3=BC=C3=9Fe aus K=C3=B6ln\ndata: " + b64 + "\nend\n";
  auto segs = Find(text);
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[0].encoding, "qp");
  EXPECT_EQ(segs[0].decoded, "gr\u00FC\u00DFe aus K\u00F6ln\n");
  EXPECT_EQ(segs[1].encoding, "base64");
}

TEST(Decoders, BenignLookAlikesDecodeToNothing) {
  // A PNG thumbnail: the signature, an IHDR chunk and compressed noise.
  std::mt19937 rng(3);
  std::string png = "\x89PNG\r\n\x1a\n";
  png += std::string("\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0", 21);
  for (int i = 0; i < 300; ++i) png += static_cast<char>(rng() & 0xFF);
  std::string key;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(rng() & 0xFF);
  const std::string text =
      "<img src=\"data:image/png;base64," + Base64(png, false) + "\">\n" +
      "id 550e8400-e29b-41d4-a716-446655440000, commit 3f786850e387550fdab836ed7e6dc881de23001b,\n"
      "colour #ff8800 and #FFFFFF, key " + Base64(key, false) + " hex key " + HexOf(key) + "\n"
      "Internationalisation Bundesdatenschutzgesetz ReallyLongCamelCaseIdentifierName\n"
      "https://example.com/search?q=a%20b&lang=en x=AB y=0F\n";
  EXPECT_TRUE(Find(text).empty());
}

TEST(Decoders, BudgetStopsDecoding) {
  const std::string b64 = Base64("Contact jane.doe@example.com today please", false);
  std::size_t budget = 10;
  EXPECT_TRUE(FindEncodedSegments(b64 + " " + b64, &budget).empty());
  budget = b64.size() + 5;
  auto segs = FindEncodedSegments(b64 + " " + b64, &budget);
  EXPECT_EQ(segs.size(), 1u);
}

TEST(Decoders, LooksLikeText) {
  EXPECT_TRUE(LooksLikeText("hello, world"));
  EXPECT_TRUE(LooksLikeText("gr\u00FC\u00DFe aus K\u00F6ln"));
  EXPECT_FALSE(LooksLikeText("short"));
  EXPECT_FALSE(LooksLikeText(std::string("abc\x01\x02\x03\x04\x05\x06", 9)));
  EXPECT_FALSE(LooksLikeText("abcdefgh\xFF"));
}

}  // namespace
}  // namespace airlock::detect
