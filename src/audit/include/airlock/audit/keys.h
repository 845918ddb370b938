// Key material for the trail: the HMAC key that fingerprints detected values
// and the Ed25519 key that signs checkpoints.
//
//   HMAC key: a file (or the AIRLOCK_AUDIT_HMAC_KEY environment variable)
//     holding at least 32 bytes; surrounding whitespace is ignored, so the
//     64 hex characters written by `airlock audit keygen` work as they are.
//   Signing key: an Ed25519 private key in PEM (PKCS#8), as written by
//     `airlock audit keygen` or `openssl genpkey -algorithm ed25519`.
//     Verification needs only the public half (PEM SubjectPublicKeyInfo,
//     `openssl pkey -in key.pem -pubout`), or the private key.
//
// Thread-safety: const methods are safe to call concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "airlock/core/crypto.h"
#include "airlock/core/status.h"

namespace airlock::audit {

inline constexpr const char* kHmacKeyEnv = "AIRLOCK_AUDIT_HMAC_KEY";
inline constexpr std::size_t kMinHmacKeyBytes = 32;

// The secret behind fingerprints. Never printed, never stored in the trail.
class HmacKey {
 public:
  static Result<HmacKey> FromBytes(std::string bytes);
  // Reads `path`; when `path` is empty, reads the environment variable.
  static Result<HmacKey> Load(const std::string& path);
  const std::string& bytes() const { return bytes_; }
  // The same key, ready for many MACs (value fingerprints).
  const HmacSha256& mac() const { return mac_; }

 private:
  explicit HmacKey(std::string b) : bytes_(std::move(b)), mac_(bytes_) {}
  std::string bytes_;
  HmacSha256 mac_;
};

// An Ed25519 key pair or public key. Move-only RAII owner of the EVP_PKEY.
class SigningKey {
 public:
  // A PEM private key (signs and verifies) or public key (verifies only).
  static Result<SigningKey> LoadPem(const std::string& path);
  static Result<SigningKey> FromPem(std::string_view pem);
  static Result<SigningKey> Generate();

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  bool can_sign() const { return has_private_; }
  // 64-byte Ed25519 signature. REQUIRES: can_sign()
  Result<std::string> Sign(std::string_view message) const;
  bool Verify(std::string_view message, std::string_view signature) const;

  const std::string& public_key() const { return public_raw_; }  // 32 bytes
  // First 8 bytes of SHA-256(public key), hex: names the key in checkpoints.
  std::string KeyId() const;
  Result<std::string> PrivatePem() const;  // REQUIRES: can_sign()
  Result<std::string> PublicPem() const;

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  bool has_private_ = false;
  std::string public_raw_;
};

// Writes `bytes` to `path` with mode 0600, refusing to overwrite a file.
Status WriteSecretFile(const std::string& path, std::string_view bytes);

}  // namespace airlock::audit
