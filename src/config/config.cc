#include "airlock/config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace airlock::config {

namespace {

// Thrown only inside this file and turned into a Status by Parse.
struct ConfigError {
  std::string message;
};

std::string Where(const std::string& source, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return source;
  return source + ":" + std::to_string(m.line + 1);
}

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void Fail(const YAML::Node& n, const std::string& msg) const {
    throw ConfigError{Where(source_, n) + ": " + msg};
  }

  // Rejects keys this reader does not know, so typos do not pass silently.
  void CheckKeys(const YAML::Node& map, const std::string& what,
                 std::initializer_list<const char*> known) const {
    if (!map.IsMap()) Fail(map, what + " must be a mapping");
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>();
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
        std::string list;
        for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        Fail(kv.first, "unknown key '" + key + "' in " + what + " (known: " + list + ")");
      }
    }
  }

  std::string Str(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) Fail(n, what + " must be a string");
    return n.as<std::string>();
  }
  bool Bool(const YAML::Node& n, const std::string& what) const {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) Fail(n, what + " must be true or false");
    return v;
  }
  double Number(const YAML::Node& n, const std::string& what, double lo, double hi) const {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v)) Fail(n, what + " must be a number");
    if (v < lo || v > hi) {
      std::ostringstream os;
      os << what << " must be between " << lo << " and " << hi;
      Fail(n, os.str());
    }
    return v;
  }
  unsigned Uint(const YAML::Node& n, const std::string& what, double lo, double hi) const {
    double v = Number(n, what, lo, hi);
    if (v != static_cast<double>(static_cast<uint64_t>(v))) Fail(n, what + " must be a whole number");
    return static_cast<unsigned>(v);
  }
  std::vector<std::string> StrList(const YAML::Node& n, const std::string& what) const {
    if (!n.IsSequence()) Fail(n, what + " must be a list");
    std::vector<std::string> out;
    for (const auto& e : n) out.push_back(Str(e, what + " entry"));
    return out;
  }
  SecretRef Secret(const YAML::Node& n, const std::string& what) const {
    CheckKeys(n, what, {"env", "file"});
    SecretRef r;
    if (n["env"]) r.env = Str(n["env"], what + ".env");
    if (n["file"]) r.file = Str(n["file"], what + ".file");
    if (r.env.empty() == r.file.empty()) Fail(n, what + " needs exactly one of env or file");
    return r;
  }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

void ReadServer(const Reader& r, const YAML::Node& n, ServerConfig* s) {
  r.CheckKeys(n, "server",
              {"listen", "threads", "max_body_bytes", "max_header_bytes", "read_timeout_ms",
               "write_timeout_ms", "idle_timeout_ms", "max_concurrent_requests",
               "drain_timeout_ms", "tls"});
  if (n["listen"]) {
    Status st = ParseListen(r.Str(n["listen"], "server.listen"), &s->host, &s->port);
    if (!st.ok()) r.Fail(n["listen"], st.message());
  }
  if (n["threads"]) s->threads = r.Uint(n["threads"], "server.threads", 0, 1024);
  if (n["max_body_bytes"]) s->max_body_bytes = r.Uint(n["max_body_bytes"], "server.max_body_bytes", 1024, 1u << 30);
  if (n["max_header_bytes"]) s->max_header_bytes = r.Uint(n["max_header_bytes"], "server.max_header_bytes", 1024, 1 << 20);
  if (n["read_timeout_ms"]) s->read_timeout_ms = r.Uint(n["read_timeout_ms"], "server.read_timeout_ms", 10, 3.6e6);
  if (n["write_timeout_ms"]) s->write_timeout_ms = r.Uint(n["write_timeout_ms"], "server.write_timeout_ms", 10, 3.6e6);
  if (n["idle_timeout_ms"]) s->idle_timeout_ms = r.Uint(n["idle_timeout_ms"], "server.idle_timeout_ms", 10, 3.6e6);
  if (n["max_concurrent_requests"]) s->max_concurrent_requests = r.Uint(n["max_concurrent_requests"], "server.max_concurrent_requests", 1, 1e6);
  if (n["drain_timeout_ms"]) s->drain_timeout_ms = r.Uint(n["drain_timeout_ms"], "server.drain_timeout_ms", 0, 3.6e6);
  if (const auto t = n["tls"]) {
    r.CheckKeys(t, "server.tls", {"cert", "key", "client_ca"});
    if (t["cert"]) s->tls.cert_file = r.Str(t["cert"], "server.tls.cert");
    if (t["key"]) s->tls.key_file = r.Str(t["key"], "server.tls.key");
    if (t["client_ca"]) s->tls.client_ca_file = r.Str(t["client_ca"], "server.tls.client_ca");
    if (s->tls.cert_file.empty() || s->tls.key_file.empty()) r.Fail(t, "server.tls needs both cert and key");
  }
}

bool KnownJurisdiction(const std::string& j) {
  if (j == "eu" || j == "local") return true;
  return j.size() == 2 && std::all_of(j.begin(), j.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// "8GiB", "512MiB", "1.5G" or a plain number of bytes.
uint64_t ByteSize(const Reader& r, const YAML::Node& n, const std::string& what) {
  const std::string text = r.Str(n, what);
  std::size_t used = 0;
  double v = -1;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  std::string unit = text.substr(used);
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
  double mult = 0;
  for (auto [name, m] : {std::pair{"", 1.0}, {"b", 1.0}, {"k", 1024.0}, {"kb", 1024.0}, {"kib", 1024.0},
                         {"m", 1048576.0}, {"mb", 1048576.0}, {"mib", 1048576.0}, {"g", 1073741824.0},
                         {"gb", 1073741824.0}, {"gib", 1073741824.0}, {"t", 1099511627776.0},
                         {"tb", 1099511627776.0}, {"tib", 1099511627776.0}}) {
    if (unit == name) mult = m;
  }
  if (v < 0 || mult == 0) r.Fail(n, what + " must be a size such as 8GiB, 512MiB or a number of bytes");
  return static_cast<uint64_t>(v * mult);
}

// Health checks (remote) and the model engine's settings (local).
void ReadHealthAndLocal(const Reader& r, const YAML::Node& n, BackendConfig* b) {
  if (n["health_interval_ms"]) b->health_interval_ms = r.Uint(n["health_interval_ms"], "backend.health_interval_ms", 0, 3.6e6);
  if (n["health_timeout_ms"]) b->health_timeout_ms = r.Uint(n["health_timeout_ms"], "backend.health_timeout_ms", 10, 600000);
  const bool local = b->type == "local";
  for (const char* key : {"model_file", "sha256", "threads", "context", "parallel", "memory_budget"}) {
    if (n[key] && !local) r.Fail(n[key], std::string(key) + " applies to local backends only");
  }
  if (!local) return;
  if (n["model_file"]) b->model_file = r.Str(n["model_file"], "backend.model_file");
  if (n["sha256"]) {
    b->sha256 = r.Str(n["sha256"], "backend.sha256");
    std::transform(b->sha256.begin(), b->sha256.end(), b->sha256.begin(), [](unsigned char c) { return std::tolower(c); });
    if (b->sha256.size() != 64 || b->sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
      r.Fail(n["sha256"], "sha256 must be 64 hex digits (`airlock model hash FILE` prints it)");
  }
  if (!b->model_file.empty() && b->sha256.empty())
    r.Fail(n, "local backend '" + b->name + "' names a model_file but no sha256 pin (`airlock model hash " +
                  b->model_file + "` prints it)");
  if (n["threads"]) b->threads = r.Uint(n["threads"], "backend.threads", 0, 1024);
  if (n["context"]) b->context = r.Uint(n["context"], "backend.context", 0, 1 << 20);
  if (n["parallel"]) b->parallel = r.Uint(n["parallel"], "backend.parallel", 0, 256);
  if (n["memory_budget"]) b->memory_budget = ByteSize(r, n["memory_budget"], "backend.memory_budget");
}

BackendConfig ReadBackend(const Reader& r, const YAML::Node& n) {
  r.CheckKeys(n, "backend",
              {"name", "type", "url", "model", "jurisdiction", "certifications", "contract",
               "api_key", "ca_bundle", "insecure_skip_verify", "connect_timeout_ms", "timeout_ms",
               "max_idle_connections", "health_interval_ms", "health_timeout_ms", "model_file", "sha256",
               "threads", "context", "parallel", "memory_budget"});
  BackendConfig b;
  b.source = Where(r.source(), n);
  if (!n["name"]) r.Fail(n, "backend needs a name");
  b.name = r.Str(n["name"], "backend.name");
  if (!n["type"]) r.Fail(n, "backend '" + b.name + "' needs a type (remote or local)");
  b.type = r.Str(n["type"], "backend.type");
  if (b.type != "remote" && b.type != "local") r.Fail(n["type"], "backend type must be remote or local");
  if (n["url"]) b.url = r.Str(n["url"], "backend.url");
  if (b.type == "remote") {
    if (b.url.rfind("https://", 0) != 0 && b.url.rfind("http://", 0) != 0)
      r.Fail(n["url"] ? n["url"] : n, "remote backend '" + b.name + "' needs a url starting with https:// or http://");
  }
  if (n["model"]) b.model = r.Str(n["model"], "backend.model");
  b.jurisdiction = b.type == "local" ? "local" : "";
  if (n["jurisdiction"]) b.jurisdiction = r.Str(n["jurisdiction"], "backend.jurisdiction");
  if (b.jurisdiction.empty()) r.Fail(n, "backend '" + b.name + "' needs a jurisdiction (country code, eu or local)");
  if (!KnownJurisdiction(b.jurisdiction))
    r.Fail(n["jurisdiction"], "jurisdiction must be an upper-case ISO 3166 alpha-2 code, eu or local");
  if (b.type == "remote" && b.jurisdiction == "local")
    r.Fail(n["jurisdiction"], "a remote backend cannot have jurisdiction local");
  if (n["certifications"]) b.certifications = r.StrList(n["certifications"], "backend.certifications");
  if (const auto c = n["contract"]) {
    r.CheckKeys(c, "backend.contract", {"dpa", "no_training", "no_retention"});
    if (c["dpa"]) b.contract.dpa = r.Str(c["dpa"], "contract.dpa");
    if (c["no_training"]) b.contract.no_training = r.Bool(c["no_training"], "contract.no_training");
    if (c["no_retention"]) b.contract.no_retention = r.Bool(c["no_retention"], "contract.no_retention");
  }
  if (n["api_key"]) b.api_key = r.Secret(n["api_key"], "backend.api_key");
  if (n["ca_bundle"]) b.ca_bundle = r.Str(n["ca_bundle"], "backend.ca_bundle");
  if (n["insecure_skip_verify"]) b.tls_verify = !r.Bool(n["insecure_skip_verify"], "backend.insecure_skip_verify");
  if (n["connect_timeout_ms"]) b.connect_timeout_ms = r.Uint(n["connect_timeout_ms"], "backend.connect_timeout_ms", 10, 600000);
  if (n["timeout_ms"]) b.timeout_ms = r.Uint(n["timeout_ms"], "backend.timeout_ms", 10, 3.6e6);
  if (n["max_idle_connections"]) b.max_idle_connections = r.Uint(n["max_idle_connections"], "backend.max_idle_connections", 0, 1024);
  ReadHealthAndLocal(r, n, &b);
  return b;
}

const std::set<std::string>& DataClassNames() {
  static const std::set<std::string> k = {"personal",   "special_category", "financial",
                                          "government_id", "contact",      "credential",
                                          "confidential", "technical"};
  return k;
}

WorkflowConfig ReadWorkflow(const Reader& r, const YAML::Node& n) {
  r.CheckKeys(n, "workflow",
              {"name", "purpose", "roles", "backends", "reroute", "data_classes", "default_action",
               "output", "attachments", "minimise", "legal_basis", "data_categories", "data_subjects",
               "recipients", "retention", "dpia", "category", "high_risk", "human_oversight",
               "workers_informed", "art9_condition"});
  WorkflowConfig w;
  w.source = Where(r.source(), n);
  if (!n["name"]) r.Fail(n, "workflow needs a name");
  w.name = r.Str(n["name"], "workflow.name");
  if (n["purpose"]) w.purpose = r.Str(n["purpose"], "workflow.purpose");
  if (!n["roles"]) r.Fail(n, "workflow '" + w.name + "' needs roles (who may use it; deny by default)");
  w.roles = r.StrList(n["roles"], "workflow.roles");
  if (!n["backends"]) r.Fail(n, "workflow '" + w.name + "' needs backends");
  w.backends = r.StrList(n["backends"], "workflow.backends");
  if (w.backends.empty()) r.Fail(n["backends"], "workflow '" + w.name + "' needs at least one backend");
  if (n["reroute"]) w.reroute = r.Bool(n["reroute"], "workflow.reroute");
  if (const auto dc = n["data_classes"]) {
    if (!dc.IsMap()) r.Fail(dc, "data_classes must map data class to action");
    for (const auto& kv : dc) {
      auto cls = kv.first.as<std::string>();
      if (!DataClassNames().count(cls)) r.Fail(kv.first, "unknown data class '" + cls + "'");
      Action a;
      if (!ParseAction(r.Str(kv.second, "action"), &a))
        r.Fail(kv.second, "action must be allow, redact, mask, hash, pseudonymise or block");
      w.actions[cls] = a;
    }
  }
  if (n["default_action"] && !ParseAction(r.Str(n["default_action"], "default_action"), &w.default_action))
    r.Fail(n["default_action"], "default_action must be allow, redact, mask, hash, pseudonymise or block");
  if (n["output"]) {
    auto o = r.Str(n["output"], "workflow.output");
    if (o == "allow") w.output = OutputAction::kAllow;
    else if (o == "redact") w.output = OutputAction::kRedact;
    else if (o == "block") w.output = OutputAction::kBlock;
    else r.Fail(n["output"], "output must be allow, redact or block");
  }
  if (n["attachments"]) {
    auto a = r.Str(n["attachments"], "workflow.attachments");
    if (a == "text") w.attachments_as_text = true;
    else if (a != "refuse") r.Fail(n["attachments"], "attachments must be refuse or text");
  }
  Governance& g = w.governance;
  for (auto [key, field] : {std::pair{"legal_basis", &g.legal_basis}, {"retention", &g.retention},
                            {"dpia", &g.dpia}, {"category", &g.category},
                            {"human_oversight", &g.human_oversight},
                            {"workers_informed", &g.workers_informed},
                            {"art9_condition", &g.art9_condition}}) {
    if (n[key]) *field = r.Str(n[key], std::string("workflow.") + key);
  }
  for (auto [key, field] : {std::pair{"data_categories", &g.data_categories},
                            {"data_subjects", &g.data_subjects}, {"recipients", &g.recipients}}) {
    if (n[key]) *field = r.StrList(n[key], std::string("workflow.") + key);
  }
  g.high_risk = n["high_risk"] ? r.Bool(n["high_risk"], "workflow.high_risk") : g.category == "hr";
  if (const auto m = n["minimise"]) {
    r.CheckKeys(m, "minimise", {"max_document_bytes", "objects"});
    if (m["max_document_bytes"]) w.minimise.max_document_bytes = r.Uint(m["max_document_bytes"], "max_document_bytes", 1, 1u << 30);
    if (const auto objs = m["objects"]) {
      if (!objs.IsMap()) r.Fail(objs, "minimise.objects must map sObject type to keep/drop");
      for (const auto& kv : objs) {
        r.CheckKeys(kv.second, "minimise object rule", {"keep", "drop"});
        ObjectRule rule;
        if (kv.second["keep"]) rule.keep = r.StrList(kv.second["keep"], "keep");
        if (kv.second["drop"]) rule.drop = r.StrList(kv.second["drop"], "drop");
        w.minimise.objects[kv.first.as<std::string>()] = std::move(rule);
      }
    }
  }
  return w;
}

// --- alerts: (docs/alerts.md) ---------------------------------------------

// "500ms", "30s", "5m", "1h", "1d", or a bare number of seconds.
unsigned AlertDurationMs(const Reader& r, const YAML::Node& n, const std::string& what) {
  const std::string s = r.Str(n, what);
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  const std::string unit = s.substr(digits);
  double scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1000;
  else if (unit == "ms")
    scale = 1;
  else if (unit == "m")
    scale = 60e3;
  else if (unit == "h")
    scale = 3.6e6;
  else if (unit == "d")
    scale = 86.4e6;
  if (digits == 0 || digits > 9 || scale == 0)
    r.Fail(n, what + " must be a duration such as 500ms, 30s, 5m, 1h or 1d");
  const double ms = std::stod(s.substr(0, digits)) * scale;
  if (ms > 7 * 86.4e6) r.Fail(n, what + " must be at most 7d");
  return static_cast<unsigned>(ms);
}

bool AlertToken(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == ':';
  });
}

// "HH:MM" -> minutes since midnight, or -1.
int AlertClockMinutes(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || !std::isdigit(static_cast<unsigned char>(s[0])) ||
      !std::isdigit(static_cast<unsigned char>(s[1])) ||
      !std::isdigit(static_cast<unsigned char>(s[3])) ||
      !std::isdigit(static_cast<unsigned char>(s[4])))
    return -1;
  const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

int AlertDayIndex(const std::string& d) {
  static const char* const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (int i = 0; i < 7; ++i)
    if (d == kDays[i]) return i;
  return -1;
}

// "mon-fri", "sat,sun", "mon-wed,fri", "all".
unsigned AlertDays(const Reader& r, const YAML::Node& n) {
  const std::string s = r.Str(n, "days");
  if (s == "all" || s == "daily") return 0x7f;
  unsigned mask = 0;
  std::stringstream parts(s);
  std::string part;
  while (std::getline(parts, part, ',')) {
    const auto dash = part.find('-');
    const int a = AlertDayIndex(part.substr(0, dash));
    const int b = dash == std::string::npos ? a : AlertDayIndex(part.substr(dash + 1));
    if (a < 0 || b < 0 || b < a) r.Fail(n, "days must be like mon-fri, sat,sun or all");
    for (int d = a; d <= b; ++d) mask |= 1u << d;
  }
  if (mask == 0) r.Fail(n, "days must name at least one day");
  return mask;
}

// "UTC", "Z", "UTC+02:00", "+02:00", "-05:30" -> minutes east of UTC.
int AlertUtcOffset(const Reader& r, const YAML::Node& n) {
  std::string s = r.Str(n, "timezone");
  if (s == "UTC" || s == "Z" || s == "GMT") return 0;
  if (s.rfind("UTC", 0) == 0) s = s.substr(3);
  const int m = s.size() == 6 && (s[0] == '+' || s[0] == '-') ? AlertClockMinutes(s.substr(1)) : -1;
  if (m < 0 || m > 14 * 60)
    r.Fail(
        n,
        "timezone must be UTC or a fixed offset such as UTC+02:00 (named zones are not supported)");
  return s[0] == '-' ? -m : m;
}

AlertRuleConfig ReadAlertRule(const Reader& r, const YAML::Node& n) {
  if (!n.IsMap()) r.Fail(n, "alert rule must be a mapping");
  if (!n["type"])
    r.Fail(n,
           "alert rule needs a type (threshold, distinct_values, first_backend_use, "
           "outside_hours, canary or chain_failure)");
  AlertRuleConfig a;
  a.source = Where(r.source(), n);
  a.type = r.Str(n["type"], "alert rule type");
  if (a.type == "threshold") {
    r.CheckKeys(
        n, "threshold rule",
        {"name", "type", "severity", "cooldown", "metric", "data_class", "per", "window", "count"});
  } else if (a.type == "distinct_values") {
    r.CheckKeys(n, "distinct_values rule", {"name", "type", "severity", "cooldown", "count"});
    a.count = 50;
  } else if (a.type == "first_backend_use") {
    r.CheckKeys(n, "first_backend_use rule", {"name", "type", "severity", "per", "known"});
    a.per = "global";
  } else if (a.type == "outside_hours") {
    r.CheckKeys(n, "outside_hours rule",
                {"name", "type", "severity", "cooldown", "hours", "days", "timezone"});
  } else if (a.type == "canary" || a.type == "chain_failure") {
    r.CheckKeys(n, a.type + " rule", {"name", "type", "severity", "cooldown"});
    a.severity = "critical";
    a.cooldown_ms = 0;
  } else {
    r.Fail(n["type"], "unknown alert rule type '" + a.type +
                          "' (threshold, distinct_values, "
                          "first_backend_use, outside_hours, canary or chain_failure)");
  }
  if (!n["name"]) r.Fail(n, "alert rule needs a name");
  a.name = r.Str(n["name"], "alert rule name");
  if (!AlertToken(a.name))
    r.Fail(n["name"], "alert rule name must be 1-64 characters of [A-Za-z0-9._:-]");
  if (n["severity"]) a.severity = r.Str(n["severity"], "severity");
  if (a.severity != "info" && a.severity != "low" && a.severity != "medium" &&
      a.severity != "high" && a.severity != "critical")
    r.Fail(n["severity"], "severity must be info, low, medium, high or critical");
  if (n["cooldown"]) a.cooldown_ms = AlertDurationMs(r, n["cooldown"], "cooldown");
  if (n["metric"]) a.metric = r.Str(n["metric"], "metric");
  if (a.metric != "blocked_requests" && a.metric != "findings" && a.metric != "requests")
    r.Fail(n["metric"], "metric must be blocked_requests, findings or requests");
  if (n["data_class"]) {
    a.data_class = r.Str(n["data_class"], "data_class");
    if (a.metric != "findings")
      r.Fail(n["data_class"], "data_class applies only to metric: findings");
    if (!DataClassNames().count(a.data_class))
      r.Fail(n["data_class"], "unknown data class '" + a.data_class + "'");
  }
  if (n["per"]) a.per = r.Str(n["per"], "per");
  if (a.per != "principal" && a.per != "workflow" && a.per != "global")
    r.Fail(n["per"], "per must be principal, workflow or global");
  if (n["window"]) a.window_ms = AlertDurationMs(r, n["window"], "window");
  if (a.window_ms == 0) r.Fail(n["window"], "window must be longer than 0");
  if (n["count"]) a.count = r.Uint(n["count"], "count", 1, 100000);
  if (n["known"]) a.known = r.StrList(n["known"], "known");
  if (const auto h = n["hours"]) {
    const std::string s = r.Str(h, "hours");
    const auto dash = s.find('-');
    const int from = dash == std::string::npos ? -1 : AlertClockMinutes(s.substr(0, dash));
    const int to = dash == std::string::npos ? -1 : AlertClockMinutes(s.substr(dash + 1));
    if (from < 0 || to < 0 || from == to)
      r.Fail(h, "hours must be like 07:00-19:00 (start and end differ)");
    a.hours_start_min = static_cast<unsigned>(from);
    a.hours_end_min = static_cast<unsigned>(to);
  }
  if (n["days"]) a.days_mask = AlertDays(r, n["days"]);
  if (n["timezone"]) a.utc_offset_min = AlertUtcOffset(r, n["timezone"]);
  return a;
}

AlertSinkConfig ReadAlertSink(const Reader& r, const YAML::Node& n) {
  if (!n.IsMap()) r.Fail(n, "alert sink must be a mapping");
  if (!n["type"]) r.Fail(n, "alert sink needs a type (webhook, syslog or jsonl)");
  AlertSinkConfig s;
  s.source = Where(r.source(), n);
  s.type = r.Str(n["type"], "alert sink type");
  if (s.type == "webhook") {
    r.CheckKeys(
        n, "webhook sink",
        {"type", "url", "secret", "ca_bundle", "timeout", "retries", "backoff", "dead_letter"});
    if (n["url"]) s.url = r.Str(n["url"], "webhook url");
    if (s.url.rfind("https://", 0) != 0 && s.url.rfind("http://", 0) != 0)
      r.Fail(n["url"] ? n["url"] : n, "webhook sink needs a url starting with https:// or http://");
    if (n["secret"]) s.secret = r.Secret(n["secret"], "webhook secret");
    if (n["ca_bundle"]) s.ca_bundle = r.Str(n["ca_bundle"], "webhook ca_bundle");
    if (n["timeout"]) s.timeout_ms = AlertDurationMs(r, n["timeout"], "timeout");
    if (s.timeout_ms < 10) r.Fail(n["timeout"], "timeout must be at least 10ms");
    if (n["retries"]) s.retries = r.Uint(n["retries"], "retries", 0, 20);
    if (n["backoff"]) s.backoff_ms = AlertDurationMs(r, n["backoff"], "backoff");
    if (n["dead_letter"]) s.dead_letter = r.Str(n["dead_letter"], "dead_letter");
    if (s.dead_letter.empty()) r.Fail(n["dead_letter"], "dead_letter must name a file");
  } else if (s.type == "syslog") {
    r.CheckKeys(n, "syslog sink", {"type", "transport", "address", "app_name", "facility"});
    if (n["transport"]) s.transport = r.Str(n["transport"], "transport");
    if (s.transport != "udp" && s.transport != "tcp")
      r.Fail(n["transport"], "transport must be udp or tcp");
    if (!n["address"]) r.Fail(n, "syslog sink needs an address (host:port)");
    s.address = r.Str(n["address"], "syslog address");
    std::string host;
    uint16_t port = 0;
    if (!ParseListen(s.address, &host, &port).ok() || port == 0)
      r.Fail(n["address"], "syslog address must be HOST:PORT");
    if (n["app_name"]) s.app_name = r.Str(n["app_name"], "app_name");
    if (s.app_name.empty() || s.app_name.size() > 48 ||
        !std::all_of(s.app_name.begin(), s.app_name.end(),
                     [](char c) { return c > 32 && c < 127; }))
      r.Fail(n["app_name"], "app_name must be 1-48 printable characters without spaces");
    if (n["facility"]) s.facility = r.Uint(n["facility"], "facility", 0, 23);
  } else if (s.type == "jsonl") {
    r.CheckKeys(n, "jsonl sink", {"type", "path"});
    if (!n["path"]) r.Fail(n, "jsonl sink needs a path");
    s.path = r.Str(n["path"], "jsonl path");
  } else {
    r.Fail(n["type"], "unknown alert sink type '" + s.type + "' (webhook, syslog or jsonl)");
  }
  return s;
}

void ReadAlerts(const Reader& r, const YAML::Node& n, AlertsConfig* out) {
  r.CheckKeys(n, "alerts", {"rules", "canaries", "sinks", "queue_size", "max_keys", "warm_start"});
  if (const auto w = n["warm_start"]) {
    const std::string v = r.Str(w, "alerts.warm_start");
    if (v == "auto") {
      out->warm_start_ms = AlertsConfig::kWarmStartAuto;
    } else if (v == "off" || v == "0") {
      out->warm_start_ms = 0;
    } else {
      out->warm_start_ms = AlertDurationMs(r, w, "alerts.warm_start");
    }
  }
  if (n["queue_size"]) out->queue_size = r.Uint(n["queue_size"], "alerts.queue_size", 1, 1e6);
  if (n["max_keys"]) out->max_keys = r.Uint(n["max_keys"], "alerts.max_keys", 1, 1e7);
  std::set<std::string> names;
  if (const auto rules = n["rules"]) {
    if (!rules.IsSequence()) r.Fail(rules, "alerts.rules must be a list");
    for (const auto& rule : rules) {
      out->rules.push_back(ReadAlertRule(r, rule));
      if (!names.insert(out->rules.back().name).second)
        r.Fail(rule, "duplicate alert rule name '" + out->rules.back().name + "'");
    }
  }
  if (const auto cs = n["canaries"]) {
    if (!cs.IsSequence()) r.Fail(cs, "alerts.canaries must be a list");
    for (const auto& c : cs) {
      r.CheckKeys(c, "canary", {"entity_type", "value"});
      AlertCanaryConfig canary;
      if (!c["entity_type"] || !c["value"]) r.Fail(c, "canary needs entity_type and value");
      canary.entity_type = r.Str(c["entity_type"], "canary entity_type");
      if (!AlertToken(canary.entity_type))
        r.Fail(c["entity_type"], "canary entity_type must be a token like EMAIL_ADDRESS");
      canary.value = r.Str(c["value"], "canary value");  // never echoed in a message
      if (canary.value.empty()) r.Fail(c["value"], "canary value must not be empty");
      out->canaries.push_back(std::move(canary));
    }
  }
  if (const auto ss = n["sinks"]) {
    if (!ss.IsSequence()) r.Fail(ss, "alerts.sinks must be a list");
    for (const auto& s : ss) out->sinks.push_back(ReadAlertSink(r, s));
  }
  const bool canary_rule = std::any_of(out->rules.begin(), out->rules.end(),
                                       [](const AlertRuleConfig& a) { return a.type == "canary"; });
  if (canary_rule && out->canaries.empty())
    r.Fail(n, "a canary rule needs alerts.canaries (planted values)");
  if (!canary_rule && !out->canaries.empty())
    r.Fail(n["canaries"], "alerts.canaries need a rule of type canary to raise alerts");
}

// --- end of alerts: --------------------------------------------------------

std::shared_ptr<const Config> ParseOrThrow(const std::string& text, const std::string& source) {
  Reader r(source);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError{source + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax: " + e.msg};
  }
  auto cfg = std::make_shared<Config>();
  cfg->source = source;
  if (root.IsNull()) return cfg;
  r.CheckKeys(root, "the top level",
              {"server", "limits", "detection", "store", "jurisdictions", "audit", "vault",
               "backends", "workflows", "organisation", "admin", "metrics", "alerts"});
  if (const auto o = root["organisation"]) {
    r.CheckKeys(o, "organisation", {"name", "contact", "dpo"});
    if (o["name"]) cfg->organisation.name = r.Str(o["name"], "organisation.name");
    if (o["contact"]) cfg->organisation.contact = r.Str(o["contact"], "organisation.contact");
    if (o["dpo"]) cfg->organisation.dpo = r.Str(o["dpo"], "organisation.dpo");
  }
  if (const auto m = root["metrics"]) {
    r.CheckKeys(m, "metrics", {"enabled", "principal_labels", "max_principals", "require_auth", "public"});
    auto& mc = cfg->metrics;
    if (m["enabled"]) mc.enabled = r.Bool(m["enabled"], "metrics.enabled");
    if (m["principal_labels"]) {
      const std::string p = r.Str(m["principal_labels"], "metrics.principal_labels");
      if (p == "none") mc.principal_labels = Config::Metrics::PrincipalLabels::kNone;
      else if (p == "hashed") mc.principal_labels = Config::Metrics::PrincipalLabels::kHashed;
      else if (p == "clear") mc.principal_labels = Config::Metrics::PrincipalLabels::kClear;
      else r.Fail(m["principal_labels"], "metrics.principal_labels must be none, hashed or clear");
    }
    if (m["max_principals"]) mc.max_principals = r.Uint(m["max_principals"], "metrics.max_principals", 1, 100000);
    if (m["require_auth"]) mc.require_auth = r.Bool(m["require_auth"], "metrics.require_auth");
    // `public` is what `airlock check` (AL-NET-006) reads; both must agree.
    if (m["public"]) {
      const bool open = r.Bool(m["public"], "metrics.public");
      if (m["require_auth"] && open == mc.require_auth)
        r.Fail(m["public"], "metrics.public contradicts metrics.require_auth");
      mc.require_auth = !open;
    }
  }
  if (root["server"]) ReadServer(r, root["server"], &cfg->server);
  if (root["alerts"]) ReadAlerts(r, root["alerts"], &cfg->alerts);
  if (const auto l = root["limits"]) {
    r.CheckKeys(l, "limits", {"requests_per_second", "burst", "max_concurrent"});
    if (l["requests_per_second"]) cfg->limits.requests_per_second = r.Number(l["requests_per_second"], "limits.requests_per_second", 0.001, 1e6);
    if (l["burst"]) cfg->limits.burst = r.Number(l["burst"], "limits.burst", 1, 1e6);
    if (l["max_concurrent"]) cfg->limits.max_concurrent = r.Uint(l["max_concurrent"], "limits.max_concurrent", 1, 1e6);
  }
  if (const auto d = root["detection"]) {
    r.CheckKeys(d, "detection",
                {"min_score", "region", "hold_back_bytes", "stream_keepalive_ms", "indexes", "timeout_ms"});
    if (d["indexes"]) cfg->detection.indexes = r.StrList(d["indexes"], "detection.indexes");
    if (d["timeout_ms"]) cfg->detection.timeout_ms = r.Uint(d["timeout_ms"], "detection.timeout_ms", 1, 600000);
    if (d["min_score"]) cfg->detection.min_score = r.Number(d["min_score"], "detection.min_score", 0, 1);
    if (d["region"]) cfg->detection.region = r.Str(d["region"], "detection.region");
    if (d["hold_back_bytes"]) cfg->detection.hold_back_bytes = r.Uint(d["hold_back_bytes"], "detection.hold_back_bytes", 16, 1 << 20);
    if (d["stream_keepalive_ms"]) {
      cfg->detection.stream_keepalive_ms =
          r.Uint(d["stream_keepalive_ms"], "detection.stream_keepalive_ms", 0, 3.6e6);
    }
  }
  if (const auto s = root["store"]) {
    r.CheckKeys(s, "store", {"path"});
    if (s["path"]) cfg->store_path = r.Str(s["path"], "store.path");
  }
  if (const auto j = root["jurisdictions"]) {
    r.CheckKeys(j, "jurisdictions", {"adequacy_file"});
    if (j["adequacy_file"]) cfg->adequacy_file = r.Str(j["adequacy_file"], "jurisdictions.adequacy_file");
  }
  if (const auto a = root["audit"]) {
    r.CheckKeys(a, "audit",
                {"hmac_key", "store", "instance", "signing_key", "checkpoint_every", "checkpoint_seconds",
                 "retention_days", "max_retention_days", "verify_every_seconds",
                 "full_verify_every_seconds"});
    if (a["hmac_key"]) cfg->audit_hmac_key = r.Secret(a["hmac_key"], "audit.hmac_key");
    auto& au = cfg->audit;
    if (const auto st = a["store"]) {
      if (st.IsMap()) {
        au.store_secret = r.Secret(st, "audit.store");
      } else {
        au.store = r.Str(st, "audit.store");
        if (au.store.rfind("sqlite:", 0) != 0 && au.store.rfind("postgres:", 0) != 0 &&
            au.store.rfind("postgresql:", 0) != 0)
          r.Fail(st, "audit.store must start with sqlite: or postgres: (a conninfo with a password belongs in {env: ...})");
      }
    }
    if (a["instance"]) {
      au.instance = r.Str(a["instance"], "audit.instance");
      if (au.instance.empty() || au.instance.size() > 64 ||
          au.instance.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@/+-") !=
              std::string::npos)
        r.Fail(a["instance"], "audit.instance must be 1-64 characters of [A-Za-z0-9._:@/+-]");
    }
    if (a["signing_key"]) au.signing_key = r.Str(a["signing_key"], "audit.signing_key");
    if (a["checkpoint_every"]) au.checkpoint_every = r.Uint(a["checkpoint_every"], "audit.checkpoint_every", 1, 1e9);
    if (a["checkpoint_seconds"]) au.checkpoint_seconds = r.Uint(a["checkpoint_seconds"], "audit.checkpoint_seconds", 0, 86400);
    if (a["retention_days"]) au.retention_days = r.Uint(a["retention_days"], "audit.retention_days", 1, 36500);
    if (a["max_retention_days"]) au.max_retention_days = r.Uint(a["max_retention_days"], "audit.max_retention_days", 1, 36500);
    if (a["verify_every_seconds"]) au.verify_every_seconds = r.Uint(a["verify_every_seconds"], "audit.verify_every_seconds", 0, 86400 * 7);
    if (a["full_verify_every_seconds"])
      au.full_verify_every_seconds =
          r.Uint(a["full_verify_every_seconds"], "audit.full_verify_every_seconds", 0, 86400 * 31);
    if (au.max_retention_days && au.retention_days > au.max_retention_days)
      r.Fail(a, "audit.retention_days exceeds audit.max_retention_days");
  }
  if (const auto ad = root["admin"]) {
    r.CheckKeys(ad, "admin", {"enabled", "listen", "roles", "lockdown_mode"});
    auto& adm = cfg->admin;
    if (ad["enabled"]) adm.enabled = r.Bool(ad["enabled"], "admin.enabled");
    if (ad["listen"]) {
      Status st = ParseListen(r.Str(ad["listen"], "admin.listen"), &adm.host, &adm.port);
      if (!st.ok()) r.Fail(ad["listen"], st.message());
    }
    if (ad["roles"]) {
      adm.roles = r.StrList(ad["roles"], "admin.roles");
      for (const auto& role : adm.roles)
        if (role == "*" || role.empty()) r.Fail(ad["roles"], "admin.roles must name roles, not '*'");
      if (adm.roles.empty()) r.Fail(ad["roles"], "admin.roles must not be empty");
    }
    if (ad["lockdown_mode"]) {
      adm.lockdown_mode = r.Str(ad["lockdown_mode"], "admin.lockdown_mode");
      if (adm.lockdown_mode != "local" && adm.lockdown_mode != "refuse")
        r.Fail(ad["lockdown_mode"], "admin.lockdown_mode must be local or refuse");
    }
  }
  if (const auto v = root["vault"]) {
    r.CheckKeys(v, "vault", {"key", "ttl_seconds"});
    if (v["key"]) cfg->vault_key = r.Secret(v["key"], "vault.key");
    if (v["ttl_seconds"]) cfg->vault_ttl_seconds = r.Uint(v["ttl_seconds"], "vault.ttl_seconds", 1, 3.2e7);
  }
  std::set<std::string> names;
  if (const auto bs = root["backends"]) {
    if (!bs.IsSequence()) r.Fail(bs, "backends must be a list");
    for (const auto& b : bs) {
      cfg->backends.push_back(ReadBackend(r, b));
      if (!names.insert(cfg->backends.back().name).second)
        r.Fail(b, "duplicate backend name '" + cfg->backends.back().name + "'");
    }
  }
  names.clear();
  if (const auto ws = root["workflows"]) {
    if (!ws.IsSequence()) r.Fail(ws, "workflows must be a list");
    for (const auto& w : ws) {
      auto wf = ReadWorkflow(r, w);
      if (!names.insert(wf.name).second) r.Fail(w, "duplicate workflow name '" + wf.name + "'");
      for (std::size_t i = 0; i < wf.backends.size(); ++i) {
        if (!cfg->FindBackend(wf.backends[i]))
          r.Fail(w["backends"][i], "workflow '" + wf.name + "' names unknown backend '" + wf.backends[i] + "'");
      }
      cfg->workflows.push_back(std::move(wf));
    }
  }
  return cfg;
}

}  // namespace

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kAllow: return "allow";
    case Action::kRedact: return "redact";
    case Action::kMask: return "mask";
    case Action::kHash: return "hash";
    case Action::kPseudonymise: return "pseudonymise";
    case Action::kBlock: return "block";
  }
  return "block";
}

bool ParseAction(std::string_view name, Action* out) {
  for (Action a : {Action::kAllow, Action::kRedact, Action::kMask, Action::kHash,
                   Action::kPseudonymise, Action::kBlock}) {
    if (name == ActionName(a)) {
      *out = a;
      return true;
    }
  }
  if (name == "pseudonymize") {
    *out = Action::kPseudonymise;
    return true;
  }
  return false;
}

Status ParseListen(std::string_view text, std::string* host, uint16_t* port) {
  std::string_view h, p;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return Status::InvalidArgument("listen address must be HOST:PORT or [IPv6]:PORT");
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return Status::InvalidArgument("listen address must be HOST:PORT");
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
  }
  if (h.empty() || p.empty() || p.size() > 5 ||
      !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Status::InvalidArgument("listen address must be HOST:PORT with a numeric port");
  unsigned v = static_cast<unsigned>(std::stoul(std::string(p)));
  if (v > 65535) return Status::InvalidArgument("listen port must be 0..65535");
  *host = std::string(h);
  *port = static_cast<uint16_t>(v);
  return Status::Ok();
}

const BackendConfig* Config::FindBackend(std::string_view name) const {
  for (const auto& b : backends) if (b.name == name) return &b;
  return nullptr;
}
const WorkflowConfig* Config::FindWorkflow(std::string_view name) const {
  for (const auto& w : workflows) if (w.name == name) return &w;
  return nullptr;
}

Result<std::shared_ptr<const Config>> Parse(const std::string& yaml_text, const std::string& source) {
  try {
    return ParseOrThrow(yaml_text, source);
  } catch (const ConfigError& e) {
    return Status::InvalidArgument(e.message);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<std::shared_ptr<const Config>> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path);
}

const std::string& DefaultYaml() {
  static const std::string k = R"(# Airlock's built-in default configuration.
server:
  listen: 127.0.0.1:8080
store:
  path: var/airlock.db
backends:
  - name: local
    type: local
workflows:
  - name: default
    purpose: General assistance on the local model; nothing leaves the machine.
    # Governance facts for `airlock check` and the Art. 30 record: review them.
    legal_basis: legitimate_interests
    data_categories: [contact details, CRM records, case notes]
    data_subjects: [customers, prospects, employees]
    recipients: [the organisation's own staff]
    retention: conversation only; audit events until pruned
    roles: [user]
    backends: [local]
    data_classes:
      personal: allow
      special_category: redact
      financial: allow
      government_id: allow
      contact: allow
      technical: allow
      confidential: allow
      credential: redact
)";
  return k;
}

std::shared_ptr<const Config> Default() {
  auto cfg = Parse(DefaultYaml(), "<built-in>");
  assert(cfg.ok());
  return *cfg;
}

Result<std::string> ResolveSecret(const SecretRef& ref) {
  std::string value;
  if (!ref.env.empty()) {
    const char* v = std::getenv(ref.env.c_str());
    if (v == nullptr || *v == '\0') return Status::NotFound("environment variable " + ref.env + " is not set");
    value = v;
  } else if (!ref.file.empty()) {
    std::ifstream in(ref.file, std::ios::binary);
    if (!in) return Status::IoError(ref.file + ": cannot open secret file");
    std::ostringstream ss;
    ss << in.rdbuf();
    value = ss.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    if (value.empty()) return Status::InvalidArgument(ref.file + ": secret file is empty");
  } else {
    return Status::NotFound("no secret configured");
  }
  return value;
}

}  // namespace airlock::config
