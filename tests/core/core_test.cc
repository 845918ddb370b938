#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "airlock/core/bytes.h"
#include "airlock/core/crypto.h"
#include "airlock/core/status.h"

namespace airlock {
namespace {

TEST(Status, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = Status::InvalidArgument("bad thing").WithContext("file.yaml:3");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "file.yaml:3: bad thing");
  EXPECT_EQ(s.ToString(), "invalid argument: file.yaml:3: bad thing");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  Result<int> e = Status::NotFound("x");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Status::Code::kNotFound);
}

TEST(ConstantTimeEquals, ComparesBytes) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(Utf8, FindsFirstInvalidByte) {
  EXPECT_EQ(FirstInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("caf\xc3\xa9"), std::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("x\xed\xa0\x80"), 1u);     // surrogate
  EXPECT_EQ(FirstInvalidUtf8("x\xe2\x82"), 1u);         // truncated
}

TEST(Hex, RoundTripAndBadInput) {
  const std::string bytes("\x00\x7f\x80\xff" "ab", 6);
  EXPECT_EQ(HexEncode(bytes), "007f80ff6162");
  EXPECT_EQ(HexDecode("007f80ff6162"), bytes);
  EXPECT_EQ(HexDecode("007F80FF6162"), bytes);
  EXPECT_EQ(HexDecode(""), std::string());
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("0g").has_value());
}

TEST(Crypto, Sha256KnownAnswer) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("").size(), 32u);
}

}  // namespace
}  // namespace airlock

// HmacSha256 against RFC 4231's test vectors (cases 1, 2, 6: a short key,
// a text key, a key longer than the block), against OpenSSL's HMAC() on
// random keys and split messages, and from several threads at once.
namespace airlock {
namespace {

std::string MacHex(const HmacSha256& h, std::initializer_list<std::string_view> parts) {
  const auto m = h.Mac(parts);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(m.data()), m.size()));
}

TEST(HmacSha256Test, Rfc4231Vectors) {
  EXPECT_EQ(MacHex(HmacSha256(std::string(20, '\x0b')), {"Hi There"}),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(MacHex(HmacSha256("Jefe"), {"what do ya want ", "for nothing?"}),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(MacHex(HmacSha256(std::string(131, '\xaa')),
                   {"Test Using Larger Than Block-Size Key - Hash Key First"}),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Test, MatchesOpenSslOnRandomInputs) {
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string key(rng() % 150, '\0'), a(rng() % 200, '\0'), b(rng() % 50, '\0');
    for (auto* s : {&key, &a, &b})
      for (char& c : *s) c = static_cast<char>(rng());
    const std::string msg = a + b;
    unsigned char want[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), want, &len);
    const auto got = HmacSha256(key).Mac({a, b});
    ASSERT_EQ(std::memcmp(got.data(), want, 32), 0) << "case " << i;
  }
}

TEST(HmacSha256Test, ConcurrentMacsAgree) {
  const HmacSha256 h("a key shared by every thread of the gateway");
  const std::string want = MacHex(h, {"DE89 3704 0044 0532 0130 00"});
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i)
        if (MacHex(h, {"DE89 3704 0044 0532 0130 00"}) != want) ++bad;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace airlock
