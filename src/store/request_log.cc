#include "airlock/store/request_log.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "airlock/core/bytes.h"

namespace airlock::store {

namespace {
std::string JsonOf(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }
}  // namespace

Result<std::unique_ptr<RequestLog>> RequestLog::Open(std::shared_ptr<Database> db, std::string hmac_key) {
  if (hmac_key.size() < 16) return Status::InvalidArgument("audit HMAC key must have at least 16 bytes");
  return std::unique_ptr<RequestLog>(new RequestLog(std::move(db), std::move(hmac_key)));
}

std::string RequestLog::Fingerprint(std::string_view value) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), md, &len);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

Status RequestLog::Record(const Event& e) {
  auto lock = db_->Lock();
  auto st = db_->Prepare(
      "INSERT INTO audit_events (time_ms, request_id, principal, tenant, workflow, endpoint, backend, "
      "decision, reasons, entity_counts, class_counts, fingerprints, request_bytes, forwarded_bytes, "
      "stream, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!st.ok()) return st.status();
  auto& s = **st;
  s.Bind(1, e.time_ms);
  s.Bind(2, e.request_id);
  s.Bind(3, e.principal);
  s.Bind(4, e.tenant);
  s.Bind(5, e.workflow);
  s.Bind(6, e.endpoint);
  s.Bind(7, e.backend);
  s.Bind(8, e.decision);
  s.Bind(9, JsonOf(e.reasons));
  s.Bind(10, JsonOf(e.entity_counts));
  s.Bind(11, JsonOf(e.class_counts));
  s.Bind(12, JsonOf(e.fingerprints));
  s.Bind(13, e.request_bytes);
  s.Bind(14, e.forwarded_bytes);
  s.Bind(15, static_cast<int64_t>(e.stream ? 1 : 0));
  s.Bind(16, static_cast<int64_t>(e.status));
  return s.Run();
}

Status RequestLog::Complete(const std::string& request_id, const Completion& c) {
  auto lock = db_->Lock();
  auto st = db_->Prepare(
      "UPDATE audit_events SET status=?, latency_ms=?, prompt_tokens=?, completion_tokens=?, "
      "output_counts=?, outcome=? WHERE request_id=?");
  if (!st.ok()) return st.status();
  auto& s = **st;
  s.Bind(1, static_cast<int64_t>(c.status));
  s.Bind(2, c.latency_ms);
  s.Bind(3, c.prompt_tokens);
  s.Bind(4, c.completion_tokens);
  s.Bind(5, JsonOf(c.output_counts));
  s.Bind(6, c.outcome);
  s.Bind(7, request_id);
  return s.Run();
}

}  // namespace airlock::store
