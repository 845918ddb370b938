// Transform: what happens to a detected value before a request leaves, and
// how pseudonyms are turned back into values for the caller.
//
//   Operators   Redact, Mask, Hash, Pseudonymise (through a Vault), applied
//               to spans of a text with ApplyReplacements.
//   Vault       conversation-scoped mapping value <-> surrogate ("<PERSON_1>"),
//               stable across turns, messages and tool-call arguments; kept
//               encrypted (AES-256-GCM, OpenSSL EVP) with a time-to-live.
//   Rehydrate   surrogates in a response become the values again; the
//               streaming form holds back a possible partial surrogate so a
//               surrogate split across SSE chunks is still replaced.
//   Minimise    CRM records (Salesforce sObject JSON with attributes.type)
//               lose the fields a workflow does not need.
//
// Thread-safety: Vault is safe for concurrent use; everything else is a pure
// function or a per-stream object.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "airlock/core/bytes.h"
#include "airlock/core/status.h"

namespace airlock::transform {

// ---- Operators --------------------------------------------------------------

struct Replacement {
  ByteSpan span;
  std::string with;
};
// Replaces each span of `text`. REQUIRES: spans within text, non-overlapping.
std::string ApplyReplacements(std::string_view text, std::vector<Replacement> replacements);

std::string RedactMarker(std::string_view entity_type);  // "[REDACTED:IBAN_CODE]"
// Shape kept, value hidden (detect::MaskedPreview).
std::string Mask(std::string_view value, std::string_view entity_type);
// "[IBAN_CODE:9f2c41d07a1b]": a keyed digest, equal for equal values under one key.
std::string Hash(std::string_view value, std::string_view entity_type, std::string_view key);

// ---- Vault ------------------------------------------------------------------

// One conversation's mapping, decrypted for the length of one request.
struct Mapping {
  std::map<std::string, std::string> surrogate_of;  // type + '\0' + value -> surrogate
  std::map<std::string, std::string> value_of;      // surrogate -> value
  std::map<std::string, unsigned> counters;         // type -> last number used

  // The surrogate for a value, assigning "<TYPE_n>" on first sight.
  const std::string& Surrogate(std::string_view entity_type, std::string_view value);
};

class Vault {
 public:
  using Clock = std::chrono::steady_clock;
  // `key`: 32 raw bytes, or 64 hex digits.
  static Result<std::unique_ptr<Vault>> Create(std::string_view key, std::chrono::seconds ttl);
  ~Vault();

  // Decrypts the conversation's mapping (empty when new or expired), lets
  // `fn` read and extend it, and stores it encrypted again with a renewed
  // time-to-live. Calls for one vault are serialised.
  template <typename Fn>
  Status Update(std::string_view conversation, Fn&& fn) {
    std::lock_guard<std::mutex> lock(mu_);
    Mapping m;
    if (Status s = OpenLocked(conversation, &m); !s.ok()) return s;
    fn(m);
    return SealLocked(conversation, m);
  }
  // A copy of the mapping, for rehydrating a response.
  Result<Mapping> Read(std::string_view conversation);

  std::size_t size();  // live conversations

 private:
  Vault(std::string key, std::chrono::seconds ttl);
  Status OpenLocked(std::string_view conversation, Mapping* out);
  Status SealLocked(std::string_view conversation, const Mapping& m);
  void SweepLocked(Clock::time_point now);

  struct Sealed {
    std::string nonce;
    std::string ciphertext;  // includes the 16-byte tag at the end
    Clock::time_point expires;
  };
  std::string key_;
  std::chrono::seconds ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Sealed> entries_;  // by SHA-256 of the conversation id
  unsigned ops_ = 0;
};

// Mappings kept on disk: `airlock sanitize` pseudonymises a data set with
// the gateway's vault key and keeps each scope's mapping so that an
// authorised operator can re-identify surrogates later (`airlock
// reidentify`). The file holds, per scope, SHA-256(scope) and the mapping
// sealed exactly like a Vault entry (AES-256-GCM under the vault key, the
// scope digest as associated data, a fresh nonce per write), plus a sealed
// key check so that a wrong key fails with a clear error instead of
// starting a second, unreadable mapping. No value, surrogate or scope name
// is stored in the clear; entries do not expire (delete the scope with
// Forget). Writes go to PATH.tmp (mode 0600) and are renamed over PATH.
//
// Not safe for concurrent use by two processes on one file: callers hold
// an exclusive lock (MappingFile::Lock) for the whole read-modify-write.
//
// Rollback: every Save writes a sealed manifest (the file's random id, a
// generation that grows by one per Save, and a digest of all entries), so
// that an entry removed, replaced by an older copy of itself or brought
// back after Forget fails the file's authentication. A whole file put back
// from an older copy is still authentic; it is caught by a
// MappingGenerationLedger, a record outside the file of the last generation
// written (the CLI keeps it in the store database): Open refuses a file
// whose generation is below the ledger's, a different file in its place,
// and a missing file the ledger knows. Files of the first format (no
// manifest) open as generation 0, and only while the ledger holds nothing.
class MappingGenerationLedger {
 public:
  struct Record {
    std::string file_id;  // 16 random bytes
    std::uint64_t generation = 0;
  };
  virtual ~MappingGenerationLedger() = default;
  // The record for `path` (absolute), if any.
  virtual Result<std::optional<Record>> Get(const std::string& path) = 0;
  virtual Status Put(const std::string& path, const Record& r) = 0;
};

class MappingFile {
 public:
  // Reads `path` (a missing file is an empty one). Errors: a malformed,
  // tampered or foreign file, or one older than `ledger` records, or
  // missing while the ledger knows it (Corruption); a key that does not
  // open it (InvalidArgument). `ledger` may be null (no rollback check); it
  // must outlive the MappingFile.
  static Result<MappingFile> Open(const std::string& path, std::string_view key,
                                  MappingGenerationLedger* ledger = nullptr);
  // The generation of the file as read (0: new or first format).
  std::uint64_t generation() const { return generation_; }

  Result<Mapping> Read(std::string_view scope) const;  // empty when unknown
  Status Put(std::string_view scope, const Mapping& m);
  bool Forget(std::string_view scope);  // false when unknown
  bool Has(std::string_view scope) const;
  // Writes the file with the next generation, then records it in the
  // ledger (a crash between the two leaves the ledger behind, which Open
  // accepts).
  Status Save();

  // An exclusive advisory lock on PATH.lock, held until the object dies.
  class Lock;
  static Result<std::unique_ptr<Lock>> LockFile(const std::string& path);

  MappingFile(MappingFile&&) noexcept = default;
  MappingFile& operator=(MappingFile&&) noexcept = default;
  ~MappingFile();

 private:
  MappingFile() = default;
  struct Sealed {
    std::string nonce, ciphertext;
  };
  std::string path_;
  std::string key_;                       // raw 32 bytes
  std::map<std::string, Sealed> entries_;  // by SHA-256 of the scope
  std::string file_id_;                   // empty until the first manifest
  std::uint64_t generation_ = 0;
  MappingGenerationLedger* ledger_ = nullptr;
};

class MappingFile::Lock {
 public:
  explicit Lock(int fd) : fd_(fd) {}
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  int fd_;
};

// AES-256-GCM; exposed for tests. Output: ciphertext || 16-byte tag.
Result<std::string> Seal(std::string_view key, std::string_view nonce, std::string_view aad,
                         std::string_view plaintext);
Result<std::string> Open(std::string_view key, std::string_view nonce, std::string_view aad,
                         std::string_view sealed);

// ---- Rehydration --------------------------------------------------------------

// Surrogates known to `m` become their values; with json_encoded the value
// is escaped for the inside of a JSON string (tool-call arguments).
std::string Rehydrate(std::string_view text, const Mapping& m, bool json_encoded);

// Rehydrates a text that arrives in pieces. A piece's tail that may be the
// start of a surrogate ("<PERS") is held until the next piece decides it.
class StreamRehydrator {
 public:
  StreamRehydrator(const Mapping* m, bool json_encoded) : m_(m), json_(json_encoded) {}
  std::string Feed(std::string_view piece);
  std::string Finish();  // whatever is held back, as is

 private:
  const Mapping* m_;
  bool json_;
  std::string held_;
};

// ---- Minimisation -------------------------------------------------------------

struct ObjectRule {
  std::vector<std::string> keep;  // non-empty: only these fields (and attributes)
  std::vector<std::string> drop;
};
using ObjectRules = std::map<std::string, ObjectRule>;  // by attributes.type

// When `text` is JSON holding sObject records (objects with attributes.type,
// at any depth), returns it with each record reduced by its type's rule and
// sets *changed; other text is returned unchanged.
std::string MinimiseRecords(std::string_view text, const ObjectRules& rules, bool* changed);

}  // namespace airlock::transform
