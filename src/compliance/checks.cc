// The run: catalog + registry + config -> results. The checks themselves are
// in checks_*.cc, grouped by theme; each file adds its checks to the registry.
#include "airlock/compliance/checks.h"

#include <fstream>
#include <sstream>

#include "internal/check_helpers.h"

namespace airlock::compliance {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kPass: return "pass";
    case Outcome::kFail: return "fail";
    case Outcome::kWaived: return "waived";
    case Outcome::kWaiverExpired: return "waiver-expired";
    case Outcome::kNotApplicable: return "not-applicable";
    case Outcome::kError: return "error";
  }
  return "?";
}

Result<ConfigDocument> ConfigDocument::LoadText(const std::string& text, const std::string& source) {
  ConfigDocument doc;
  doc.source_ = source;
  try {
    doc.root_ = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!doc.root_.IsMap()) {
    return Status::InvalidArgument(source + ": the configuration must be a YAML mapping");
  }
  return doc;
}

Result<ConfigDocument> ConfigDocument::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read configuration");
  std::ostringstream text;
  text << in.rdbuf();
  return LoadText(text.str(), path);
}

std::string ConfigDocument::Where(const YAML::Node& node) const {
  // Absent keys are reported at their parent; the root stands for the file.
  if (!node.IsDefined() || node.is(root_)) return source_;
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return source_;
  return source_ + ":" + std::to_string(m.line + 1);
}

void CheckContext::Add(Outcome o, std::string subject, std::string message, const YAML::Node* at,
                       std::string path) {
  CheckResult r;
  r.control_id = control_.id;
  r.severity = control_.severity;
  r.outcome = o;
  r.subject = std::move(subject);
  r.message = std::move(message);
  r.location = at != nullptr ? env_.config->Where(*at) : std::string();
  r.config_path = std::move(path);
  out_->push_back(std::move(r));
}

void CheckContext::Pass(std::string subject, std::string message, const YAML::Node& at,
                        std::string path) {
  Add(Outcome::kPass, std::move(subject), std::move(message), &at, std::move(path));
}
void CheckContext::Fail(std::string subject, std::string message, const YAML::Node& at,
                        std::string path) {
  Add(Outcome::kFail, std::move(subject), std::move(message), &at, std::move(path));
}
void CheckContext::NotApplicable(std::string subject, std::string message) {
  Add(Outcome::kNotApplicable, std::move(subject), std::move(message), nullptr, "");
}
void CheckContext::Error(std::string subject, std::string message) {
  Add(Outcome::kError, std::move(subject), std::move(message), nullptr, "");
}

const std::map<std::string, CheckFn>& CheckRegistry() {
  static const std::map<std::string, CheckFn> kRegistry = [] {
    std::map<std::string, CheckFn> m;
    internal::AddTransportChecks(m);
    internal::AddDataChecks(m);
    internal::AddGovernanceChecks(m);
    internal::AddOperationsChecks(m);
    internal::AddLiveChecks(m);
    return m;
  }();
  return kRegistry;
}

Status MatchCatalog(const ControlCatalog& catalog) {
  const auto& reg = CheckRegistry();
  for (const auto& c : catalog.controls()) {
    if (!reg.count(c.id)) {
      return Status::InvalidArgument(c.source + ": control " + c.id +
                                     " has no check in this build of airlock");
    }
  }
  for (const auto& [id, fn] : reg) {
    if (catalog.Find(id) == nullptr) {
      return Status::InvalidArgument("check " + id + " is missing from the control catalog");
    }
  }
  return Status::Ok();
}

Status LoadJurisdictions(const std::string& path, CheckEnv* env) {
  try {
    const YAML::Node root = YAML::LoadFile(path);
    const YAML::Node as_of = root["as_of"];
    if (!as_of || !as_of.IsScalar()) {
      return Status::InvalidArgument(path + ": missing 'as_of' date (when the list was checked)");
    }
    env->jurisdictions_date = as_of.Scalar();
    for (const char* section : {"eea", "adequacy"}) {
      const YAML::Node list = root[section];
      if (!list || !list.IsSequence()) {
        return Status::InvalidArgument(path + ": missing '" + std::string(section) + "' list");
      }
      for (const auto& j : list) {
        CheckEnv::Jurisdiction entry;
        const std::string code = internal::Lower(j["country"].as<std::string>(""));
        if (code.empty()) {
          return Status::InvalidArgument(path + ":" + std::to_string(j.Mark().line + 1) +
                                         ": entry needs a country");
        }
        entry.status = section;
        entry.condition = internal::Lower(j["condition"].as<std::string>(""));
        env->jurisdictions[code] = entry;
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return Status::Ok();
}

std::vector<CheckResult> RunChecks(const ControlCatalog& catalog, const CheckEnv& env) {
  std::vector<CheckResult> results;
  const auto& reg = CheckRegistry();
  for (const auto& control : catalog.controls()) {
    CheckContext ctx(env, control, &results);
    if (control.live && env.options->live_url.empty()) {
      ctx.NotApplicable("", "needs --live URL (probes a running instance)");
      continue;
    }
    auto it = reg.find(control.id);
    if (it == reg.end()) {
      ctx.Error("", "no check implemented for this control");
      continue;
    }
    const size_t before = results.size();
    try {
      it->second(ctx);
    } catch (const YAML::Exception& e) {
      // A value of the wrong type where a check expected another: report the
      // place, do not crash the run.
      ctx.Error("", "unexpected value at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (results.size() == before) ctx.Error("", "check produced no result");
  }
  return results;
}

}  // namespace airlock::compliance
