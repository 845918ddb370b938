#include "airlock/audit/keys.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "airlock/core/bytes.h"
#include "airlock/core/crypto.h"

namespace airlock::audit {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::string> PemOf(EVP_PKEY* key, bool private_half) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  int ok = private_half
               ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
               : PEM_write_bio_PUBKEY(bio.get(), key);
  if (!ok) return Status::Internal("cannot encode the Ed25519 key as PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

Result<HmacKey> HmacKey::FromBytes(std::string bytes) {
  std::string_view t = Trim(bytes);
  if (t.size() < kMinHmacKeyBytes) {
    return Status::InvalidArgument("fingerprint key: at least 32 bytes needed (have " +
                                   std::to_string(t.size()) + ")");
  }
  return HmacKey(std::string(t));
}

Result<HmacKey> HmacKey::Load(const std::string& path) {
  if (path.empty()) {
    const char* env = std::getenv(kHmacKeyEnv);
    if (env == nullptr || *env == '\0') {
      return Status::InvalidArgument(std::string("fingerprint key: give a key file or set ") +
                                     kHmacKeyEnv);
    }
    auto k = FromBytes(env);
    if (!k.ok()) return k.status().WithContext(kHmacKeyEnv);
    return k;
  }
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  auto k = FromBytes(std::move(*bytes));
  if (!k.ok()) return k.status().WithContext(path);
  return k;
}

struct SigningKey::Impl {
  PkeyPtr key;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

Result<SigningKey> SigningKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  bool has_private = key != nullptr;
  if (!key) {
    bio.reset(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  }
  if (!key) return Status::InvalidArgument("not a PEM private or public key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("not an Ed25519 key");
  }
  std::string raw(32, '\0');
  std::size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(raw.data()), &len) !=
          1 ||
      len != 32) {
    return Status::Internal("cannot read the Ed25519 public key");
  }
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  SigningKey out(std::move(impl));
  out.has_private_ = has_private;
  out.public_raw_ = std::move(raw);
  return out;
}

Result<SigningKey> SigningKey::LoadPem(const std::string& path) {
  auto pem = ReadFile(path);
  if (!pem.ok()) return pem.status();
  auto k = FromPem(*pem);
  if (!k.ok()) return k.status().WithContext(path);
  return k;
}

Result<SigningKey> SigningKey::Generate() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return Status::Internal("cannot generate an Ed25519 key");
  auto pem = PemOf(key.get(), true);
  if (!pem.ok()) return pem.status();
  return FromPem(*pem);
}

Result<std::string> SigningKey::Sign(std::string_view message) const {
  if (!has_private_) return Status::InvalidArgument("the signing key has no private half");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string sig(64, '\0');
  std::size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return Status::Internal("Ed25519 signing failed");
  }
  sig.resize(len);
  return sig;
}

bool SigningKey::Verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != 64) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string SigningKey::KeyId() const { return HexEncode(Sha256(public_raw_).substr(0, 8)); }

Result<std::string> SigningKey::PrivatePem() const {
  if (!has_private_) return Status::InvalidArgument("the signing key has no private half");
  return PemOf(impl_->key.get(), true);
}

Result<std::string> SigningKey::PublicPem() const { return PemOf(impl_->key.get(), false); }

Status WriteSecretFile(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(path + ": cannot create: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::IoError(path + ": write failed: " + std::strerror(errno));
      ::close(fd);
      return s;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::IoError(path + ": cannot flush: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace airlock::audit
