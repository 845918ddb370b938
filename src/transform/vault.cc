#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "airlock/core/bytes.h"
#include "airlock/core/crypto.h"
#include "airlock/transform/transform.h"

namespace airlock::transform {

namespace {

constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kNonceBytes = 12;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Serialised mapping: records of (u32 length, bytes) for type, value,
// surrogate; counters are recomputed from surrogates.
void PutField(std::string* out, std::string_view s) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  out->append(reinterpret_cast<const char*>(&n), sizeof n);
  out->append(s);
}
bool GetField(std::string_view* in, std::string_view* s) {
  uint32_t n = 0;
  if (in->size() < sizeof n) return false;
  std::memcpy(&n, in->data(), sizeof n);
  in->remove_prefix(sizeof n);
  if (in->size() < n) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

// The mapping as (type, value, surrogate) records.
std::string SerializeMapping(const Mapping& m) {
  std::string plain;
  for (const auto& [k, surrogate] : m.surrogate_of) {
    const auto nul = k.find('\0');
    PutField(&plain, std::string_view(k).substr(0, nul));
    PutField(&plain, std::string_view(k).substr(nul + 1));
    PutField(&plain, surrogate);
  }
  return plain;
}

Status ParseMapping(std::string_view in, Mapping* out) {
  std::string_view type, value, surrogate;
  while (!in.empty()) {
    if (!GetField(&in, &type) || !GetField(&in, &value) || !GetField(&in, &surrogate))
      return Status::Corruption("vault entry is malformed");
    std::string k(type);
    k.push_back('\0');
    k.append(value);
    out->surrogate_of[k] = std::string(surrogate);
    out->value_of[std::string(surrogate)] = std::string(value);
    // "<TYPE_n>": keep the highest n per type.
    const auto us = surrogate.rfind('_');
    if (us != std::string_view::npos && surrogate.size() > us + 2) {
      unsigned n = static_cast<unsigned>(std::strtoul(std::string(surrogate.substr(us + 1)).c_str(), nullptr, 10));
      unsigned& c = out->counters[std::string(type)];
      if (n > c) c = n;
    }
  }
  return Status::Ok();
}

Result<std::string> RandomNonce() {
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1)
    return Status::Internal("RAND_bytes failed");
  return nonce;
}

Result<std::string> DecodeKey(std::string_view key) {
  if (key.size() == 32) return std::string(key);
  if (key.size() == 64) {
    auto raw = HexDecode(key);
    if (!raw.has_value()) return Status::InvalidArgument("vault key: 64 characters but not hex");
    return std::move(*raw);
  }
  return Status::InvalidArgument("vault key must be 32 raw bytes or 64 hex digits (it has " +
                                 std::to_string(key.size()) + " bytes)");
}

}  // namespace

const std::string& Mapping::Surrogate(std::string_view entity_type, std::string_view value) {
  std::string k(entity_type);
  k.push_back('\0');
  k.append(value);
  auto it = surrogate_of.find(k);
  if (it != surrogate_of.end()) return it->second;
  const unsigned n = ++counters[std::string(entity_type)];
  std::string s = "<" + std::string(entity_type) + "_" + std::to_string(n) + ">";
  value_of[s] = std::string(value);
  return surrogate_of.emplace(std::move(k), std::move(s)).first->second;
}

Result<std::string> Seal(std::string_view key, std::string_view nonce, std::string_view aad,
                         std::string_view plaintext) {
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status::Internal("EVP_CIPHER_CTX_new failed");
  std::string out(plaintext.size() + kTagBytes, '\0');
  int len = 0, total = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o, &len, U(plaintext), static_cast<int>(plaintext.size())) != 1)
    return Status::Internal("AES-256-GCM encryption failed");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), o + total, &len) != 1) return Status::Internal("AES-256-GCM final failed");
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, o + total) != 1)
    return Status::Internal("AES-256-GCM tag failed");
  out.resize(total + kTagBytes);
  return out;
}

Result<std::string> Open(std::string_view key, std::string_view nonce, std::string_view aad,
                         std::string_view sealed) {
  if (sealed.size() < kTagBytes) return Status::Corruption("vault entry too short");
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status::Internal("EVP_CIPHER_CTX_new failed");
  const std::size_t n = sealed.size() - kTagBytes;
  std::string out(n, '\0');
  int len = 0, total = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::string tag(sealed.substr(n));
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), o, &len, U(sealed), static_cast<int>(n)) != 1)
    return Status::Internal("AES-256-GCM decryption failed");
  total = len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), o + total, &len) != 1)
    return Status::Corruption("vault entry failed authentication");
  out.resize(total + len);
  return out;
}

Result<std::unique_ptr<Vault>> Vault::Create(std::string_view key, std::chrono::seconds ttl) {
  auto raw = DecodeKey(key);
  if (!raw.ok()) return raw.status();
  return std::unique_ptr<Vault>(new Vault(std::move(*raw), ttl));
}

Vault::Vault(std::string key, std::chrono::seconds ttl) : key_(std::move(key)), ttl_(ttl) {}

Vault::~Vault() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

Status Vault::OpenLocked(std::string_view conversation, Mapping* out) {
  const auto now = Clock::now();
  if (++ops_ % 256 == 0) SweepLocked(now);
  const std::string id = Sha256(conversation);
  auto it = entries_.find(id);
  if (it == entries_.end()) return Status::Ok();
  if (it->second.expires <= now) {
    entries_.erase(it);
    return Status::Ok();
  }
  auto plain = Open(key_, it->second.nonce, id, it->second.ciphertext);
  if (!plain.ok()) return plain.status();
  Status st = ParseMapping(*plain, out);
  OPENSSL_cleanse(plain->data(), plain->size());
  return st;
}

Status Vault::SealLocked(std::string_view conversation, const Mapping& m) {
  Sealed s;
  auto nonce = RandomNonce();
  if (!nonce.ok()) return nonce.status();
  s.nonce = std::move(*nonce);
  std::string plain = SerializeMapping(m);
  const std::string id = Sha256(conversation);
  auto ct = Seal(key_, s.nonce, id, plain);
  OPENSSL_cleanse(plain.data(), plain.size());
  if (!ct.ok()) return ct.status();
  s.ciphertext = std::move(*ct);
  s.expires = Clock::now() + ttl_;
  entries_[id] = std::move(s);
  return Status::Ok();
}

void Vault::SweepLocked(Clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.expires <= now) it = entries_.erase(it);
    else ++it;
  }
}

Result<Mapping> Vault::Read(std::string_view conversation) {
  std::lock_guard<std::mutex> lock(mu_);
  Mapping m;
  if (Status s = OpenLocked(conversation, &m); !s.ok()) return s;
  return m;
}

std::size_t Vault::size() {
  std::lock_guard<std::mutex> lock(mu_);
  SweepLocked(Clock::now());
  return entries_.size();
}

// ---- MappingFile ----------------------------------------------------------------

namespace {

// First format: magic, sealed key check, entries. Second: magic, sealed
// manifest (key check, file id, generation, digest of the entry bytes),
// entries.
constexpr std::string_view kFileMagicV1 = "AIRLOCK-MAPPINGS-1\n";
constexpr std::string_view kFileMagic = "AIRLOCK-MAPPINGS-2\n";
constexpr std::string_view kKeyCheck = "airlock mapping file key check";
constexpr std::string_view kKeyCheckAad = "key-check";
constexpr std::string_view kManifestAad = "manifest";
constexpr std::size_t kFileIdBytes = 16;

std::string Manifest(std::string_view file_id, std::uint64_t generation, std::string_view entries) {
  std::string m(kKeyCheck);
  PutField(&m, file_id);
  PutField(&m, std::to_string(generation));
  PutField(&m, Sha256(entries));
  return m;
}

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

}  // namespace

MappingFile::~MappingFile() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

Result<MappingFile> MappingFile::Open(const std::string& path, std::string_view key,
                                      MappingGenerationLedger* ledger) {
  auto raw = DecodeKey(key);
  if (!raw.ok()) return raw.status();
  MappingFile f;
  f.path_ = path;
  f.key_ = std::move(*raw);
  f.ledger_ = ledger;
  std::optional<MappingGenerationLedger::Record> rec;
  if (ledger != nullptr) {
    auto r = ledger->Get(AbsolutePath(path));
    if (!r.ok()) return Status(r.status()).WithContext("mapping generation ledger");
    rec = std::move(*r);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return Status::IoError(path + ": cannot read the mapping file");
    if (rec.has_value()) {
      return Status::Corruption(path + ": the mapping file is missing, but generation " +
                                std::to_string(rec->generation) +
                                " of it was written (restore the newest copy)");
    }
    return f;  // new file
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  std::string_view d(data);
  auto bad = [&](const char* what) { return Status::Corruption(path + ": not a readable mapping file (" + what + ")"); };
  const bool v1 = d.substr(0, kFileMagicV1.size()) == kFileMagicV1;
  if (!v1 && d.substr(0, kFileMagic.size()) != kFileMagic) return bad("wrong magic");
  d.remove_prefix(kFileMagic.size());
  std::string_view nonce, check;
  if (!GetField(&d, &nonce) || !GetField(&d, &check)) return bad("truncated key check");
  auto opened = transform::Open(f.key_, nonce, v1 ? kKeyCheckAad : kManifestAad, check);
  if (!opened.ok())
    return Status::InvalidArgument(path + ": the vault key does not open this mapping file (wrong vault.key?)");
  if (!v1) {
    std::string_view m(*opened);
    std::string_view id, gen, digest;
    if (m.substr(0, kKeyCheck.size()) != kKeyCheck) return bad("bad manifest");
    m.remove_prefix(kKeyCheck.size());
    if (!GetField(&m, &id) || !GetField(&m, &gen) || !GetField(&m, &digest) || id.size() != kFileIdBytes)
      return bad("bad manifest");
    if (Sha256(d) != digest) {
      return Status::Corruption(path + ": the mapping file's entries do not match its manifest "
                                       "(entries removed, replaced or added outside airlock)");
    }
    f.file_id_ = std::string(id);
    f.generation_ = std::strtoull(std::string(gen).c_str(), nullptr, 10);
  }
  if (rec.has_value()) {
    if (f.file_id_ != rec->file_id) {
      return Status::Corruption(path + ": not the mapping file that was last written here (generation " +
                                std::to_string(rec->generation) + " of another file is recorded)");
    }
    if (f.generation_ < rec->generation) {
      return Status::Corruption(path + ": the mapping file was rolled back: it is generation " +
                                std::to_string(f.generation_) + ", generation " +
                                std::to_string(rec->generation) + " was written");
    }
  }
  while (!d.empty()) {
    std::string_view id;
    Sealed e;
    std::string_view n, ct;
    if (!GetField(&d, &id) || id.size() != 32 || !GetField(&d, &n) || !GetField(&d, &ct)) return bad("truncated entry");
    e.nonce = std::string(n);
    e.ciphertext = std::string(ct);
    f.entries_[std::string(id)] = std::move(e);
  }
  return f;
}

Result<Mapping> MappingFile::Read(std::string_view scope) const {
  Mapping m;
  const std::string id = Sha256(scope);
  auto it = entries_.find(id);
  if (it == entries_.end()) return m;
  auto plain = transform::Open(key_, it->second.nonce, id, it->second.ciphertext);
  if (!plain.ok()) return Status::Corruption(path_ + ": a mapping entry failed authentication");
  Status st = ParseMapping(*plain, &m);
  OPENSSL_cleanse(plain->data(), plain->size());
  if (!st.ok()) return Status::Corruption(path_ + ": " + st.message());
  return m;
}

Status MappingFile::Put(std::string_view scope, const Mapping& m) {
  auto nonce = RandomNonce();
  if (!nonce.ok()) return nonce.status();
  const std::string id = Sha256(scope);
  std::string plain = SerializeMapping(m);
  auto ct = Seal(key_, *nonce, id, plain);
  OPENSSL_cleanse(plain.data(), plain.size());
  if (!ct.ok()) return ct.status();
  entries_[id] = {std::move(*nonce), std::move(*ct)};
  return Status::Ok();
}

bool MappingFile::Has(std::string_view scope) const { return entries_.count(Sha256(scope)) > 0; }

bool MappingFile::Forget(std::string_view scope) { return entries_.erase(Sha256(scope)) > 0; }

Status MappingFile::Save() {
  std::string file_id = file_id_;
  if (file_id.empty()) {
    file_id.assign(kFileIdBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(file_id.data()), kFileIdBytes) != 1)
      return Status::Internal("RAND_bytes failed");
  }
  const std::uint64_t generation = generation_ + 1;
  std::string entries;
  for (const auto& [id, e] : entries_) {
    PutField(&entries, id);
    PutField(&entries, e.nonce);
    PutField(&entries, e.ciphertext);
  }
  auto nonce = RandomNonce();
  if (!nonce.ok()) return nonce.status();
  auto manifest = Seal(key_, *nonce, kManifestAad, Manifest(file_id, generation, entries));
  if (!manifest.ok()) return manifest.status();
  std::string data(kFileMagic);
  PutField(&data, *nonce);
  PutField(&data, *manifest);
  data += entries;
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(tmp + ": cannot write the mapping file");
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  const bool ok = off == data.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path_.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IoError(path_ + ": cannot write the mapping file");
  }
  file_id_ = std::move(file_id);
  generation_ = generation;
  if (ledger_ != nullptr) {
    Status st = ledger_->Put(AbsolutePath(path_), {file_id_, generation_});
    if (!st.ok()) return st.WithContext("mapping file written, but its generation was not recorded");
  }
  return Status::Ok();
}

Result<std::unique_ptr<MappingFile::Lock>> MappingFile::LockFile(const std::string& path) {
  const std::string lock = path + ".lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(lock + ": cannot open the lock file");
  if (::flock(fd, LOCK_EX) != 0) {
    ::close(fd);
    return Status::IoError(lock + ": cannot lock");
  }
  return std::make_unique<Lock>(fd);
}

MappingFile::Lock::~Lock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace airlock::transform
