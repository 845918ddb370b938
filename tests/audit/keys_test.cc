#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "airlock/audit/fingerprint.h"
#include "airlock/audit/keys.h"

namespace airlock::audit {
namespace {

HmacKey Key(char c = 'k') { return *HmacKey::FromBytes(std::string(32, c)); }

TEST(AuditFingerprint, NormalisesLikeTheDetectors) {
  EXPECT_EQ(Normalise("EMAIL_ADDRESS", "  Alice.Smith@Example.ORG\n"), "alice.smith@example.org");
  EXPECT_EQ(Normalise("IBAN_CODE", "de89 3704 0044 0532 0130 00"), "DE89370400440532013000");
  EXPECT_EQ(Normalise("PHONE_NUMBER", "+49 (30) 901820"), "+4930901820");
  EXPECT_EQ(Normalise("PHONE_NUMBER", "0049 30 901820"), "+4930901820");
  EXPECT_EQ(Normalise("CREDIT_CARD", "4111-1111 1111-1111"), "4111111111111111");
  EXPECT_EQ(Normalise("PERSON", "  Max \t Mustermann "), "Max Mustermann");
}

// The MAC is HMAC-SHA-256(key, entity type || NUL || normalised value), as
// trails written by earlier versions hold it: an investigator's fingerprint
// of a value must match old events and new ones.
TEST(AuditFingerprint, IsHmacOfTypeNulValue) {
  const HmacKey k = Key('q');
  const std::string msg = std::string("IBAN_CODE") + '\0' + "DE89370400440532013000";
  unsigned char want[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), k.bytes().data(), static_cast<int>(k.bytes().size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), want, &len);
  const auto fp = FingerprintValue(k, "IBAN_CODE", "DE89 3704 0044 0532 0130 00");
  EXPECT_EQ(std::memcmp(fp.mac.data(), want, 32), 0);
}

TEST(AuditFingerprint, SameValueSameFingerprintAcrossSpellings) {
  auto a = FingerprintValue(Key(), "IBAN_CODE", "DE89 3704 0044 0532 0130 00");
  auto b = FingerprintValue(Key(), "IBAN_CODE", "DE89370400440532013000");
  EXPECT_EQ(a, b);
  // The entity type is part of the MAC input.
  auto c = FingerprintValue(Key(), "VAT_ID", "DE89370400440532013000");
  EXPECT_NE(a.mac, c.mac);
  // So is the key.
  auto d = FingerprintValue(Key('j'), "IBAN_CODE", "DE89370400440532013000");
  EXPECT_NE(a.mac, d.mac);
}

TEST(AuditKeys, HmacKeyNeeds32Bytes) {
  EXPECT_FALSE(HmacKey::FromBytes("short").ok());
  EXPECT_TRUE(HmacKey::FromBytes(std::string(64, 'a') + "\n").ok());
  ::setenv(kHmacKeyEnv, "0123456789abcdef0123456789abcdef", 1);
  auto k = HmacKey::Load("");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->bytes(), "0123456789abcdef0123456789abcdef");
  ::unsetenv(kHmacKeyEnv);
  EXPECT_FALSE(HmacKey::Load("").ok());
}

TEST(AuditKeys, SignVerifyAndPemRoundTrip) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  auto sig = key->Sign("checkpoint");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 64u);
  EXPECT_TRUE(key->Verify("checkpoint", *sig));
  EXPECT_FALSE(key->Verify("checkpoinT", *sig));
  auto pub = SigningKey::FromPem(*key->PublicPem());
  ASSERT_TRUE(pub.ok());
  EXPECT_FALSE(pub->can_sign());
  EXPECT_TRUE(pub->Verify("checkpoint", *sig));
  EXPECT_EQ(pub->KeyId(), key->KeyId());
  EXPECT_FALSE(pub->Sign("x").ok());
  auto again = SigningKey::FromPem(*key->PrivatePem());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key(), key->public_key());
  EXPECT_FALSE(SigningKey::FromPem("not a key").ok());
}

TEST(AuditKeys, WriteSecretFileIsPrivateAndNeverOverwrites) {
  auto dir =
      std::filesystem::temp_directory_path() / ("airlock-keys-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "k").string();
  ASSERT_TRUE(WriteSecretFile(path, "secret").ok());
  auto perms = std::filesystem::status(path).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_FALSE(WriteSecretFile(path, "other").ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace airlock::audit
