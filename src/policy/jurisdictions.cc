#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "airlock/policy/policy.h"

namespace airlock::policy {

namespace {

Status ReadList(const YAML::Node& list, const std::string& source, const char* what,
                std::map<std::string, JurisdictionEntry, std::less<>>* out) {
  if (!list || !list.IsSequence())
    return Status::InvalidArgument(source + ": '" + what + "' must be a list");
  for (const auto& n : list) {
    const int line = n.Mark().line + 1;
    if (!n.IsMap() || !n["country"] || !n["country"].IsScalar())
      return Status::InvalidArgument(source + ":" + std::to_string(line) + ": entry needs a country");
    JurisdictionEntry e;
    e.country = n["country"].as<std::string>();
    if (e.country.size() != 2)
      return Status::InvalidArgument(source + ":" + std::to_string(line) + ": country must be ISO 3166 alpha-2");
    auto str = [&](const char* k) { return n[k] && n[k].IsScalar() ? n[k].as<std::string>() : std::string(); };
    e.name = str("name");
    e.decided = str("decided");
    e.condition = str("condition");
    e.note = str("note");
    (*out)[e.country] = std::move(e);
  }
  return Status::Ok();
}

}  // namespace

Result<Jurisdictions> Jurisdictions::Parse(const std::string& yaml_text, const std::string& source) {
  Jurisdictions j;
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (Status s = ReadList(root["eea"], source, "eea", &j.eea_); !s.ok()) return s;
    if (Status s = ReadList(root["adequacy"], source, "adequacy", &j.adequacy_); !s.ok()) return s;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return j;
}

Result<Jurisdictions> Jurisdictions::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open the adequacy file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path);
}

bool Jurisdictions::IsEea(std::string_view code) const { return eea_.find(code) != eea_.end(); }

const JurisdictionEntry* Jurisdictions::Adequacy(std::string_view code) const {
  auto it = adequacy_.find(code);
  return it == adequacy_.end() ? nullptr : &it->second;
}

bool Jurisdictions::IsEuJurisdiction(std::string_view code) const {
  return code == "EU" || code == "eu" || IsEea(code);
}

bool Jurisdictions::AllowsEuPersonalData(const config::BackendConfig& b, std::string* why) const {
  const std::string& j = b.jurisdiction;
  if (j == "local") {
    *why = "backend " + b.name + " is local";
    return true;
  }
  if (j == "eu") {
    *why = "backend " + b.name + " is in the EU";
    return true;
  }
  if (IsEea(j)) {
    *why = "backend " + b.name + " (" + j + ") is in the EEA";
    return true;
  }
  if (const JurisdictionEntry* a = Adequacy(j)) {
    if (a->condition.empty()) {
      *why = "backend " + b.name + " (" + j + ") has an EU adequacy decision of " + a->decided;
      return true;
    }
    if (std::find(b.certifications.begin(), b.certifications.end(), a->condition) != b.certifications.end()) {
      *why = "backend " + b.name + " (" + j + ") is covered by the adequacy decision of " + a->decided +
             " through its " + a->condition + " certification";
      return true;
    }
    *why = "backend " + b.name + " (" + j + "): the adequacy decision covers only " + a->condition +
           " recipients and the backend does not declare " + a->condition;
    return false;
  }
  *why = "backend " + b.name + " (" + j + ") is outside the EEA without an adequacy decision";
  return false;
}

std::string DefaultAdequacyFile() {
  namespace fs = std::filesystem;
  const std::string rel = "jurisdictions/adequacy.yaml";
  if (const char* d = std::getenv("AIRLOCK_DATA_DIR"); d != nullptr && *d != '\0')
    return (fs::path(d) / rel).string();
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "airlock" / rel;
    if (fs::exists(installed, ec)) return installed.string();
  }
  return (fs::path(AIRLOCK_SOURCE_DATA_DIR) / rel).string();
}

}  // namespace airlock::policy
