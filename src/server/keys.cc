#include "airlock/server/keys.h"

#include "airlock/audit/event.h"

#include <openssl/rand.h>

#include <chrono>

#include "airlock/core/bytes.h"
#include "airlock/core/crypto.h"

namespace airlock::server {

namespace {

std::string JoinRoles(const std::vector<std::string>& roles) {
  std::string out;
  for (const auto& r : roles) out += (out.empty() ? "" : ",") + r;
  return out;
}

std::vector<std::string> SplitRoles(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto comma = s.find(',', start);
    std::string r = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!r.empty()) out.push_back(std::move(r));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool IsHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::string> KeyStore::Create(const policy::Principal& principal, int64_t expires_ms, int64_t now_ms,
                                     KeyInfo* info, const std::function<Status(const KeyInfo&)>& before_insert) {
  // The principal id is written into every audit event: a short token only.
  if (principal.id.empty() || !audit::IsIdentifier(principal.id))
    return Status::InvalidArgument("principal id must be 1-64 characters of [A-Za-z0-9._:@/+-]");
  unsigned char raw[40];
  if (RAND_bytes(raw, sizeof raw) != 1) return Status::Internal("RAND_bytes failed");
  const std::string id = HexEncode(std::string_view(reinterpret_cast<char*>(raw), 8));
  const std::string secret = HexEncode(std::string_view(reinterpret_cast<char*>(raw + 8), 32));
  const std::string key = "alk_" + id + "_" + secret;
  KeyInfo made{id, principal, now_ms, expires_ms, 0};
  if (before_insert) {
    if (Status s = before_insert(made); !s.ok()) return s;
  }
  auto lock = db_->Lock();
  auto st = db_->Prepare(
      "INSERT INTO api_keys (id, hash, principal, tenant, roles, jurisdiction, created_ms, expires_ms) "
      "VALUES (?,?,?,?,?,?,?,?)");
  if (!st.ok()) return st.status();
  auto& s = **st;
  s.Bind(1, id);
  s.BindBlob(2, Sha256(key));
  s.Bind(3, principal.id);
  s.Bind(4, principal.tenant);
  s.Bind(5, JoinRoles(principal.roles));
  s.Bind(6, principal.jurisdiction);
  s.Bind(7, now_ms);
  s.Bind(8, expires_ms);
  if (Status r = s.Run(); !r.ok()) return r;
  if (info) *info = std::move(made);
  return key;
}

Result<std::vector<KeyInfo>> KeyStore::List() {
  auto lock = db_->Lock();
  auto st = db_->Prepare(
      "SELECT id, principal, tenant, roles, jurisdiction, created_ms, expires_ms, revoked_ms "
      "FROM api_keys ORDER BY created_ms, id");
  if (!st.ok()) return st.status();
  std::vector<KeyInfo> out;
  auto& s = **st;
  store::Statement::Step step;
  while ((step = s.Next()) == store::Statement::Step::kRow) {
    KeyInfo k;
    k.id = s.Text(0);
    k.principal.id = s.Text(1);
    k.principal.tenant = s.Text(2);
    k.principal.roles = SplitRoles(s.Text(3));
    k.principal.jurisdiction = s.Text(4);
    k.created_ms = s.Int(5);
    k.expires_ms = s.Int(6);
    k.revoked_ms = s.Int(7);
    out.push_back(std::move(k));
  }
  if (step == store::Statement::Step::kError) return Status::IoError("sqlite: cannot list keys");
  return out;
}

Status KeyStore::Revoke(const std::string& id, int64_t now_ms) {
  auto lock = db_->Lock();
  auto st = db_->Prepare("UPDATE api_keys SET revoked_ms = ? WHERE id = ? AND revoked_ms = 0");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, now_ms);
  (*st)->Bind(2, id);
  if (Status s = (*st)->Run(); !s.ok()) return s;
  auto check = db_->Prepare("SELECT revoked_ms FROM api_keys WHERE id = ?");
  if (!check.ok()) return check.status();
  (*check)->Bind(1, id);
  if ((*check)->Next() != store::Statement::Step::kRow) return Status::NotFound("no key with id " + id);
  return Status::Ok();
}

Result<policy::Principal> KeyStore::Authenticate(std::string_view key, int64_t now_ms) {
  if (key.empty()) return Status::InvalidArgument("missing API key (send Authorization: Bearer <key>)");
  // alk_ + 16 + _ + 64
  if (key.size() != 4 + 16 + 1 + 64 || key.substr(0, 4) != "alk_" || key[20] != '_' ||
      !IsHex(key.substr(4, 16)) || !IsHex(key.substr(21)))
    return Status::InvalidArgument("malformed API key");
  const std::string id(key.substr(4, 16));
  auto lock = db_->Lock();
  // Prepared once (on every request, preparing cost more than the lookup).
  auto st = db_->Cached(
      "SELECT hash, principal, tenant, roles, jurisdiction, expires_ms, revoked_ms FROM api_keys WHERE id = ?");
  if (!st.ok()) return st.status();
  auto& s = **st;
  struct ResetOnExit {
    store::Statement& s;
    ~ResetOnExit() { s.Reset(); }
  } reset_on_exit{s};
  s.Bind(1, id);
  const auto step = s.Next();
  if (step == store::Statement::Step::kError) return Status::IoError("sqlite: cannot read keys");
  // Unknown id and wrong secret read the same to the caller.
  if (step != store::Statement::Step::kRow || !ConstantTimeEquals(s.Text(0), Sha256(key)))
    return Status::NotFound("invalid API key");
  if (s.Int(6) != 0) return Status::NotFound("API key has been revoked");
  if (s.Int(5) != 0 && s.Int(5) <= now_ms) return Status::NotFound("API key has expired");
  policy::Principal p;
  p.id = s.Text(1);
  p.tenant = s.Text(2);
  p.roles = SplitRoles(s.Text(3));
  p.jurisdiction = s.Text(4);
  return p;
}

}  // namespace airlock::server
