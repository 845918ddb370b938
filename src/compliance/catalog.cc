#include "airlock/compliance/catalog.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace airlock::compliance {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSeverityNames[] = {"info", "low", "medium", "high", "critical"};

std::string Where(const std::string& source, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return source;
  return source + ":" + std::to_string(m.line + 1);
}

Status Bad(const std::string& source, const YAML::Node& node, const std::string& why) {
  return Status::InvalidArgument(Where(source, node) + ": " + why);
}

Status ReadString(const YAML::Node& node, const std::string& key, const std::string& source,
                  bool required, std::string* out) {
  const YAML::Node v = node[key];
  if (!v) {
    if (required) return Bad(source, node, "control is missing '" + key + "'");
    return Status::Ok();
  }
  if (!v.IsScalar() || v.Scalar().empty()) {
    return Bad(source, v, "'" + key + "' must be a non-empty string");
  }
  *out = v.Scalar();
  return Status::Ok();
}

Status ParseControl(const YAML::Node& node, const std::string& source, Control* c) {
  if (!node.IsMap()) return Bad(source, node, "a control must be a mapping");
  static const std::set<std::string> kKeys = {"id",          "title",    "severity", "rationale",
                                              "remediation", "mappings", "live"};
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (!kKeys.count(key)) return Bad(source, kv.first, "unknown key '" + key + "'");
  }
  c->source = Where(source, node);
  Status s = ReadString(node, "id", source, true, &c->id);
  if (s.ok()) s = ReadString(node, "title", source, true, &c->title);
  if (s.ok()) s = ReadString(node, "rationale", source, true, &c->rationale);
  if (s.ok()) s = ReadString(node, "remediation", source, true, &c->remediation);
  if (!s.ok()) return s;
  std::string sev;
  if (s = ReadString(node, "severity", source, true, &sev); !s.ok()) return s;
  auto parsed = ParseSeverity(sev);
  if (!parsed.ok()) return Bad(source, node["severity"], parsed.status().message());
  c->severity = *parsed;
  if (const YAML::Node live = node["live"]) {
    if (!live.IsScalar() || (live.Scalar() != "true" && live.Scalar() != "false")) {
      return Bad(source, live, "'live' must be true or false");
    }
    c->live = live.Scalar() == "true";
  }
  const YAML::Node maps = node["mappings"];
  if (!maps || !maps.IsMap() || maps.size() == 0) {
    return Bad(source, maps ? maps : node, "control needs 'mappings' to at least one framework");
  }
  for (const auto& kv : maps) {
    const std::string fw = kv.first.as<std::string>();
    const auto& known = Frameworks();
    if (std::none_of(known.begin(), known.end(), [&](const auto& f) { return f.first == fw; })) {
      return Bad(source, kv.first, "unknown framework '" + fw + "'");
    }
    if (!kv.second.IsSequence()) return Bad(source, kv.second, "'" + fw + "' must be a list");
    auto& refs = c->mappings[fw];
    for (const auto& r : kv.second) {
      if (!r.IsScalar() || r.Scalar().empty()) return Bad(source, r, "empty reference");
      refs.push_back(r.Scalar());
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view SeverityName(Severity s) { return kSeverityNames[static_cast<int>(s)]; }

Result<Severity> ParseSeverity(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  for (int i = 0; i < 5; ++i) {
    if (lower == kSeverityNames[i]) return static_cast<Severity>(i);
  }
  return Status::InvalidArgument("unknown severity '" + std::string(name) +
                                 "' (info, low, medium, high, critical)");
}

const std::vector<std::pair<std::string, std::string>>& Frameworks() {
  static const std::vector<std::pair<std::string, std::string>> kFrameworks = {
      {"iso27001", "ISO/IEC 27001:2022 Annex A"},
      {"gdpr", "GDPR Art."},
      {"nis2", "NIS2 Art."},
      {"nist_ai_rmf", "NIST AI RMF 1.0"},
      {"owasp_llm", "OWASP Top 10 for LLM Applications 2025"},
      {"eu_ai_act", "EU AI Act Art."},
  };
  return kFrameworks;
}

Status ControlCatalog::AddYaml(const std::string& yaml_text, const std::string& source) {
  try {
    const YAML::Node root = YAML::Load(yaml_text);
    const YAML::Node list = root["controls"];
    if (!list || !list.IsSequence()) {
      return Status::InvalidArgument(source + ": expected a top-level 'controls' list");
    }
    for (const auto& node : list) {
      Control c;
      if (Status s = ParseControl(node, source, &c); !s.ok()) return s;
      if (const Control* dup = Find(c.id)) {
        return Bad(source, node, "duplicate control id '" + c.id + "' (first at " + dup->source + ")");
      }
      controls_.push_back(std::move(c));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return Status::Ok();
}

Result<ControlCatalog> ControlCatalog::LoadDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound(dir + ": control catalog directory not found");
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml" || e.path().extension() == ".yml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ControlCatalog catalog;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return Status::IoError(f.string() + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    if (Status s = catalog.AddYaml(text.str(), f.string()); !s.ok()) return s;
  }
  if (catalog.controls_.empty()) return Status::NotFound(dir + ": no controls (*.yaml) found");
  return catalog;
}

const Control* ControlCatalog::Find(std::string_view id) const {
  for (const auto& c : controls_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::string DefaultControlsDir() {
  if (const char* env = std::getenv("AIRLOCK_DATA_DIR"); env != nullptr && *env != '\0') {
    return (fs::path(env) / "controls").string();
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "airlock" / "controls";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return (fs::path(AIRLOCK_SOURCE_DATA_DIR) / "controls").string();
}

}  // namespace airlock::compliance
