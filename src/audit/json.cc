#include "airlock/audit/json.h"

#include <cstdio>
#include <ctime>

#include "airlock/core/bytes.h"

namespace airlock::audit {

using nlohmann::ordered_json;

std::string FormatTimeUs(std::int64_t time_us) {
  std::int64_t secs = time_us >= 0 ? time_us / 1000000 : (time_us - 999999) / 1000000;
  auto micros = static_cast<long>(time_us - secs * 1000000);
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
  return buf;
}

Result<std::int64_t> ParseTimeUs(const std::string& text) {
  auto bad = [&] {
    return Status::InvalidArgument("'" + text +
                                   "' is not a time: use 2026-11-28, 2026-11-28T10:15:00Z or "
                                   "@UNIX_SECONDS");
  };
  if (!text.empty() && text[0] == '@') {
    char* end = nullptr;
    long long s = std::strtoll(text.c_str() + 1, &end, 10);
    if (end == text.c_str() + 1 || *end != '\0') return bad();
    return static_cast<std::int64_t>(s) * 1000000;
  }
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  long frac = 0;
  int frac_digits = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return bad();
  std::size_t pos = static_cast<std::size_t>(n);
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ') return bad();
    int m = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d:%2d%n", &h, &mi, &s, &m) != 3) return bad();
    pos += 1 + static_cast<std::size_t>(m);
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (frac_digits < 6) {
          frac = frac * 10 + (text[pos] - '0');
          ++frac_digits;
        }
        ++pos;
      }
      for (int i = frac_digits; i < 6; ++i) frac *= 10;
    }
    if (pos != text.size() - 1 || text[pos] != 'Z') return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return bad();
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000000 + frac;
}

ordered_json EventToJson(const audit::Event& e) {
  ordered_json j;
  j["id"] = audit::EventId{e.instance, e.seq}.ToString();
  j["instance"] = e.instance;
  j["seq"] = e.seq;
  j["time"] = FormatTimeUs(e.time_us);
  j["time_us"] = e.time_us;
  j["kind"] = std::string(audit::EventKindName(e.kind));
  j["request_id"] = e.request_id;
  j["principal"] = e.principal;
  j["workflow"] = e.workflow;
  j["backend"] = e.backend;
  j["decision"] = std::string(audit::DecisionName(e.decision));
  ordered_json reasons = ordered_json::array();
  for (auto r : e.reasons) reasons.push_back(std::string(audit::ReasonName(r)));
  j["reasons"] = reasons;
  j["status"] = e.status;
  j["latency_us"] = e.latency_us;
  j["request_bytes"] = e.request_bytes;
  j["response_bytes"] = e.response_bytes;
  j["prompt_tokens"] = e.prompt_tokens;
  j["completion_tokens"] = e.completion_tokens;
  ordered_json findings = ordered_json::array();
  for (const auto& f : e.findings) {
    findings.push_back(
        {{"entity_type", f.entity_type}, {"data_class", f.data_class}, {"count", f.count}});
  }
  j["findings"] = findings;
  ordered_json prints = ordered_json::array();
  for (const auto& f : e.fingerprints) {
    prints.push_back({{"entity_type", f.entity_type},
                      {"hmac", HexEncode(std::string_view(
                                   reinterpret_cast<const char*>(f.mac.data()), f.mac.size()))}});
  }
  j["fingerprints"] = prints;
  return j;
}

namespace {

template <typename T>
Status Get(const nlohmann::json& j, const char* key, T* out) {
  if (!j.contains(key)) return Status::Ok();
  try {
    *out = j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    return Status::InvalidArgument(std::string("field '") + key + "' has the wrong type");
  }
  return Status::Ok();
}

}  // namespace

Result<audit::Event> EventFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("an event must be a JSON object");
  audit::Event e;
  std::string kind = "request", decision = "none";
  std::vector<std::string> reasons;
  Status s;
  for (Status st :
       {Get(j, "kind", &kind), Get(j, "decision", &decision), Get(j, "reasons", &reasons),
        Get(j, "request_id", &e.request_id), Get(j, "principal", &e.principal),
        Get(j, "workflow", &e.workflow), Get(j, "backend", &e.backend), Get(j, "status", &e.status),
        Get(j, "latency_us", &e.latency_us), Get(j, "request_bytes", &e.request_bytes),
        Get(j, "response_bytes", &e.response_bytes), Get(j, "prompt_tokens", &e.prompt_tokens),
        Get(j, "completion_tokens", &e.completion_tokens), Get(j, "time_us", &e.time_us)}) {
    if (!st.ok()) return st;
  }
  if (!audit::ParseEventKind(kind, &e.kind))
    return Status::InvalidArgument("unknown kind (request, completion, admin, auth, system)");
  if (!audit::ParseDecision(decision, &e.decision)) {
    return Status::InvalidArgument(
        "unknown decision (none, allow, redact, pseudonymise, route_local, block, error)");
  }
  for (const auto& r : reasons) {
    audit::Reason code{};
    if (!audit::ParseReason(r, &code))
      return Status::InvalidArgument("unknown reason code name (see docs/audit-format.md)");
    e.reasons.push_back(code);
  }
  if (j.contains("findings")) {
    if (!j["findings"].is_array()) return Status::InvalidArgument("'findings' must be an array");
    for (const auto& f : j["findings"]) {
      audit::FindingCount c;
      if (!f.is_object()) return Status::InvalidArgument("a finding must be an object");
      for (Status st : {Get(f, "entity_type", &c.entity_type), Get(f, "data_class", &c.data_class),
                        Get(f, "count", &c.count)}) {
        if (!st.ok()) return st;
      }
      e.findings.push_back(std::move(c));
    }
  }
  return e;
}

}  // namespace airlock::audit
