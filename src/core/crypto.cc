#include "airlock/core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>

#include "airlock/core/bytes.h"

namespace airlock {

std::string Sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest is a one-shot that cannot fail for SHA-256 on valid input
  // short of memory exhaustion, which aborts elsewhere anyway.
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// These calls fail only on allocation failure or a missing default
// provider; either leaves the process unable to do anything useful, and a
// wrong MAC must never be used.
void Check(bool ok) {
  if (!ok) std::abort();
}

// SHA-256 fetched once per process (EVP_sha256() is fetched again by every
// EVP_DigestInit_ex). Never freed: used by any thread until exit.
const EVP_MD* FetchedSha256() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  Check(md != nullptr);
  return md;
}

MdCtx NewCtx() {
  MdCtx c(EVP_MD_CTX_new());
  Check(c != nullptr);
  return c;
}

}  // namespace

struct HmacSha256::States {
  MdCtx inner;  // SHA-256 after (key ^ ipad)
  MdCtx outer;  // SHA-256 after (key ^ opad)
};

HmacSha256::HmacSha256(std::string_view key) {
  constexpr std::size_t kBlock = 64;
  unsigned char k[kBlock] = {};
  if (key.size() > kBlock) {
    const std::string d = Sha256(key);  // RFC 2104: long keys are hashed first
    std::memcpy(k, d.data(), d.size());
  } else {
    std::memcpy(k, key.data(), key.size());
  }
  unsigned char pad[kBlock];
  auto states = std::make_shared<States>();
  states->inner = NewCtx();
  states->outer = NewCtx();
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;
  Check(1 == EVP_DigestInit_ex(states->inner.get(), FetchedSha256(), nullptr));
  Check(1 == EVP_DigestUpdate(states->inner.get(), pad, kBlock));
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;
  Check(1 == EVP_DigestInit_ex(states->outer.get(), FetchedSha256(), nullptr));
  Check(1 == EVP_DigestUpdate(states->outer.get(), pad, kBlock));
  OPENSSL_cleanse(k, sizeof k);
  OPENSSL_cleanse(pad, sizeof pad);
  states_ = std::move(states);
}

std::array<unsigned char, 32> HmacSha256::Mac(std::initializer_list<std::string_view> parts) const {
  thread_local MdCtx work = NewCtx();
  unsigned char inner[32];
  unsigned int len = 0;
  std::array<unsigned char, 32> out{};
  Check(1 == EVP_MD_CTX_copy_ex(work.get(), states_->inner.get()));
  for (std::string_view p : parts) Check(1 == EVP_DigestUpdate(work.get(), p.data(), p.size()));
  Check(1 == EVP_DigestFinal_ex(work.get(), inner, &len));
  Check(1 == EVP_MD_CTX_copy_ex(work.get(), states_->outer.get()));
  Check(1 == EVP_DigestUpdate(work.get(), inner, sizeof inner));
  Check(1 == EVP_DigestFinal_ex(work.get(), out.data(), &len));
  return out;
}

}  // namespace airlock
