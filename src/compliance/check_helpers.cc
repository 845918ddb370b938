#include <algorithm>
#include <sys/stat.h>

#include "internal/check_helpers.h"

namespace airlock::compliance::internal {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

YAML::Node At(const YAML::Node& root, const std::string& dotted) {
  YAML::Node cur = root;
  size_t start = 0;
  while (start <= dotted.size()) {
    const size_t dot = dotted.find('.', start);
    const std::string key = dotted.substr(start, dot == std::string::npos ? dotted.npos : dot - start);
    if (!cur.IsDefined() || !cur.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node& c = cur;
    YAML::Node next = c[key];
    if (!next.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
    cur.reset(next);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

YAML::Node Anchor(const YAML::Node& parent, const char* key) {
  if (parent.IsDefined() && parent.IsMap()) {
    const YAML::Node n = parent[key];
    if (n.IsDefined()) return n;
  }
  return parent;
}

bool BoolOr(const YAML::Node& n, bool fallback) {
  if (!n.IsDefined() || !n.IsScalar()) return fallback;
  const std::string v = Lower(n.Scalar());
  if (v == "true" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "no" || v == "off") return false;
  return fallback;
}

double NumberOr(const YAML::Node& n, double fallback) {
  if (!n.IsDefined() || !n.IsScalar()) return fallback;
  try {
    return std::stod(n.Scalar());
  } catch (...) {
    return fallback;
  }
}

std::string StrOr(const YAML::Node& n, const std::string& fallback) {
  if (!n.IsDefined() || !n.IsScalar()) return fallback;
  return n.Scalar();
}

std::vector<std::string> StrList(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n.IsDefined()) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& e : n) {
      if (e.IsScalar()) out.push_back(e.Scalar());
    }
  }
  return out;
}

std::vector<Entry> Entries(const YAML::Node& root, const char* section) {
  std::vector<Entry> out;
  const YAML::Node list = root[section];
  if (!list.IsDefined() || !list.IsSequence()) return out;
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node n = list[i];
    out.push_back({n, StrOr(n["name"], "#" + std::to_string(i)),
                   std::string(section) + "[" + std::to_string(i) + "]"});
  }
  return out;
}

const Entry* FindEntry(const std::vector<Entry>& entries, const std::string& name) {
  for (const auto& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const std::vector<std::string>& DataClasses() {
  static const std::vector<std::string> k = {"personal",      "special_category", "financial",
                                             "government_id", "contact",          "credential",
                                             "confidential",  "technical"};
  return k;
}

std::string ActionFor(const YAML::Node& workflow, const std::string& data_class) {
  const YAML::Node dc = workflow["data_classes"];
  if (dc.IsDefined() && dc.IsMap()) {
    const YAML::Node a = dc[data_class];
    if (a.IsDefined() && a.IsScalar()) return Lower(a.Scalar());
  }
  return Lower(StrOr(workflow["default_action"], "block"));
}

bool Carries(const YAML::Node& workflow, const std::string& data_class) {
  return ActionFor(workflow, data_class) != "block";
}

bool CarriesPersonalData(const YAML::Node& workflow) {
  for (const char* c : {"personal", "contact", "financial", "government_id", "special_category"}) {
    const std::string a = ActionFor(workflow, c);
    if (a != "block" && a != "redact") return true;
  }
  return false;
}

std::string ListenHost(const std::string& listen) {
  if (!listen.empty() && listen[0] == '[') {
    const auto close = listen.find(']');
    return close == std::string::npos ? listen : listen.substr(1, close - 1);
  }
  const auto colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

bool IsWildcardHost(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "*";
}

std::string UrlHost(const std::string& url) {
  auto p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  rest = rest.substr(0, rest.find('/'));
  const auto at = rest.rfind('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  return ListenHost(rest);
}

std::string BackendJurisdiction(const YAML::Node& backend) {
  if (Lower(StrOr(backend["type"], "")) == "local") return "local";
  return Lower(StrOr(backend["jurisdiction"], ""));
}

bool TransferAllowed(const CheckEnv& env, const YAML::Node& backend, std::string* why) {
  const std::string j = BackendJurisdiction(backend);
  if (j == "local") {
    *why = "local backend";
    return true;
  }
  if (j.empty()) {
    *why = "backend declares no jurisdiction";
    return false;
  }
  if (j == "eu") {
    *why = "EU";
    return true;
  }
  auto it = env.jurisdictions.find(j);
  if (it == env.jurisdictions.end()) {
    *why = "jurisdiction " + j + " is neither in the EEA nor covered by an EU adequacy decision";
    return false;
  }
  const auto& st = it->second;
  if (st.status == "eea") {
    *why = j + " is in the EEA";
    return true;
  }
  if (st.condition.empty()) {
    *why = j + " has an EU adequacy decision";
    return true;
  }
  for (const auto& c : StrList(backend["certifications"])) {
    if (Lower(c) == st.condition) {
      *why = j + " is adequate for " + st.condition + "-certified recipients, and the backend is";
      return true;
    }
  }
  *why = j + " is adequate only for " + st.condition +
         "-certified recipients, and the backend does not declare " + st.condition;
  return false;
}

bool IsHighRisk(const YAML::Node& workflow) {
  const YAML::Node hr = workflow["high_risk"];
  if (hr.IsDefined()) return BoolOr(hr, false);
  return Lower(StrOr(workflow["category"], "")) == "hr";
}

bool SecretRefSafe(const YAML::Node& n, std::string* why) {
  if (n.IsScalar()) {
    *why = "the secret is written in the configuration in clear";
    return false;
  }
  if (!n.IsMap()) {
    *why = "not a secret reference";
    return false;
  }
  if (n["value"].IsDefined()) {
    *why = "the secret is written in the configuration in clear";
    return false;
  }
  if (n["env"].IsDefined()) {
    *why = "read from environment variable " + StrOr(n["env"], "?");
    return true;
  }
  if (n["file"].IsDefined()) {
    const std::string path = StrOr(n["file"], "");
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
      *why = "key file " + path + " is readable by group or others (chmod 600)";
      return false;
    }
    *why = "read from file " + path;
    return true;
  }
  *why = "neither env nor file given";
  return false;
}

}  // namespace airlock::compliance::internal
