#include "airlock/compliance/waivers.h"

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace airlock::compliance {

namespace {

Status Bad(const std::string& source, const YAML::Node& node, const std::string& why) {
  const YAML::Mark m = node.Mark();
  return Status::InvalidArgument(source + (m.line >= 0 ? ":" + std::to_string(m.line + 1) : "") +
                                 ": " + why);
}

}  // namespace

bool IsIsoDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)),
            d = std::stoi(s.substr(8, 2));
  if (m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + ((m == 2 && leap) ? 1 : 0);
}

Result<std::vector<Waiver>> ParseWaivers(const std::string& text, const std::string& source,
                                         const ControlCatalog& catalog) {
  std::vector<Waiver> out;
  try {
    const YAML::Node root = YAML::Load(text);
    const YAML::Node list = root["waivers"];
    if (!list || !list.IsSequence()) {
      return Status::InvalidArgument(source + ": expected a top-level 'waivers' list");
    }
    static const std::set<std::string> kKeys = {"id",    "subject", "justification",
                                                "owner", "ticket",  "expires"};
    for (const auto& node : list) {
      if (!node.IsMap()) return Bad(source, node, "a waiver must be a mapping");
      for (const auto& kv : node) {
        const std::string key = kv.first.as<std::string>();
        if (!kKeys.count(key)) return Bad(source, kv.first, "unknown key '" + key + "'");
      }
      Waiver w;
      w.source = source + ":" + std::to_string(node.Mark().line + 1);
      for (auto [key, field] : {std::pair{"id", &w.id},
                                {"justification", &w.justification},
                                {"owner", &w.owner},
                                {"ticket", &w.ticket},
                                {"expires", &w.expires}}) {
        const YAML::Node v = node[key];
        if (!v || !v.IsScalar() || v.Scalar().empty()) {
          return Bad(source, v ? v : node, std::string("waiver needs a non-empty '") + key + "'");
        }
        *field = v.Scalar();
      }
      if (const YAML::Node v = node["subject"]) w.subject = v.as<std::string>();
      if (!IsIsoDate(w.expires)) {
        return Bad(source, node["expires"], "'expires' must be a date YYYY-MM-DD");
      }
      if (catalog.Find(w.id) == nullptr) {
        return Bad(source, node["id"], "waiver for unknown control id '" + w.id + "'");
      }
      out.push_back(std::move(w));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return out;
}

Result<std::vector<Waiver>> LoadWaivers(const std::string& path, const ControlCatalog& catalog) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read waiver file");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseWaivers(text.str(), path, catalog);
}

void ApplyWaivers(const std::vector<Waiver>& waivers, const std::string& today,
                  std::vector<CheckResult>* results) {
  for (auto& r : *results) {
    if (r.outcome != Outcome::kFail) continue;
    for (const auto& w : waivers) {
      if (w.id != r.control_id || (!w.subject.empty() && w.subject != r.subject)) continue;
      // ISO dates compare as strings.
      r.outcome = today <= w.expires ? Outcome::kWaived : Outcome::kWaiverExpired;
      r.waiver_owner = w.owner;
      r.waiver_ticket = w.ticket;
      r.waiver_expires = w.expires;
      r.waiver_justification = w.justification;
      break;
    }
  }
}

}  // namespace airlock::compliance
