#include "airlock/alerts/rules.h"

#include <algorithm>
#include <deque>
#include <mutex>
#include <set>

#include "airlock/audit/fingerprint.h"
#include "airlock/core/bytes.h"
#include "internal/lru.h"

namespace airlock::alerts {

namespace {

enum class RuleType {
  kThreshold,
  kDistinctValues,
  kFirstBackendUse,
  kOutsideHours,
  kCanary,
  kChainFailure
};
enum class Metric { kBlockedRequests, kFindings, kRequests };
enum class Per { kPrincipal, kWorkflow, kGlobal };

struct WindowEntry {
  std::int64_t time_us;
  std::uint64_t amount;
  std::string event_id;
};

struct Window {
  std::deque<WindowEntry> entries;
  std::uint64_t sum = 0;
};

struct Rule {
  config::AlertRuleConfig cfg;
  RuleType type = RuleType::kThreshold;
  Metric metric = Metric::kBlockedRequests;
  Per per = Per::kPrincipal;
  Severity severity = Severity::kMedium;
  std::set<std::string> known;
  internal::LruMap<Window> windows;
  internal::LruMap<std::int64_t> quiet_until;  // cool-down end per key
  internal::LruMap<bool> seen;                 // first_backend_use

  Rule(config::AlertRuleConfig c, std::size_t max_keys)
      : cfg(std::move(c)), windows(max_keys), quiet_until(max_keys), seen(max_keys) {}

  // True when the rule may fire for `key` now; starts its cool-down.
  bool Cool(const std::string& key, std::int64_t now_us) {
    if (cfg.cooldown_ms == 0) return true;
    std::int64_t* until = quiet_until.Find(key);
    if (until != nullptr && now_us < *until) return false;
    quiet_until.Get(key) = now_us + static_cast<std::int64_t>(cfg.cooldown_ms) * 1000;
    return true;
  }
};

bool ParseType(const std::string& s, RuleType* t) {
  static const std::pair<const char*, RuleType> kTypes[] = {
      {"threshold", RuleType::kThreshold},
      {"distinct_values", RuleType::kDistinctValues},
      {"first_backend_use", RuleType::kFirstBackendUse},
      {"outside_hours", RuleType::kOutsideHours},
      {"canary", RuleType::kCanary},
      {"chain_failure", RuleType::kChainFailure}};
  for (const auto& [name, type] : kTypes) {
    if (s == name) {
      *t = type;
      return true;
    }
  }
  return false;
}

std::string PerKey(Per per, const audit::Event& e) {
  switch (per) {
    case Per::kPrincipal:
      return "principal:" + e.principal;
    case Per::kWorkflow:
      return "workflow:" + e.workflow;
    case Per::kGlobal:
      return "global";
  }
  return "global";
}

std::uint64_t MetricAmount(const Rule& r, const audit::Event& e) {
  switch (r.metric) {
    case Metric::kBlockedRequests:
      return e.decision == audit::Decision::kBlock ? 1 : 0;
    case Metric::kRequests:
      return e.kind == audit::EventKind::kRequest ? 1 : 0;
    case Metric::kFindings: {
      std::uint64_t n = 0;
      for (const auto& f : e.findings)
        if (r.cfg.data_class.empty() || f.data_class == r.cfg.data_class) n += f.count;
      return n;
    }
  }
  return 0;
}

FingerprintHex Hex(const audit::ValueFingerprint& f) {
  return {f.entity_type,
          HexEncode(std::string_view(reinterpret_cast<const char*>(f.mac.data()), f.mac.size()))};
}

// Minute of the day and day of the week (0 = Monday) at `now_us` + offset.
void LocalTime(std::int64_t now_us, int offset_min, int* minute, int* weekday) {
  std::int64_t mins = now_us / 60000000 + offset_min;
  if (now_us < 0 && now_us % 60000000 != 0) --mins;
  std::int64_t days = mins / 1440;
  std::int64_t m = mins % 1440;
  if (m < 0) {
    m += 1440;
    --days;
  }
  *minute = static_cast<int>(m);
  *weekday = static_cast<int>(((days + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
}

bool WithinHours(const config::AlertRuleConfig& c, std::int64_t now_us) {
  int minute = 0, weekday = 0;
  LocalTime(now_us, c.utc_offset_min, &minute, &weekday);
  if ((c.days_mask & (1u << weekday)) == 0) return false;
  const int from = static_cast<int>(c.hours_start_min), to = static_cast<int>(c.hours_end_min);
  return from < to ? (minute >= from && minute < to) : (minute >= from || minute < to);
}

std::string ProblemCode(std::string_view problem) {
  std::string out;
  for (char c : problem) {
    if (out.size() == 32) break;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
      out += c;
    else if (c >= 'A' && c <= 'Z')
      out += static_cast<char>(c - 'A' + 'a');
    else
      out += '_';
  }
  return out.empty() ? "unknown" : out;
}

}  // namespace

struct RuleSet::Impl {
  std::mutex mu;
  std::vector<Rule> rules;
  std::set<std::pair<std::string, std::array<std::uint8_t, 32>>> canaries;  // fingerprints only

  Alert Base(const Rule& r, const audit::Event& e, const audit::EventId& id, std::int64_t now_us,
             std::string key) const {
    Alert a;
    a.rule = r.cfg.name;
    a.type = r.cfg.type;
    a.severity = r.severity;
    a.time_us = now_us;
    a.key = std::move(key);
    a.principal = e.principal;
    a.workflow = e.workflow;
    a.backend = e.backend;
    a.events.push_back(id.ToString());
    return a;
  }

  void Threshold(Rule& r, const audit::Event& e, const audit::EventId& id, std::int64_t now_us,
                 std::vector<Alert>* out) {
    const std::uint64_t amount = MetricAmount(r, e);
    if (amount == 0) return;
    std::string key = PerKey(r.per, e);
    Window& w = r.windows.Get(key);
    w.entries.push_back({now_us, amount, id.ToString()});
    w.sum += amount;
    const std::int64_t horizon = now_us - static_cast<std::int64_t>(r.cfg.window_ms) * 1000;
    // Every entry counts at least 1, so `count` entries are enough to decide.
    while (!w.entries.empty() &&
           (w.entries.front().time_us <= horizon || w.entries.size() > r.cfg.count)) {
      w.sum -= w.entries.front().amount;
      w.entries.pop_front();
    }
    if (w.sum < r.cfg.count || !r.Cool(key, now_us)) return;
    Alert a = Base(r, e, id, now_us, std::move(key));
    a.count = w.sum;
    a.threshold = r.cfg.count;
    a.window_ms = r.cfg.window_ms;
    a.events.clear();
    const std::size_t skip =
        w.entries.size() > kMaxAlertEventIds ? w.entries.size() - kMaxAlertEventIds : 0;
    for (std::size_t i = skip; i < w.entries.size(); ++i) a.events.push_back(w.entries[i].event_id);
    out->push_back(std::move(a));
  }

  void Distinct(Rule& r, const audit::Event& e, const audit::EventId& id, std::int64_t now_us,
                std::vector<Alert>* out) {
    if (e.fingerprints.size() < r.cfg.count) return;
    std::set<std::pair<std::string, std::array<std::uint8_t, 32>>> distinct;
    for (const auto& f : e.fingerprints) distinct.emplace(f.entity_type, f.mac);
    if (distinct.size() < r.cfg.count) return;
    std::string key = PerKey(Per::kPrincipal, e);
    if (!r.Cool(key, now_us)) return;
    Alert a = Base(r, e, id, now_us, std::move(key));
    a.count = distinct.size();
    a.threshold = r.cfg.count;
    for (const auto& [type, mac] : distinct) {
      if (a.fingerprints.size() == kMaxAlertFingerprints) break;
      a.fingerprints.push_back(Hex({type, mac}));
    }
    out->push_back(std::move(a));
  }

  void FirstBackend(Rule& r, const audit::Event& e, const audit::EventId& id, std::int64_t now_us,
                    std::vector<Alert>* out) {
    if (e.backend.empty() || r.known.count(e.backend)) return;
    std::string key =
        (r.per == Per::kGlobal ? std::string() : PerKey(r.per, e) + "|") + "backend:" + e.backend;
    if (r.seen.Find(key) != nullptr) return;
    r.seen.Get(key) = true;
    Alert a = Base(r, e, id, now_us, std::move(key));
    a.count = 1;
    out->push_back(std::move(a));
  }

  void OutsideHours(Rule& r, const audit::Event& e, const audit::EventId& id, std::int64_t now_us,
                    std::vector<Alert>* out) {
    if (e.kind != audit::EventKind::kRequest || WithinHours(r.cfg, now_us)) return;
    std::string key = PerKey(Per::kPrincipal, e);
    if (!r.Cool(key, now_us)) return;
    Alert a = Base(r, e, id, now_us, std::move(key));
    a.count = 1;
    out->push_back(std::move(a));
  }

  void Canary(Rule& r, const audit::Event& e, const audit::EventId& id, std::int64_t now_us,
              std::vector<Alert>* out) {
    std::vector<FingerprintHex> hits;
    for (const auto& f : e.fingerprints) {
      if (!canaries.count({f.entity_type, f.mac})) continue;
      FingerprintHex h = Hex(f);
      if (std::find(hits.begin(), hits.end(), h) == hits.end() &&
          hits.size() < kMaxAlertFingerprints)
        hits.push_back(std::move(h));
    }
    if (hits.empty()) return;
    std::string key = PerKey(Per::kPrincipal, e);
    if (!r.Cool(key, now_us)) return;
    Alert a = Base(r, e, id, now_us, std::move(key));
    a.count = hits.size();
    a.fingerprints = std::move(hits);
    out->push_back(std::move(a));
  }
};

RuleSet::RuleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleSet::~RuleSet() = default;

Result<std::unique_ptr<RuleSet>> RuleSet::Create(const config::AlertsConfig& cfg,
                                                 const audit::HmacKey& key) {
  auto impl = std::make_unique<Impl>();
  for (const auto& rc : cfg.rules) {
    Rule r(rc, cfg.max_keys);
    const std::string where = rc.source.empty() ? "alert rule " + rc.name : rc.source;
    if (!ParseType(rc.type, &r.type)) return Status::InvalidArgument(where + ": unknown rule type");
    if (!ParseSeverity(rc.severity, &r.severity))
      return Status::InvalidArgument(where + ": unknown severity");
    if (rc.metric == "findings")
      r.metric = Metric::kFindings;
    else if (rc.metric == "requests")
      r.metric = Metric::kRequests;
    if (rc.per == "workflow")
      r.per = Per::kWorkflow;
    else if (rc.per == "global")
      r.per = Per::kGlobal;
    if (r.type == RuleType::kThreshold && (rc.count == 0 || rc.window_ms == 0))
      return Status::InvalidArgument(where + ": threshold rule needs count and window above 0");
    r.known.insert(rc.known.begin(), rc.known.end());
    impl->rules.push_back(std::move(r));
  }
  for (const auto& c : cfg.canaries) {
    const audit::ValueFingerprint f = audit::FingerprintValue(key, c.entity_type, c.value);
    impl->canaries.emplace(f.entity_type, f.mac);
  }
  return std::unique_ptr<RuleSet>(new RuleSet(std::move(impl)));
}

std::vector<Alert> RuleSet::Observe(const audit::Event& e, const audit::EventId& id,
                                    std::int64_t now_us) {
  std::vector<Alert> out;
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (Rule& r : impl_->rules) {
    switch (r.type) {
      case RuleType::kThreshold:
        impl_->Threshold(r, e, id, now_us, &out);
        break;
      case RuleType::kDistinctValues:
        impl_->Distinct(r, e, id, now_us, &out);
        break;
      case RuleType::kFirstBackendUse:
        impl_->FirstBackend(r, e, id, now_us, &out);
        break;
      case RuleType::kOutsideHours:
        impl_->OutsideHours(r, e, id, now_us, &out);
        break;
      case RuleType::kCanary:
        impl_->Canary(r, e, id, now_us, &out);
        break;
      case RuleType::kChainFailure:
        break;  // reported through ChainFailure
    }
  }
  return out;
}

std::vector<Alert> RuleSet::ChainFailure(const audit::EventId& at, std::string_view problem,
                                         std::int64_t now_us) {
  std::vector<Alert> out;
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<Rule*> rules;
  for (Rule& r : impl_->rules)
    if (r.type == RuleType::kChainFailure) rules.push_back(&r);
  // A broken chain is never silent: without a configured rule, a built-in
  // critical one stands in (no cool-down).
  static Rule builtin = [] {
    config::AlertRuleConfig c;
    c.name = "chain_failure";
    c.type = "chain_failure";
    c.cooldown_ms = 0;
    Rule r(c, 1);
    r.severity = Severity::kCritical;
    return r;
  }();
  if (rules.empty()) rules.push_back(&builtin);
  audit::Event e;
  for (Rule* r : rules) {
    std::string key = "instance:" + at.instance;
    if (!r->Cool(key, now_us)) continue;
    Alert a = impl_->Base(*r, e, at, now_us, std::move(key));
    a.count = 1;
    a.detail = ProblemCode(problem);
    out.push_back(std::move(a));
  }
  return out;
}

Alert RuleSet::Lockdown(bool on, std::string_view principal, std::int64_t now_us) {
  Alert a;
  a.rule = "lockdown";
  a.type = "lockdown";
  a.severity = Severity::kHigh;
  a.time_us = now_us;
  a.key = "global";
  a.principal = audit::IsIdentifier(principal) ? std::string(principal) : std::string("invalid");
  a.count = 1;
  a.detail = on ? "lockdown_on" : "lockdown_off";
  return a;
}

std::size_t RuleSet::canary_count() const { return impl_->canaries.size(); }

}  // namespace airlock::alerts
