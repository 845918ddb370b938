// API keys: who is calling.
//
// A key is "alk_<id>_<secret>" (16 hex digits of id, 64 hex digits of
// secret from the OS random generator). It is shown once, at creation; the
// store keeps only its SHA-256, found by id and compared in constant time.
// A key binds a Principal (id, tenant, roles, home jurisdiction) and may
// expire or be revoked.
//
// Thread-safety: safe for concurrent use (the Database serialises).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "airlock/store/database.h"
#include "airlock/core/status.h"
#include "airlock/policy/policy.h"

namespace airlock::server {

struct KeyInfo {
  std::string id;
  policy::Principal principal;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // 0: never
  int64_t revoked_ms = 0;  // 0: not revoked
};

class KeyStore {
 public:
  explicit KeyStore(std::shared_ptr<store::Database> db) : db_(std::move(db)) {}

  // Returns the key (the only time it exists in clear). `before_insert`,
  // when given, runs once the key's id is drawn and before anything is
  // stored (the CLI audits there); its error is returned and nothing is
  // stored.
  Result<std::string> Create(const policy::Principal& principal, int64_t expires_ms, int64_t now_ms,
                             KeyInfo* info, const std::function<Status(const KeyInfo&)>& before_insert = {});
  Result<std::vector<KeyInfo>> List();
  Status Revoke(const std::string& id, int64_t now_ms);  // NotFound for an unknown id

  // The principal of a valid key; otherwise an error whose message says
  // which of missing / malformed / unknown / revoked / expired it is (never
  // the key).
  Result<policy::Principal> Authenticate(std::string_view key, int64_t now_ms);

 private:
  std::shared_ptr<store::Database> db_;
};

int64_t NowMs();

}  // namespace airlock::server
