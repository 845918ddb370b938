#include "admin.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <vector>

#include "airlock/api/openai.h"
#include "airlock/audit/json.h"
#include "airlock/audit/verify_json.h"

namespace airlock::server {

namespace {

using api::Json;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

AdminReply Error(int status, const std::string& code, const std::string& message) {
  api::ApiError e;
  e.http_status = status;
  e.type = status == 404 ? "invalid_request_error" : status == 403 ? "permission_error" : "invalid_request_error";
  e.code = code;
  e.message = message;
  return AdminReply{status, api::ErrorBody(e), false};
}

AdminReply Reply(const Json& j) { return AdminReply{200, Dump(j), false}; }

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size() && Hex(in[i + 1]) >= 0 && Hex(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(in[i + 1]) * 16 + Hex(in[i + 2])));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const auto amp = q.find('&');
    std::string_view kv = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (kv.empty()) continue;
    const auto eq = kv.find('=');
    out[PercentDecode(kv.substr(0, eq))] = eq == std::string_view::npos ? "" : PercentDecode(kv.substr(eq + 1));
  }
  return out;
}

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The filter of an events or stats query; an error names the parameter.
Result<audit::EventFilter> FilterOf(const std::map<std::string, std::string>& q, std::int64_t default_since) {
  audit::EventFilter f;
  f.since_us = default_since;
  for (const auto& [k, v] : q) {
    if (k == "since" || k == "until") {
      auto t = audit::ParseTimeUs(v);
      if (!t.ok()) return Status::InvalidArgument("query parameter " + k + ": " + t.status().message());
      (k == "since" ? f.since_us : f.until_us) = *t;
    } else if (k == "principal") {
      f.principal = v;
    } else if (k == "workflow") {
      f.workflow = v;
    } else if (k == "instance") {
      f.instance = v;
    } else if (k != "kind" && k != "decision" && k != "limit") {
      return Status::InvalidArgument("unknown query parameter '" + k +
                                     "' (since, until, principal, workflow, instance, kind, decision, limit)");
    }
  }
  return f;
}

AdminReply Events(Services& s, const std::map<std::string, std::string>& q) {
  auto f = FilterOf(q, INT64_MIN);
  if (!f.ok()) return Error(400, "invalid_query", f.status().message());
  std::size_t limit = 100;
  audit::EventKind kind{};
  audit::Decision decision{};
  const bool by_kind = q.count("kind") != 0, by_decision = q.count("decision") != 0;
  if (by_kind && !audit::ParseEventKind(q.at("kind"), &kind))
    return Error(400, "invalid_query", "query parameter kind: request, completion, admin, auth or system");
  if (by_decision && !audit::ParseDecision(q.at("decision"), &decision))
    return Error(400, "invalid_query",
                 "query parameter decision: none, allow, redact, pseudonymise, route_local, block or error");
  if (auto it = q.find("limit"); it != q.end()) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || n == 0 || n > 10000)
      return Error(400, "invalid_query", "query parameter limit: a number from 1 to 10000");
    limit = n;
  }
  // Newest first, stopping at the limit: the cost is the events returned
  // (and those skipped by kind or decision), not the trail's length.
  f->newest_first = true;
  std::vector<Json> newest;
  Status st = s.trail->Scan(*f, [&](const audit::Event& e) {
    if (by_kind && e.kind != kind) return true;
    if (by_decision && e.decision != decision) return true;
    newest.push_back(audit::EventToJson(e));
    return newest.size() < limit;
  });
  if (!st.ok()) return Error(503, "trail_unavailable", "the audit trail cannot be read: " + st.message());
  Json data = Json::array();
  for (auto it = newest.rbegin(); it != newest.rend(); ++it) data.push_back(std::move(*it));  // oldest first
  return Reply(Json{{"object", "list"}, {"data", data}, {"limit", limit}});
}

AdminReply Stats(Services& s, const std::map<std::string, std::string>& q) {
  const std::int64_t now = NowUs();
  auto f = FilterOf(q, now - std::int64_t{24} * 3600 * 1000000);
  if (!f.ok()) return Error(400, "invalid_query", f.status().message());
  StatsAgg agg;
  Status st;
  if (f->instance.empty() && f->principal.empty() && f->workflow.empty()) {
    // Whole hours from the cache, checked against the store's count.
    st = s.stats_cache.Aggregate(*s.trail, f->since_us, f->until_us, now, &agg);
  } else {
    st = s.trail->Scan(*f, [&](const audit::Event& e) {
      agg.Add(e);
      return true;
    });
  }
  if (!st.ok()) return Error(503, "trail_unavailable", "the audit trail cannot be read: " + st.message());
  Json j;
  j["object"] = "airlock.stats";
  j["since"] = audit::FormatTimeUs(f->since_us);
  j["events"] = agg.events;
  j["by_kind"] = agg.kinds;
  j["by_decision"] = agg.decisions;
  j["by_reason"] = agg.reasons;
  j["by_workflow"] = agg.workflows;
  j["by_backend"] = agg.backends;
  j["findings_by_entity_type"] = agg.entities;
  j["findings_by_data_class"] = agg.classes;
  j["tokens"] = Json{{"prompt", agg.prompt_tokens}, {"completion", agg.completion_tokens}};
  return Reply(j);
}

AdminReply Chain(Services& s) {
  auto r = s.trail->Verify();
  if (!r.ok()) return Error(503, "trail_unavailable", "the audit trail cannot be read: " + r.status().message());
  if (!r->ok() && s.on_chain_failure) {
    for (const auto& p : r->problems) s.on_chain_failure(p.ToString());
  }
  return Reply(audit::VerifyReportToJson<Json>(*r, "airlock.chain"));
}

Json LockdownJson(const Services& s) {
  const Lockdown l = s.lockdown_state();
  return Json{{"object", "airlock.lockdown"},
              {"state", l == Lockdown::kOff ? "off" : "on"},
              {"mode", l == Lockdown::kOff ? Json(nullptr) : Json(std::string(LockdownName(l)))}};
}

AdminReply SetLockdown(Services& s, const Runtime& rt, const policy::Principal& who, const std::string& body,
                       const std::string& request_id) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(400, "invalid_json", "request body must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "state" && it.key() != "mode")
      return Error(400, "invalid_request", "unknown field '" + it.key() + "' (state, mode)");
  }
  const std::string state = j.contains("state") && j["state"].is_string() ? j["state"].get<std::string>() : "";
  if (state != "on" && state != "off") return Error(400, "invalid_request", "state must be \"on\" or \"off\"");
  std::string mode = rt.config->admin.lockdown_mode;
  if (j.contains("mode")) {
    if (!j["mode"].is_string()) return Error(400, "invalid_request", "mode must be \"local\" or \"refuse\"");
    mode = j["mode"].get<std::string>();
    if (mode != "local" && mode != "refuse") return Error(400, "invalid_request", "mode must be \"local\" or \"refuse\"");
  }
  const Lockdown next = state == "off" ? Lockdown::kOff : mode == "refuse" ? Lockdown::kRefuse : Lockdown::kLocal;

  // Recorded first: a lockdown change that cannot be audited does not happen.
  audit::Event e;
  e.kind = audit::EventKind::kAdmin;
  e.request_id = request_id;
  e.principal = who.id;
  e.decision = next == Lockdown::kOff ? audit::Decision::kNone
               : next == Lockdown::kRefuse ? audit::Decision::kBlock
                                           : audit::Decision::kRouteLocal;
  e.reasons.push_back(next == Lockdown::kOff ? audit::Reason::kLockdownOff : audit::Reason::kLockdownOn);
  e.status = 200;
  auto id = s.trail->RecordSync(std::move(e));
  if (!id.ok()) return Error(503, "audit_failed", "the lockdown change could not be audited; nothing changed");
  if (Status st = s.SetLockdown(next); !st.ok())
    return Error(503, "store_unavailable", "the lockdown state could not be stored: " + st.message());
  if (s.on_lockdown) s.on_lockdown(next, who.id);
  AdminReply r = Reply(LockdownJson(s));
  r.lockdown_changed = true;
  return r;
}

AdminReply StatusReply(Services& s, const Runtime& rt) {
  Json backends = Json::array();
  Json models = Json::array();
  for (const auto& b : rt.config->backends) {
    Json jb = {{"name", b.name}, {"type", b.type}, {"jurisdiction", b.jurisdiction}};
    auto it = rt.backends.find(b.name);
    if (it != rt.backends.end()) {
      const std::string why = it->second->Unavailable();
      jb["available"] = why.empty();
      if (b.type == "local") {
        const auto m = it->second->Model();
        models.push_back({{"backend", b.name},
                          {"file", m.file},
                          {"pinned_sha256", m.pinned_sha256},
                          {"served_sha256", m.served_sha256}});
      }
    }
    backends.push_back(std::move(jb));
  }
  const auto now_ms = NowMs();
  Json j;
  j["object"] = "airlock.status";
  j["instance"] = s.trail->instance();
  j["uptime_seconds"] = (now_ms - s.started_ms) / 1000;
  j["config"] = rt.config->source;
  j["lockdown"] = LockdownJson(s);
  j["trail"] = Json{{"store", s.trail->Describe()},
                    {"instance", s.trail->instance()},
                    {"committed", s.trail->committed()},
                    {"transactions", s.trail->transactions()},
                    {"failures", s.trail->failures()}};
  j["backends"] = backends;
  j["models"] = models;
  j["workflows"] = rt.config->workflows.size();
  return Reply(j);
}

}  // namespace

bool IsAdmin(const config::Config& cfg, const policy::Principal& who) {
  for (const auto& r : who.roles)
    if (std::find(cfg.admin.roles.begin(), cfg.admin.roles.end(), r) != cfg.admin.roles.end()) return true;
  return false;
}

bool ReadsTrail(std::string_view target) {
  return target == "/admin/v1/events" || target == "/admin/v1/stats" || target == "/admin/v1/chain";
}

AdminReply HandleAdminCall(Services& s, const Runtime& rt, const policy::Principal& who, bool post,
                           std::string_view target, std::string_view query, const std::string& body,
                           const std::string& request_id) {
  const auto q = ParseQuery(query);
  auto get_only = [&](auto&& fn) -> AdminReply {
    if (post) return Error(405, "method_not_allowed", "use GET");
    return fn();
  };
  if (target == "/admin/v1/status") return get_only([&] { return StatusReply(s, rt); });
  if (target == "/admin/v1/events") return get_only([&] { return Events(s, q); });
  if (target == "/admin/v1/stats") return get_only([&] { return Stats(s, q); });
  if (target == "/admin/v1/chain") return get_only([&] { return Chain(s); });
  if (target == "/admin/v1/alerts") {
    return get_only([&] {
      Json alerts = s.recent_alerts_json ? Json::parse(s.recent_alerts_json(), nullptr, false) : Json::array();
      if (alerts.is_discarded()) alerts = Json::array();
      return Reply(Json{{"object", "list"}, {"data", alerts}});
    });
  }
  if (target == "/admin/v1/lockdown") {
    if (!post) return Reply(LockdownJson(s));
    return SetLockdown(s, rt, who, body, request_id);
  }
  return Error(404, "not_found", "no admin endpoint " + std::string(target));
}

}  // namespace airlock::server
