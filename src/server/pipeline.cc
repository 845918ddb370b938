#include "pipeline.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <set>

#include "airlock/api/openai.h"
#include "airlock/api/sse.h"
#include "airlock/core/bytes.h"
#include "airlock/core/crypto.h"
#include "airlock/detect/doc_fingerprint.h"
#include "airlock/detect/embedded.h"
#include "admin.h"
#include "output_guard.h"
#include "backend_status.h"  // (s3-local)
#include "detection_pool.h"  // (s3-local)
#include "health.h"          // (s3-local)

namespace airlock::server {

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using net::awaitable;
using api::ApiError;
using api::Json;

std::string NewRequestId() {
  unsigned char b[12];
  RAND_bytes(b, sizeof b);
  return "req_" + HexEncode(std::string_view(reinterpret_cast<char*>(b), sizeof b));
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

ApiError Err(int status, std::string type, std::string code, std::string message) {
  ApiError e;
  e.http_status = status;
  e.type = std::move(type);
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

// Each request's state as it moves through the pipeline.
struct Call {
  Services& s;
  std::shared_ptr<const Runtime> rt;
  const HttpRequest& req;
  Responder& out;
  std::string request_id;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string principal;  // once authenticated
  std::string workflow;   // once resolved to a configured workflow
  std::uint64_t sent_bytes = 0;  // response body bytes written (the completion event's response_bytes)

  int64_t ElapsedMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  }
  Headers Base() const { return {{"X-Request-Id", request_id}}; }

  awaitable<bool> Fail(const ApiError& e, Headers extra = {}) {
    Headers h = Base();
    for (auto& kv : extra) h.push_back(std::move(kv));
    std::string body = api::ErrorBody(e);
    sent_bytes += body.size();
    const bool ok = co_await out.Send(e.http_status, std::move(body), std::move(h));
    co_return ok;
  }
  audit::Event MakeEvent(audit::EventKind kind, audit::Decision decision, std::uint16_t status) const {
    audit::Event e;
    e.kind = kind;
    e.request_id = request_id;
    e.principal = principal;
    e.workflow = workflow;
    e.decision = decision;
    e.status = status;
    e.request_bytes = req.body().size();
    e.latency_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
    return e;
  }
  // A refusal: recorded without waiting (no 2xx follows), then answered.
  awaitable<bool> Refuse(const ApiError& e, audit::Reason why, Headers extra = {},
                         audit::EventKind kind = audit::EventKind::kRequest,
                         audit::Decision decision = audit::Decision::kBlock) {
    audit::Event ev = MakeEvent(kind, decision, static_cast<std::uint16_t>(e.http_status));
    ev.reasons.push_back(why);
    s.trail->RecordDetached(std::move(ev));
    const bool ok = co_await Fail(e, std::move(extra));
    co_return ok;
  }
  awaitable<bool> Ok(const Json& body) {
    std::string text = Dump(body);
    sent_bytes += text.size();
    const bool ok = co_await out.Send(200, std::move(text), Base());
    co_return ok;
  }
  // One SSE frame of a streamed answer.
  awaitable<bool> Chunk(std::string frame) {
    sent_bytes += frame.size();
    const bool ok = co_await out.Chunk(std::move(frame));
    co_return ok;
  }

  std::string Header(std::string_view name) const {
    auto it = req.find(boost::beast::string_view(name.data(), name.size()));
    return it == req.end() ? std::string() : std::string(it->value());
  }
};

// ---- detection over the request's text slots -------------------------------

// A finding mapped back onto the slots it covers.
struct Piece {
  std::size_t slot;
  ByteSpan span;  // within the slot's text
};
struct SlotFinding {
  detect::Finding f;
  std::string value;  // the detected value, for transforms and fingerprints only
  std::vector<Piece> pieces;
  bool from_index = false;  // an exact-data-match or document fingerprint finding
};

// The slots joined by '\n', analysed once; then each boundary's seam (the
// tail of one slot directly followed by the head of the next) is analysed
// again so that a value split across messages is found too.
Result<std::vector<SlotFinding>> DetectSlots(const detect::Analyzer& analyzer,
                                             const std::vector<detect::IndexScanner>& indexes,
                                             const std::vector<api::TextSlot>& slots) {
  std::string joined;
  std::vector<std::size_t> starts;
  for (const auto& sl : slots) {
    if (!joined.empty()) joined.push_back('\n');
    starts.push_back(joined.size());
    joined.append(*sl.text);
  }
  std::vector<SlotFinding> out;
  auto found = analyzer.Analyze(joined);
  if (!found.ok()) return found.status();
  // Values that only their JSON key gives away: a CRM record in a prompt
  // ("LastName": "Tamm", "MailingStreet": "Allika 46").
  auto embedded = detect::EmbeddedFieldFindings(analyzer, joined);
  if (!embedded.ok()) return embedded.status();
  detect::MergeFindings(&*found, std::move(*embedded));
  auto slot_of = [&](std::size_t off) {
    auto it = std::upper_bound(starts.begin(), starts.end(), off);
    return static_cast<std::size_t>(it - starts.begin()) - 1;
  };
  // Index findings (a protected record's values together, a protected
  // document's passages) are looked for in the whole joined text.
  std::size_t from_catalog = found->size();
  for (const auto& scan : indexes)
    for (auto& f : scan(joined)) found->push_back(std::move(f));
  for (std::size_t k = 0; k < found->size(); ++k) {
    detect::Finding& f = (*found)[k];
    SlotFinding sf;
    sf.from_index = k >= from_catalog;
    sf.value = joined.substr(f.span.begin, f.span.size());
    for (std::size_t i = slot_of(f.span.begin); i < slots.size() && starts[i] < f.span.end; ++i) {
      const std::size_t b = std::max(f.span.begin, starts[i]) - starts[i];
      const std::size_t e = std::min(f.span.end, starts[i] + slots[i].text->size()) - starts[i];
      if (e > b) sf.pieces.push_back({i, {b, e}});
    }
    sf.f = std::move(f);
    if (!sf.pieces.empty()) out.push_back(std::move(sf));
  }
  constexpr std::size_t kSeam = 96;
  auto overlaps_existing = [&](std::size_t slot, ByteSpan span) {
    for (const auto& sf : out)
      for (const auto& p : sf.pieces)
        if (p.slot == slot && p.span.Overlaps(span)) return true;
    return false;
  };
  for (std::size_t i = 0; i + 1 < slots.size(); ++i) {
    const std::string& a = *slots[i].text;
    const std::string& b = *slots[i + 1].text;
    if (a.empty() || b.empty()) continue;
    const std::size_t a_from = a.size() > kSeam ? a.size() - kSeam : 0;
    const std::string seam = a.substr(a_from) + b.substr(0, kSeam);
    const std::size_t cut = a.size() - a_from;
    auto sfound = analyzer.Analyze(seam);
    if (!sfound.ok()) return sfound.status();
    for (auto& f : *sfound) {
      if (!(f.span.begin < cut && f.span.end > cut)) continue;  // not split: seen already
      Piece pa{i, {a_from + f.span.begin, a.size()}};
      Piece pb{i + 1, {0, f.span.end - cut}};
      // A split value wins over the fragments found inside its pieces (the
      // tail of an IBAN alone reads as a phone number); it yields to a
      // finding that reaches outside them.
      auto inside = [&](const SlotFinding& o) {
        for (const auto& q : o.pieces) {
          const Piece& mine = q.slot == pa.slot ? pa : pb;
          if (q.slot != pa.slot && q.slot != pb.slot) return false;
          if (q.span.begin < mine.span.begin || q.span.end > mine.span.end) return false;
        }
        return true;
      };
      std::erase_if(out, [&](const SlotFinding& o) {
        bool touches = false;
        for (const auto& q : o.pieces)
          touches |= (q.slot == pa.slot && q.span.Overlaps(pa.span)) || (q.slot == pb.slot && q.span.Overlaps(pb.span));
        return touches && inside(o);
      });
      if (overlaps_existing(pa.slot, pa.span) || overlaps_existing(pb.slot, pb.span)) continue;
      SlotFinding sf;
      sf.value = seam.substr(f.span.begin, f.span.size());
      sf.pieces = {pa, pb};
      sf.f = std::move(f);
      out.push_back(std::move(sf));
    }
  }
  return out;
}

// The findings whose action rewrites the text, without overlaps. An index
// finding spans a whole protected record or passage: where its action
// changes the text it takes over the detector findings it overlaps (its
// span grows to cover them); where its action is allow it is left out and
// the detector findings inside keep their own actions. The policy sees
// every finding either way.
// Grows `into`'s pieces to cover `from`'s (per slot).
void Absorb(SlotFinding& into, const SlotFinding& from) {
  for (const auto& q : from.pieces) {
    bool covered = false;
    for (auto& p : into.pieces) {
      if (p.slot != q.slot) continue;
      p.span = {std::min(p.span.begin, q.span.begin), std::max(p.span.end, q.span.end)};
      covered = true;
    }
    if (!covered) into.pieces.push_back(q);
  }
}

std::vector<SlotFinding> TransformSet(const config::WorkflowConfig& wf, const std::vector<SlotFinding>& found) {
  auto overlaps = [](const SlotFinding& a, const SlotFinding& b) {
    for (const auto& p : a.pieces)
      for (const auto& q : b.pieces)
        if (p.slot == q.slot && p.span.Overlaps(q.span)) return true;
    return false;
  };
  std::vector<SlotFinding> out;
  std::vector<SlotFinding> records;
  for (const auto& sf : found) {
    if (!sf.from_index) continue;
    if (policy::ActionFor(wf, detect::DataClassName(sf.f.data_class)) == config::Action::kAllow) continue;
    bool clash = false;
    for (const auto& r : records) clash = clash || overlaps(r, sf);
    if (!clash) records.push_back(sf);  // the first of overlapping records wins
  }
  for (const auto& sf : found) {
    if (sf.from_index) continue;
    SlotFinding* owner = nullptr;
    for (auto& r : records)
      if (overlaps(r, sf)) owner = &r;
    if (owner == nullptr) {
      out.push_back(sf);
      continue;
    }
    Absorb(*owner, sf);
  }
  // Records grown into each other become one (their pieces united per slot).
  for (std::size_t i = 0; i < records.size(); ++i) {
    for (std::size_t j = i + 1; j < records.size();) {
      if (!overlaps(records[i], records[j])) {
        ++j;
        continue;
      }
      Absorb(records[i], records[j]);
      records.erase(records.begin() + static_cast<std::ptrdiff_t>(j));
      j = i + 1;
    }
  }
  // A record grown over a neighbour may now touch another finding: those
  // yield to the record.
  std::erase_if(out, [&](const SlotFinding& sf) {
    for (const auto& r : records)
      if (overlaps(r, sf)) return true;
    return false;
  });
  for (auto& r : records) out.push_back(std::move(r));
  return out;
}

// (s3-local) DetectSlots on the detection pool, within detection.timeout_ms.
awaitable<Result<std::vector<SlotFinding>>> DetectSlotsWithin(Services& s, std::shared_ptr<const Runtime> rt,
                                                              const std::vector<api::TextSlot>& slots) {
  const unsigned timeout_ms = rt->config->detection.timeout_ms;
  // A named job: GCC 12 destroys a lambda-to-std::function temporary inside
  // a co_await expression twice.
  std::function<Result<std::vector<SlotFinding>>()> job = [analyzer = s.analyzer, rt, owned = OwnSlots(slots)] {
    return DetectSlots(*analyzer, rt->indexes, owned->slots);
  };
  Result<std::vector<SlotFinding>> r =
      co_await s.detection.Run<std::vector<SlotFinding>>(std::chrono::milliseconds(timeout_ms), std::move(job));
  co_return r;
}

// A whole (non-streamed) answer's texts, scanned by GuardWhole on the
// detection pool within detection.timeout_ms, like the request: a
// pathological answer from a backend costs a pool thread until the deadline
// (then the scan is cancelled), never an I/O thread. The job owns copies of
// everything it reads; the trail outlives the pool (Services).
struct GuardedTexts {
  std::vector<std::string> texts;  // per slot, leaks handled as the workflow says
  OutputFindings findings;
};
awaitable<Result<GuardedTexts>> GuardResponseWithin(Services& s, std::shared_ptr<const Runtime> rt,
                                                    config::OutputAction action,
                                                    const std::vector<api::TextSlot>& slots,
                                                    const std::set<std::string>& allowed) {
  const unsigned timeout_ms = rt->config->detection.timeout_ms;
  auto texts = std::make_shared<std::vector<std::string>>();
  for (const auto& sl : slots) texts->push_back(*sl.text);
  // A named job: GCC 12 destroys a lambda-to-std::function temporary inside
  // a co_await expression twice.
  std::function<Result<GuardedTexts>()> job = [analyzer = s.analyzer, rt, action, texts, allowed,
                                               trail = s.trail.get()]() -> Result<GuardedTexts> {
    auto fingerprint = [trail](std::string_view v) { return trail->Digest(v); };
    GuardedTexts out;
    for (const std::string& t : *texts) {
      auto guarded = GuardWhole(*analyzer, rt->indexes, action, t, allowed, fingerprint, &out.findings);
      if (!guarded.ok()) return guarded.status();
      out.texts.push_back(std::move(*guarded));
    }
    return out;
  };
  Result<GuardedTexts> r = co_await s.detection.Run<GuardedTexts>(std::chrono::milliseconds(timeout_ms), std::move(job),
                                                                  DetectionPool::Priority::kFirst);
  co_return r;
}

Status ReadAttachments(Json& body, bool allowed, const std::string& workflow);  // below

// ReadAttachments on the detection pool within detection.timeout_ms: a large
// or hostile PDF costs a pool thread, never an I/O thread, and a request
// whose files take too long gets 503 with nothing forwarded. The job reads a
// copy of the body; the caller takes the result.
awaitable<Result<Json>> ReadAttachmentsWithin(Services& s, std::shared_ptr<const Runtime> rt, const Json& body,
                                              bool allowed, std::string workflow) {
  const unsigned timeout_ms = rt->config->detection.timeout_ms;
  // A named job: GCC 12 destroys a lambda-to-std::function temporary inside
  // a co_await expression twice.
  std::function<Result<Json>()> job = [copy = body, allowed, workflow = std::move(workflow)]() mutable -> Result<Json> {
    if (Status st = ReadAttachments(copy, allowed, workflow); !st.ok()) return st;
    return std::move(copy);
  };
  Result<Json> r = co_await s.detection.Run<Json>(std::chrono::milliseconds(timeout_ms), std::move(job));
  co_return r;
}

transform::ObjectRules RulesOf(const config::MinimiseConfig& m) {
  transform::ObjectRules r;
  for (const auto& [type, rule] : m.objects) r[type] = {rule.keep, rule.drop};
  return r;
}

Json DecisionDetails(const config::WorkflowConfig& w, const policy::Decision& d) {
  return Json{{"workflow", w.name}, {"data_classes", d.blocked_classes}, {"reasons", d.reasons}};
}

audit::Reason DetectionReason(const Status& st) {
  return st.code() == Status::Code::kUnavailable ? audit::Reason::kTimeout : audit::Reason::kScanFailed;
}

// Counts by (entity type, data class) and one keyed fingerprint per value.
void AddFindings(audit::Event& e, const std::vector<SlotFinding>& findings, const Trail& trail) {
  std::map<std::pair<std::string, std::string>, std::uint32_t> counts;
  for (const auto& sf : findings) {
    counts[{sf.f.entity_type, std::string(detect::DataClassName(sf.f.data_class))}]++;
    if (e.fingerprints.size() < audit::kMaxFingerprints)
      e.fingerprints.push_back(trail.Fingerprint(sf.f.entity_type, sf.value));
  }
  for (auto& [k, n] : counts) {
    if (e.findings.size() >= audit::kMaxFindingCounts) break;
    e.findings.push_back({k.first, k.second, n});
  }
}

// Why the policy decided as it did, as audit reason codes.
std::vector<audit::Reason> ReasonsOf(const policy::Decision& d) {
  std::vector<audit::Reason> r;
  if (d.allowed) {
    r.push_back(audit::Reason::kPolicyAllow);
    if (d.rerouted) {
      r.push_back(audit::Reason::kRerouted);
      r.push_back(audit::Reason::kJurisdictionNotAllowed);
    }
    return r;
  }
  if (d.code == "forbidden_workflow") r.push_back(audit::Reason::kForbidden);
  else if (d.code == "residency_blocked") r.push_back(audit::Reason::kJurisdictionNotAllowed);
  else if (d.code == "no_backend") r.push_back(audit::Reason::kNoBackendAvailable);
  else r.push_back(audit::Reason::kDataClassNotAllowed);
  if (std::find(d.blocked_classes.begin(), d.blocked_classes.end(), "credential") != d.blocked_classes.end())
    r.push_back(audit::Reason::kCredentialDetected);
  return r;
}

// What happened to an allowed request's data on its way out.
audit::Decision AllowedDecision(const config::WorkflowConfig& wf, const policy::Decision& d,
                                const std::vector<SlotFinding>& found) {
  if (d.rerouted && d.backend != nullptr && d.backend->jurisdiction == "local") return audit::Decision::kRouteLocal;
  bool pseudo = false, redact = false;
  for (const auto& sf : found) {
    switch (policy::ActionFor(wf, detect::DataClassName(sf.f.data_class))) {
      case config::Action::kPseudonymise: pseudo = true; break;
      case config::Action::kRedact:
      case config::Action::kMask:
      case config::Action::kHash:
      case config::Action::kBlock: redact = true; break;
      case config::Action::kAllow: break;
    }
  }
  return pseudo ? audit::Decision::kPseudonymise : redact ? audit::Decision::kRedact : audit::Decision::kAllow;
}

// How a forwarded request ended.
struct Completion {
  std::uint16_t status = 0;
  std::string outcome;  // ok, upstream_error, upstream_status_N, output_blocked, ...
  std::uint32_t prompt_tokens = 0;
  std::uint32_t completion_tokens = 0;
};

audit::Event CompletionEvent(const Call& c, const std::string& backend, const Completion& done,
                             const OutputFindings& out) {
  audit::Event e = c.MakeEvent(audit::EventKind::kCompletion, audit::Decision::kAllow, done.status);
  e.backend = backend;
  e.response_bytes = c.sent_bytes;
  e.prompt_tokens = done.prompt_tokens;
  e.completion_tokens = done.completion_tokens;
  const std::string& o = done.outcome;
  if (o == "output_blocked") {
    e.decision = audit::Decision::kBlock;
    e.reasons.push_back(audit::Reason::kOutputLeak);
  } else if (o == "output_scan_failed" || o == "unscannable_output") {
    e.decision = audit::Decision::kError;
    e.reasons.push_back(audit::Reason::kScanFailed);
  } else if (o.rfind("upstream_", 0) == 0) {
    e.decision = audit::Decision::kError;
    e.reasons.push_back(audit::Reason::kUpstreamError);
  } else if (o == "client_disconnected") {
    e.reasons.push_back(audit::Reason::kClientDisconnected);
  } else if (!out.counts.empty()) {
    e.decision = audit::Decision::kRedact;  // leaks in the answer were redacted
    e.reasons.push_back(audit::Reason::kOutputLeak);
  }
  for (const auto& [type, n] : out.counts) {
    if (e.findings.size() >= audit::kMaxFindingCounts) break;
    auto cls = out.classes.find(type);
    e.findings.push_back({type, cls == out.classes.end() ? std::string() : cls->second, static_cast<std::uint32_t>(n)});
  }
  return e;
}

// ---- streamed responses --------------------------------------------------------

// One streamed text (a choice's content or a tool call's arguments).
struct StreamText {
  std::size_t choice = 0;
  int tool_call = -1;     // >= 0: tool_calls[index].function.arguments
  bool legacy_text = false;  // completions: choices[].text
  std::unique_ptr<OutputGuard> guard;
  std::unique_ptr<transform::StreamRehydrator> rehydrator;
};

Json FlushChunk(const Json& like, const StreamText& t, const std::string& text) {
  Json c = Json::object();
  for (const char* k : {"id", "object", "created", "model"})
    if (like.contains(k)) c[k] = like[k];
  Json choice = {{"index", t.choice}};
  if (t.legacy_text) {
    choice["text"] = text;
  } else if (t.tool_call >= 0) {
    choice["delta"] = {{"tool_calls", Json::array({{{"index", t.tool_call}, {"function", {{"arguments", text}}}}})}};
  } else {
    choice["delta"] = {{"content", text}};
  }
  choice["finish_reason"] = nullptr;
  c["choices"] = Json::array({choice});
  return c;
}

}  // namespace

// ------------------------------------------------------------------------------

namespace {

awaitable<std::optional<policy::Principal>> Authenticate(Call& c) {
  std::string auth = c.Header("Authorization");
  std::string key;
  if (auth.size() > 7 && (auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0)) key = auth.substr(7);
  auto p = c.s.keys->Authenticate(key, NowMs());
  if (!p.ok()) {
    ApiError e = p.status().code() == Status::Code::kIoError
                     ? Err(503, "service_unavailable", "store_unavailable", "the key store cannot be read")
                     : Err(401, "authentication_error", "invalid_api_key", p.status().message());
    Headers h;  // (a braced list of literals here trips GCC 12's coroutine lowering)
    h.emplace_back("WWW-Authenticate", "Bearer");
    co_await c.Refuse(e, audit::Reason::kUnauthenticated, std::move(h), audit::EventKind::kAuth);
    co_return std::nullopt;
  }
  c.principal = p->id;
  co_return std::move(*p);
}

awaitable<bool> TakeLimits(Call& c, const policy::Principal& p, Limiter::Slot* slot) {
  const auto& l = c.rt->config->limits;
  unsigned retry = 1;
  auto v = c.s.limiter.Acquire(p.id, {l.requests_per_second, l.burst, l.max_concurrent}, slot, &retry);
  if (v == Limiter::Verdict::kOk) co_return true;
  const std::string msg = v == Limiter::Verdict::kRate
                              ? "rate limit of " + std::to_string(l.requests_per_second) +
                                    " requests per second exceeded for principal " + p.id
                              : "too many concurrent requests for principal " + p.id + " (limit " +
                                    std::to_string(l.max_concurrent) + ")";
  Headers h;
  h.emplace_back("Retry-After", std::to_string(retry));
  co_await c.Refuse(Err(429, "rate_limit_error", "rate_limited", msg), audit::Reason::kRateLimited, std::move(h));
  co_return false;
}

// JSON with literal keys is built outside coroutines: GCC 12 miscompiles
// braced lists of string literals inside a coroutine body ("array used as
// initializer").
Json ModelsList(const config::Config& cfg, const policy::Principal& p) {
  Json data = Json::array();
  for (const auto& w : cfg.workflows) {
    if (!policy::MayUse(p, w)) continue;
    data.push_back({{"id", w.name}, {"object", "model"}, {"created", 0}, {"owned_by", "airlock"},
                    {"purpose", w.purpose}});
  }
  return Json{{"object", "list"}, {"data", data}};
}

Json StatusJson(const char* status) { return Json{{"status", status}}; }

// /metrics needs an API key unless the config makes it public.
bool MetricsNeedAuth(const config::Config& cfg) { return cfg.metrics.require_auth; }

// File parts of chat messages: each becomes a text part holding the
// file's name and text (PDF, DOCX or UTF-8 text; detect::ExtractDocumentBytes),
// which is then scanned like any other text; or, where `allowed` is false,
// the request is refused. No file part reaches a backend. Errors say where
// and what, never the content.
Status ReadAttachments(Json& body, bool allowed, const std::string& workflow) {
  for (const api::FilePart& fp : api::FileParts(body)) {
    if (!allowed) {
      return Status::InvalidArgument(fp.where + " is a file: workflow " + workflow +
                                     " does not read attachments (attachments: text reads PDF, DOCX and "
                                     "text files as text)");
    }
    Json& file = (*fp.part)["file"];
    const std::string& data = file["file_data"].get_ref<const std::string&>();
    std::string_view b64 = data;
    if (b64.starts_with("data:")) {
      const std::size_t comma = b64.find(',');
      if (comma == std::string_view::npos || b64.substr(0, comma).find(";base64") == std::string_view::npos) {
        return Status::InvalidArgument(fp.where + ".file.file_data: a data: URL must be base64 (data:TYPE;base64,...)");
      }
      b64.remove_prefix(comma + 1);
    }
    std::optional<std::string> bytes = Base64Decode(b64);
    if (!bytes.has_value()) return Status::InvalidArgument(fp.where + ".file.file_data is not valid base64");
    auto text = detect::ExtractDocumentBytes(*bytes);
    if (!text.ok()) return Status::InvalidArgument(fp.where + ": " + text.status().message());
    std::string name = file.contains("filename") ? file["filename"].get<std::string>() : std::string("attachment");
    *fp.part = Json{{"type", "text"}, {"text", "[" + name + "]\n" + *text}};
  }
  return Status::Ok();
}

// The workflow limited to its local backends (lockdown "local").
config::WorkflowConfig LocalOnly(const config::Config& cfg, const config::WorkflowConfig& wf) {
  config::WorkflowConfig w = wf;
  std::erase_if(w.backends, [&](const std::string& name) {
    const config::BackendConfig* b = cfg.FindBackend(name);
    return b == nullptr || b->type != "local";
  });
  return w;
}

std::string LockdownMessage(Lockdown ld, const std::string& workflow) {
  return ld == Lockdown::kRefuse
             ? "Airlock is in lockdown: every model call is refused until an administrator lifts it"
             : "Airlock is in lockdown (local models only) and workflow " + workflow + " has no local backend";
}

Json ScanResult(const std::vector<api::TextSlot>& slots, const std::vector<SlotFinding>& found) {
  Json findings = Json::array();
  Json counts = Json::object();
  for (const auto& sf : found) {
    const auto& first = sf.pieces.front();
    findings.push_back({{"where", slots[first.slot].where},
                        {"start", first.span.begin},
                        {"end", sf.pieces.size() == 1 ? first.span.end : sf.pieces.back().span.end},
                        {"split_across", sf.pieces.size()},
                        {"detector", sf.f.detector},
                        {"entity_type", sf.f.entity_type},
                        {"data_class", detect::DataClassName(sf.f.data_class)},
                        {"jurisdiction", sf.f.jurisdiction},
                        {"score", sf.f.score},
                        {"validated", sf.f.validated}});
    counts[sf.f.entity_type] = counts.value(sf.f.entity_type, 0) + 1;
  }
  return Json{{"object", "airlock.scan"}, {"findings", findings}, {"counts", counts}};
}

Json UpstreamCode(const Json& body) {
  if (body.contains("error") && body["error"].is_object() && body["error"].contains("code") &&
      body["error"]["code"].is_string())
    return Json{{"upstream_code", body["error"]["code"]}};
  return Json();
}

Json FinishChunk(const Json& like, std::size_t choice, const Json& reason) {
  Json fin = FlushChunk(like, StreamText{choice, -1, false, nullptr, nullptr}, "");
  fin["choices"][0]["delta"] = Json::object();
  fin["choices"][0]["finish_reason"] = reason;
  return fin;
}

// A chunk whose every choice is just {"delta": {"content": ""}} and no
// finish_reason: what the guard held back left nothing to send.
bool OnlyEmptyContent(const Json& chunk) {
  if (!chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty()) return false;
  if (chunk.contains("usage") && !chunk["usage"].is_null()) return false;
  for (const auto& ch : chunk["choices"]) {
    if (!ch.is_object() || !ch.contains("delta") || !ch["delta"].is_object()) return false;
    if (ch.contains("finish_reason") && !ch["finish_reason"].is_null()) return false;
    const Json& d = ch["delta"];
    if (d.size() != 1 || !d.contains("content") || d["content"] != "") return false;
  }
  return true;
}

// How long an admin call that reads the trail may take before its caller
// gets 503 (the read itself runs on; a million events verify in about a second).
constexpr std::chrono::milliseconds kAdminReadTimeout{120000};

awaitable<void> HandleAdmin(Call& c, const std::string& target) {
  const auto& cfg = *c.rt->config;
  if (!cfg.admin.enabled) {
    co_await c.Fail(Err(404, "invalid_request_error", "not_found", "the admin API is disabled (admin.enabled)"));
    co_return;
  }
  auto p = co_await Authenticate(c);
  if (!p) co_return;
  if (!IsAdmin(cfg, *p)) {
    co_await c.Refuse(Err(403, "permission_error", "admin_only",
                          "the admin API needs one of the roles in admin.roles; principal " + p->id + " holds none"),
                      audit::Reason::kForbidden, {}, audit::EventKind::kAuth);
    co_return;
  }
  std::string t(c.req.target());
  const auto q = t.find('?');
  const std::string query = q == std::string::npos ? std::string() : t.substr(q + 1);
  const bool post = c.req.method() == http::verb::post;
  if (!ReadsTrail(target)) {
    AdminReply r = HandleAdminCall(c.s, *c.rt, *p, post, target, query, c.req.body(), c.request_id);
    co_await c.out.Send(r.status, std::move(r.body), c.Base());
    co_return;
  }
  // On the admin reader thread (admin.h): the job owns copies of what it reads.
  std::function<Result<AdminReply>()> job = [s = &c.s, rt = c.rt, who = *p, post, target, query,
                                             body = std::string(c.req.body()), id = c.request_id]() {
    return Result<AdminReply>(HandleAdminCall(*s, *rt, who, post, target, query, body, id));
  };
  Result<AdminReply> r = co_await c.s.admin_reads.Run<AdminReply>(kAdminReadTimeout, std::move(job));
  if (!r.ok()) {
    co_await c.Fail(Err(503, "service_unavailable", "admin_busy", r.status().message()));
    co_return;
  }
  co_await c.out.Send(r->status, std::move(r->body), c.Base());
}

awaitable<void> HandleMetrics(Call& c) {
  const auto& cfg = *c.rt->config;
  if (!c.s.render_metrics) {
    co_await c.Fail(Err(404, "invalid_request_error", "not_found", "metrics are disabled"));
    co_return;
  }
  if (MetricsNeedAuth(cfg)) {
    auto p = co_await Authenticate(c);
    if (!p) co_return;
    if (!IsAdmin(cfg, *p) && std::find(p->roles.begin(), p->roles.end(), "metrics") == p->roles.end()) {
      co_await c.Refuse(Err(403, "permission_error", "metrics_only",
                            "/metrics needs the role metrics or an admin role; principal " + p->id + " holds neither"),
                        audit::Reason::kForbidden, {}, audit::EventKind::kAuth);
      co_return;
    }
  }
  Headers h = c.Base();
  h.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  co_await c.out.Send(200, c.s.render_metrics(), std::move(h));
}

awaitable<void> HandleModels(Call& c) {
  auto p = co_await Authenticate(c);
  if (!p) co_return;
  co_await c.Ok(ModelsList(*c.rt->config, *p));
}

awaitable<void> HandleScan(Call& c) {
  auto p = co_await Authenticate(c);
  if (!p) co_return;
  Json body = Json::parse(c.req.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    co_await c.Fail(Err(400, "invalid_request_error", "invalid_json", "request body must be a JSON object"));
    co_return;
  }
  std::vector<api::TextSlot> slots;
  if (auto t = body.find("text"); t != body.end() && t->is_string()) {
    slots.push_back({&t->get_ref<std::string&>(), "text", false, 0});
  } else if (body.contains("messages")) {
    Json probe = body;
    probe["model"] = "scan";
    auto parsed = api::ParseRequest(api::Endpoint::kChat, Dump(probe));
    if (!parsed.ok()) {
      co_await c.Fail(Err(400, "invalid_request_error", "invalid_request", parsed.status().message()));
      co_return;
    }
    // Scanning forwards nothing: attachments are read whatever the workflows say.
    if (!api::FileParts(body).empty()) {
      auto read = co_await ReadAttachmentsWithin(c.s, c.rt, body, true, "");
      if (!read.ok()) {
        if (read.status().code() == Status::Code::kInvalidArgument) {
          co_await c.Fail(Err(400, "invalid_request_error", "unreadable_attachment", read.status().message()));
        } else {
          co_await c.Refuse(DetectionError(read.status(), "nothing was scanned"), DetectionReason(read.status()), {},
                            audit::EventKind::kRequest, audit::Decision::kError);
        }
        co_return;
      }
      body = std::move(*read);
    }
    slots = api::RequestTexts(api::Endpoint::kChat, body);
  } else {
    co_await c.Fail(Err(400, "invalid_request_error", "invalid_request",
                        "body needs text (a string) or messages (chat messages)"));
    co_return;
  }
  auto found = co_await DetectSlotsWithin(c.s, c.rt, slots);
  if (!found.ok()) {
    co_await c.Refuse(DetectionError(found.status(), "nothing was scanned"), DetectionReason(found.status()), {},
                      audit::EventKind::kRequest, audit::Decision::kError);
    co_return;
  }
  // The findings are answered only once their event is committed.
  audit::Event ev = c.MakeEvent(audit::EventKind::kRequest, audit::Decision::kNone, 200);
  ev.reasons.push_back(audit::Reason::kScanOnly);
  AddFindings(ev, *found, *c.s.trail);
  auto id = co_await c.s.trail->Record(std::move(ev));
  if (!id.ok()) {
    co_await c.Fail(Err(503, "service_unavailable", "audit_failed", "the audit event could not be committed"));
    co_return;
  }
  co_await c.Ok(ScanResult(slots, *found));
}

// Times one step of a model call into airlock_stage_duration_seconds; a
// no-op when metrics are off.
class StageTimer {
 public:
  explicit StageTimer(const Services& s) : s_(s), t0_(std::chrono::steady_clock::now()) {}
  void Done(metrics::Stage stage) const {
    if (s_.observe_stage)
      s_.observe_stage(stage, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count());
  }

 private:
  const Services& s_;
  std::chrono::steady_clock::time_point t0_;
};

awaitable<void> HandleModelCall(Call& c, api::Endpoint endpoint) {
  const StageTimer auth_time(c.s);
  auto p = co_await Authenticate(c);
  auth_time.Done(metrics::Stage::kAuth);
  if (!p) co_return;
  Limiter::Slot slot;
  if (!co_await TakeLimits(c, *p, &slot)) co_return;

  auto parsed = api::ParseRequest(endpoint, c.req.body());
  if (!parsed.ok()) {
    const bool json = parsed.status().message().find("not valid JSON") != std::string::npos;
    co_await c.Refuse(Err(400, "invalid_request_error", json ? "invalid_json" : "invalid_request", parsed.status().message()),
                      audit::Reason::kInvalidRequest);
    co_return;
  }
  api::Request& req = *parsed;
  const config::Config& cfg = *c.rt->config;

  // Workflow: the header wins over the model name.
  std::string wf_name = c.Header("X-Airlock-Workflow");
  if (wf_name.empty()) wf_name = req.model;
  const config::WorkflowConfig* wf = cfg.FindWorkflow(wf_name);
  if (wf == nullptr) {
    co_await c.Refuse(Err(404, "invalid_request_error", "model_not_found",
                          "no workflow named '" + wf_name + "' (GET /v1/models lists those you may use)"),
                      audit::Reason::kUnknownWorkflow);
    co_return;
  }
  c.workflow = wf->name;
  if (!policy::MayUse(*p, *wf)) {
    co_await c.Refuse(Err(403, "permission_error", "forbidden_workflow",
                          "principal " + p->id + " holds none of the roles workflow " + wf->name + " allows"),
                      audit::Reason::kForbidden);
    co_return;
  }
  // Lockdown: only local backends, or nothing at all.
  config::WorkflowConfig locked;
  if (const Lockdown ld = c.s.lockdown_state(); ld != Lockdown::kOff) {
    if (ld == Lockdown::kLocal) locked = LocalOnly(cfg, *wf);
    if (ld == Lockdown::kRefuse || locked.backends.empty()) {
      co_await c.Refuse(Err(503, "service_unavailable", "lockdown", LockdownMessage(ld, wf->name)),
                        audit::Reason::kLockdown);
      co_return;
    }
    wf = &locked;
  }

  const bool has_files = !api::FileParts(req.body).empty();
  if (has_files) {
    auto read = co_await ReadAttachmentsWithin(c.s, c.rt, req.body, wf->attachments_as_text, wf->name);
    if (!read.ok()) {
      if (read.status().code() == Status::Code::kInvalidArgument) {
        co_await c.Refuse(Err(400, "invalid_request_error", "unreadable_attachment", read.status().message()),
                          audit::Reason::kInvalidRequest);
      } else {
        co_await c.Refuse(DetectionError(read.status(), "nothing was forwarded"), DetectionReason(read.status()), {},
                          audit::EventKind::kRequest, audit::Decision::kError);
      }
      co_return;
    }
    req.body = std::move(*read);
  }
  std::vector<api::TextSlot> slots = api::RequestTexts(endpoint, req.body);
  std::string conversation = c.Header("X-Airlock-Conversation");
  if (conversation.empty()) {
    // Derived: the same principal, workflow and opening message make the
    // same conversation on every turn.
    conversation = p->id + '\0' + wf->name + '\0' + (slots.empty() ? std::string() : *slots.front().text);
  } else {
    conversation = p->id + '\0' + conversation;
  }

  // Minimise before detection.
  const auto rules = RulesOf(wf->minimise);
  for (auto& sl : slots) {
    if (wf->minimise.max_document_bytes && sl.text->size() > wf->minimise.max_document_bytes) {
      co_await c.Refuse(Err(413, "invalid_request_error", "document_too_large",
                            sl.where + " has " + std::to_string(sl.text->size()) + " bytes; workflow " + wf->name +
                                " allows at most " + std::to_string(wf->minimise.max_document_bytes)),
                        audit::Reason::kRequestTooLarge);
      co_return;
    }
    bool changed = false;
    std::string reduced = transform::MinimiseRecords(*sl.text, rules, &changed);
    if (changed) *sl.text = std::move(reduced);
  }

  const StageTimer scan_time(c.s);
  auto found = co_await DetectSlotsWithin(c.s, c.rt, slots);
  scan_time.Done(metrics::Stage::kRequestScan);
  if (!found.ok()) {
    co_await c.Refuse(DetectionError(found.status(), "nothing was forwarded"), DetectionReason(found.status()), {},
                      audit::EventKind::kRequest, audit::Decision::kError);
    co_return;
  }
  std::vector<detect::Finding> plain;
  for (const auto& sf : *found) plain.push_back(sf.f);
  policy::Decision d = policy::Decide(*p, *wf, plain, cfg, c.rt->jurisdictions);
  d = PreferHealthy(std::move(d), *p, *wf, plain, cfg, c.rt->jurisdictions, c.s.health);  // (s3-local)

  audit::Event ev = c.MakeEvent(audit::EventKind::kRequest, audit::Decision::kBlock, 403);
  ev.reasons = ReasonsOf(d);
  if (has_files) ev.reasons.push_back(audit::Reason::kAttachmentsRead);
  AddFindings(ev, *found, *c.s.trail);
  if (!d.allowed) {
    const StageTimer commit_time(c.s);
    auto id = co_await c.s.trail->Record(std::move(ev));
    commit_time.Done(metrics::Stage::kAuditCommit);
    if (!id.ok()) {
      co_await c.Fail(Err(503, "service_unavailable", "audit_failed", "the audit event could not be committed"));
      co_return;
    }
    ApiError e = Err(403, "permission_error", d.code.empty() ? "policy_blocked" : d.code,
                     d.code == "residency_blocked"
                         ? "blocked by data residency: no backend of workflow " + wf->name +
                               " may receive this request's EU personal data"
                         : "blocked by workflow " + wf->name + " policy");
    if (!d.blocked_classes.empty()) {
      std::string classes;
      for (const auto& cl : d.blocked_classes) classes += (classes.empty() ? "" : ", ") + cl;
      e.message += " (data classes: " + classes + ")";
    }
    e.details = DecisionDetails(*wf, d);
    co_await c.Fail(e);
    co_return;
  }
  auto be_it = c.rt->backends.find(d.backend->name);
  if (be_it == c.rt->backends.end()) {
    co_await c.Fail(Err(503, "service_unavailable", "no_backend", "backend " + d.backend->name + " is not available"));
    co_return;
  }
  backend::Backend& be = *be_it->second;
  if (std::string why = be.Unavailable(); !why.empty()) {
    co_await c.Refuse(Err(503, "service_unavailable", "no_model", why), audit::Reason::kNoBackendAvailable);
    co_return;
  }

  // Transform: one vault update for the whole request.
  std::set<std::string> allowed;  // fingerprints of values sent in the clear
  std::vector<std::vector<transform::Replacement>> reps(slots.size());
  const std::vector<SlotFinding> changes = TransformSet(*wf, *found);
  Status vs = c.s.vault->Update(conversation, [&](transform::Mapping& m) {
    for (const auto& sf : changes) {
      const config::Action a = policy::ActionFor(*wf, detect::DataClassName(sf.f.data_class));
      std::string with;
      switch (a) {
        case config::Action::kAllow:
          allowed.insert(c.s.trail->Digest(sf.value));
          continue;
        case config::Action::kRedact: with = transform::RedactMarker(sf.f.entity_type); break;
        case config::Action::kMask: with = transform::Mask(sf.value, sf.f.entity_type); break;
        case config::Action::kHash: with = transform::Hash(sf.value, sf.f.entity_type, c.s.hash_key); break;
        case config::Action::kPseudonymise: with = m.Surrogate(sf.f.entity_type, sf.value); break;
        case config::Action::kBlock: with = transform::RedactMarker(sf.f.entity_type); break;  // unreachable: blocked
      }
      for (std::size_t i = 0; i < sf.pieces.size(); ++i)
        reps[sf.pieces[i].slot].push_back({sf.pieces[i].span, i == 0 ? with : std::string()});
    }
  });
  if (!vs.ok()) {
    co_await c.Fail(Err(503, "service_unavailable", "vault_failed", "the pseudonym vault failed; nothing was forwarded"));
    co_return;
  }
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (!reps[i].empty()) *slots[i].text = transform::ApplyReplacements(*slots[i].text, std::move(reps[i]));
  }

  ev.decision = AllowedDecision(*wf, d, *found);
  ev.status = 0;  // not answered yet: the completion event carries the status
  ev.backend = d.backend->name;
  ev.response_bytes = 0;
  const StageTimer commit_time(c.s);
  auto committed = co_await c.s.trail->Record(std::move(ev));
  commit_time.Done(metrics::Stage::kAuditCommit);
  if (!committed.ok()) {
    co_await c.Fail(Err(503, "service_unavailable", "audit_failed",
                        "the audit event could not be committed; nothing was forwarded"));
    co_return;
  }

  auto mapping = c.s.vault->Read(conversation);
  if (!mapping.ok()) {
    co_await c.Fail(Err(503, "service_unavailable", "vault_failed", "the pseudonym vault failed"));
    co_return;
  }
  auto fingerprint = [trail = c.s.trail.get()](std::string_view v) { return trail->Digest(v); };
  OutputFindings out_findings;
  Completion done;

  auto upstream_error = [&](const Status& st) { return BackendError(st); };  // (s3-local) 400/503 from the local engine
  auto upstream_status = [&](const backend::Reply& r) {
    ApiError e = Err(502, "upstream_error", "upstream_status",
                     "backend " + d.backend->name + " answered HTTP " + std::to_string(r.status));
    // The upstream's message may echo (transformed) input; pass its code only.
    e.details = UpstreamCode(r.body);
    return e;
  };

  if (!req.stream) {
    const StageTimer upstream_time(c.s);
    // A client that closes its connection meanwhile cancels the call: the
    // local engine stops generating (a remote call runs to its end).
    std::stop_source gone;
    req.cancel = gone.get_token();
    c.out.WatchForClose(gone);
    auto reply = co_await be.Complete(req);
    c.out.StopWatching();
    upstream_time.Done(metrics::Stage::kUpstream);
    const bool client_gone = gone.stop_requested();
    if (!client_gone || reply.ok()) ReportOutcome(c.s.health, d.backend->name, reply);  // (s3-local)
    if (client_gone) {
      // Nothing is sent: nobody is there to read it.
      done.status = 499;  // "client closed request", as nginx logs it
      done.outcome = "client_disconnected";
    } else if (!reply.ok()) {
      done.status = 502;
      done.outcome = "upstream_error";
      co_await c.Fail(upstream_error(reply.status()));
    } else if (reply->status != 200) {
      done.status = 502;
      done.outcome = "upstream_status_" + std::to_string(reply->status);
      co_await c.Fail(upstream_status(*reply));
    } else {
      Json& body = reply->body;
      const StageTimer response_time(c.s);
      std::vector<api::TextSlot> texts = api::ResponseTexts(endpoint, body);
      auto scanned = co_await GuardResponseWithin(c.s, c.rt, wf->output, texts, allowed);
      const bool failed = !scanned.ok();
      if (!failed) {
        out_findings = std::move(scanned->findings);
        for (std::size_t i = 0; i < texts.size(); ++i) {
          *texts[i].text = transform::Rehydrate(scanned->texts[i], *mapping, texts[i].json_encoded);
        }
      }
      response_time.Done(metrics::Stage::kResponseScan);
      const api::Usage u = api::ReadUsage(body);
      done.prompt_tokens = u.prompt_tokens;
      done.completion_tokens = u.completion_tokens;
      if (failed) {
        done.status = 503;
        done.outcome = "output_scan_failed";
        co_await c.Fail(Err(503, "service_unavailable", "detection_failed", "the response could not be scanned"));
      } else if (out_findings.blocked) {
        done.status = 502;
        done.outcome = "output_blocked";
        co_await c.Fail(Err(502, "upstream_error", "output_blocked",
                            "the response carried sensitive data that workflow " + wf->name + " does not release"));
      } else {
        done.status = 200;
        done.outcome = "ok";
        co_await c.Ok(body);
      }
    }
  } else {
    std::vector<std::unique_ptr<StreamText>> texts;
    auto state_for = [&](const api::TextSlot& sl, const Json& choice_json) -> StreamText& {
      const std::size_t ci = choice_json.value("index", sl.message);
      int tc = -1;
      const auto pos = sl.where.find("tool_calls[");
      if (pos != std::string::npos) {
        const std::size_t j = std::stoul(sl.where.substr(pos + 11));
        const Json& calls = choice_json["delta"]["tool_calls"];
        tc = j < calls.size() && calls[j].contains("index") && calls[j]["index"].is_number_integer()
                 ? calls[j]["index"].get<int>()
                 : static_cast<int>(j);
      }
      const bool legacy = sl.where.size() > 5 && sl.where.compare(sl.where.size() - 5, 5, ".text") == 0;
      for (auto& t : texts)
        if (t->choice == ci && t->tool_call == tc && t->legacy_text == legacy) return *t;
      auto t = std::make_unique<StreamText>();
      t->choice = ci;
      t->tool_call = tc;
      t->legacy_text = legacy;
      t->guard = MakeStreamGuard(c.s.analyzer, &c.rt->indexes, wf->output, cfg.detection.hold_back_bytes, &allowed,
                                 fingerprint, &out_findings);
      t->rehydrator = std::make_unique<transform::StreamRehydrator>(&*mapping, sl.json_encoded);
      texts.push_back(std::move(t));
      return *texts.back();
    };
    bool started = false, client_gone = false, scan_failed = false;
    Json last_chunk = Json::object();
    // How long the scan holds the start of the answer back: from the first
    // chunk to the first text released (stage stream_hold).
    std::optional<StageTimer> hold_time;
    auto released_text = [&](const std::string& text) {
      if (text.empty() || !hold_time) return;
      hold_time->Done(metrics::Stage::kStreamHold);
      hold_time.reset();
    };
    auto last_sent = std::chrono::steady_clock::now();
    // One SSE frame to the client; the first opens the stream.
    auto send = [&](std::string frame) -> awaitable<bool> {
      if (!started) {
        started = true;
        if (!co_await c.out.StartStream(c.Base())) co_return false;
      }
      last_sent = std::chrono::steady_clock::now();
      const bool ok = co_await c.Chunk(std::move(frame));
      co_return ok;
    };
    auto emit = [&](const Json& j) -> awaitable<bool> {
      const bool ok = co_await send(api::SseFrame(Dump(j)));
      co_return ok;
    };
    // While the guard holds text back, the client may see nothing for a
    // while (a slow model, a long hold-back); an SSE comment line every
    // detection.stream_keepalive_ms keeps proxies from closing the
    // connection as idle. Clients ignore comments; it carries no text.
    const auto keepalive = std::chrono::milliseconds(cfg.detection.stream_keepalive_ms);
    auto keep_alive = [&]() -> awaitable<bool> {
      if (keepalive.count() == 0 || std::chrono::steady_clock::now() - last_sent < keepalive) co_return true;
      const bool ok = co_await send(std::string(": held back until scanned\n\n"));
      co_return ok;
    };
    // Releases what a choice's texts still hold.
    auto flush = [&](std::optional<std::size_t> choice) -> awaitable<bool> {
      for (auto& t : texts) {
        if (choice && t->choice != *choice) continue;
        auto rest = t->guard->Finish();
        if (!rest.ok()) {
          scan_failed = true;
          co_return false;
        }
        if (out_findings.blocked) co_return false;
        released_text(*rest);
        std::string text = t->rehydrator->Feed(*rest) + t->rehydrator->Finish();
        if (!text.empty() && !co_await emit(FlushChunk(last_chunk, *t, text))) co_return false;
      }
      co_return true;
    };
    const StageTimer first_chunk_time(c.s);
    bool first_chunk = true;
    // Until the first event (a slow model may think for a minute before it)
    // the socket is watched for the client's hang-up, which cancels the
    // call, as on the non-streamed path. The watch ends before anything is
    // written: stopping it cancels every operation on the socket.
    std::stop_source gone;
    req.cancel = gone.get_token();
    c.out.WatchForClose(gone);
    backend::EventSink sink = [&](std::string data) -> awaitable<bool> {
      if (first_chunk) {
        c.out.StopWatching();
        first_chunk = false;
        first_chunk_time.Done(metrics::Stage::kUpstreamFirstChunk);
        hold_time.emplace(c.s);
      }
      Json chunk = Json::parse(data, nullptr, false);
      if (chunk.is_discarded() || !chunk.is_object()) {
        scan_failed = true;  // cannot scan what we cannot parse: deliver nothing of it
        co_return false;
      }
      if (chunk.contains("usage") && chunk["usage"].is_object()) {
        const api::Usage u = api::ReadUsage(chunk);
        done.prompt_tokens = u.prompt_tokens;
        done.completion_tokens = u.completion_tokens;
      }
      for (auto& sl : api::DeltaTexts(chunk)) {
        const Json& choice_json = chunk["choices"][sl.message];
        StreamText& t = state_for(sl, choice_json);
        auto released = t.guard->Feed(*sl.text);
        if (!released.ok()) {
          scan_failed = true;
          co_return false;
        }
        released_text(*released);
        *sl.text = t.rehydrator->Feed(*released);
      }
      if (out_findings.blocked) co_return false;
      last_chunk = chunk;
      if (OnlyEmptyContent(chunk)) {  // all held back: nothing to send yet
        if (!co_await keep_alive()) {
          client_gone = true;
          co_return false;
        }
        co_return true;
      }
      // A choice that finishes first gets what its texts still hold, then
      // its finish_reason.
      std::vector<std::pair<std::size_t, Json>> finishing;
      if (chunk.contains("choices") && chunk["choices"].is_array()) {
        for (auto& ch : chunk["choices"]) {
          if (ch.is_object() && ch.contains("finish_reason") && !ch["finish_reason"].is_null()) {
            finishing.emplace_back(ch.value("index", std::size_t{0}), ch["finish_reason"]);
            ch["finish_reason"] = nullptr;
          }
        }
      }
      if (!co_await emit(chunk)) {
        client_gone = true;
        co_return false;
      }
      for (auto& [ci, reason] : finishing) {
        if (!co_await flush(ci)) {
          client_gone = !scan_failed && !out_findings.blocked;
          co_return false;
        }
        if (!co_await emit(FinishChunk(last_chunk, ci, reason))) {
          client_gone = true;
          co_return false;
        }
        std::erase_if(texts, [ci = ci](const auto& t) { return t->choice == ci; });
      }
      co_return true;
    };
    auto reply = co_await be.Stream(req, sink);
    c.out.StopWatching();  // (idempotent: a no-op once the first event stopped it)
    const bool left = gone.stop_requested();  // hung up while the watch was on
    if (!left || reply.ok()) ReportOutcome(c.s.health, d.backend->name, reply);  // (s3-local)
    if (left && !started) {
      done.status = 499;  // nothing was sent: as on the non-streamed path
      done.outcome = "client_disconnected";
    } else if (!reply.ok() && !started) {
      done.status = 502;
      done.outcome = "upstream_error";
      co_await c.Fail(upstream_error(reply.status()));
    } else if (reply.ok() && reply->status != 200) {
      done.status = 502;
      done.outcome = "upstream_status_" + std::to_string(reply->status);
      co_await c.Fail(upstream_status(*reply));
    } else if (client_gone || left) {
      done.status = 200;
      done.outcome = "client_disconnected";
    } else {
      bool ok = reply.ok() && !scan_failed && !out_findings.blocked;
      if (ok) ok = co_await flush(std::nullopt);
      if (ok && !scan_failed && !out_findings.blocked) {
        if (!started) started = co_await c.out.StartStream(c.Base());
        co_await c.Chunk("data: [DONE]\n\n");
        done.status = 200;
        done.outcome = "ok";
      } else {
        // End the stream with an error event; nothing unscanned was sent.
        ApiError e = out_findings.blocked
                         ? Err(502, "upstream_error", "output_blocked",
                               "the response carried sensitive data that workflow " + wf->name + " does not release")
                     : scan_failed ? Err(502, "upstream_error", "unscannable_output",
                                         "the backend sent an event that could not be scanned")
                                   : upstream_error(reply.ok() ? Status::IoError("stream failed") : reply.status());
        done.status = 502;
        done.outcome = out_findings.blocked ? "output_blocked" : scan_failed ? "unscannable_output" : "upstream_error";
        if (!started) {
          co_await c.Fail(e);
        } else {
          co_await c.Chunk(api::SseFrame(api::ErrorBody(e)));
        }
      }
    }
    if (started) co_await c.out.EndStream();
  }
  // The response is out; a failed completion write is reported, not hidden.
  c.s.trail->RecordDetached(CompletionEvent(c, d.backend->name, done, out_findings));
}

}  // namespace

awaitable<void> Gateway::Handle(const HttpRequest& req, Responder& out, bool admin_listener) {
  ++in_flight_;
  struct Done {
    std::atomic<unsigned>* n;
    ~Done() { --*n; }
  } done{&in_flight_};
  Call c{*s_, s_->runtime(), req, out, NewRequestId(), std::chrono::steady_clock::now(), {}, {}};
  std::string target(req.target());
  if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
  const bool get = req.method() == http::verb::get;
  const bool post = req.method() == http::verb::post;

  if (target == "/healthz") {
    if (get) co_await c.Ok(StatusJson("ok"));
    else co_await c.Fail(Err(405, "invalid_request_error", "method_not_allowed", "use GET"));
    co_return;
  }
  if (target == "/readyz") {
    if (draining_) co_await c.Fail(Err(503, "service_unavailable", "draining", "the server is shutting down"));
    else co_await c.Ok(ReadyJson(*c.rt, c.s.health));  // (s3-local) per-backend health
    co_return;
  }
  const auto& admin = c.rt->config->admin;
  const bool separate_admin = !admin.host.empty();
  if (target.rfind("/admin/", 0) == 0 && admin_listener == separate_admin) {
    if (!get && !post) co_await c.Fail(Err(405, "invalid_request_error", "method_not_allowed", "use GET or POST"));
    else co_await HandleAdmin(c, target);
    co_return;
  }
  if (target == "/metrics") {
    if (!get) co_await c.Fail(Err(405, "invalid_request_error", "method_not_allowed", "use GET"));
    else co_await HandleMetrics(c);
    co_return;
  }
  if (admin_listener) {
    co_await c.Fail(Err(404, "invalid_request_error", "not_found",
                        "the admin listener serves /admin/v1/..., /metrics, /healthz and /readyz only"));
    co_return;
  }
  if (target == "/v1/models") {
    if (!get) co_await c.Fail(Err(405, "invalid_request_error", "method_not_allowed", "use GET"));
    else co_await HandleModels(c);
    co_return;
  }
  if (target != "/v1/chat/completions" && target != "/v1/completions" && target != "/v1/embeddings" &&
      target != "/v1/airlock/scan") {
    co_await c.Fail(Err(404, "invalid_request_error", "not_found", "no endpoint " + target));
    co_return;
  }
  if (!post) {
    co_await c.Fail(Err(405, "invalid_request_error", "method_not_allowed", "use POST"));
    co_return;
  }
  if (draining_) {
    co_await c.Fail(Err(503, "service_unavailable", "draining", "the server is shutting down"));
    co_return;
  }
  if (target == "/v1/airlock/scan") co_await HandleScan(c);
  else if (target == "/v1/chat/completions") co_await HandleModelCall(c, api::Endpoint::kChat);
  else if (target == "/v1/completions") co_await HandleModelCall(c, api::Endpoint::kCompletion);
  else co_await HandleModelCall(c, api::Endpoint::kEmbedding);
}

}  // namespace airlock::server
