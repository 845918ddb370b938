// The checks behind the control catalog, and the run that applies them.
//
//   auto catalog = ControlCatalog::LoadDirectory(DefaultControlsDir());
//   auto config = ConfigDocument::LoadFile("airlock.yaml");
//   CheckOptions opts;                       // --live URL, today's date, ...
//   auto results = RunChecks(*catalog, *config, opts);
//   ApplyWaivers(*waivers, opts.today, &results);
//
// A check reads the configuration as YAML (so that each result can name the
// file and line it is about) and returns one outcome per thing it looked at:
// a check over workflows returns one outcome per workflow, so a report says
// which workflow fails, not only that one does. A check with nothing to look
// at (no remote backends, say) passes with a note saying so.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "airlock/compliance/catalog.h"
#include "airlock/core/status.h"

namespace airlock::compliance {

// A configuration file as the checks read it: the YAML tree with its marks.
class ConfigDocument {
 public:
  // Parses a file; errors name the file and line (exit code 2 in the CLI).
  static Result<ConfigDocument> LoadFile(const std::string& path);
  // Parses text; `source` is the name used in locations ("<built-in>").
  static Result<ConfigDocument> LoadText(const std::string& text, const std::string& source);

  const YAML::Node& root() const { return root_; }
  const std::string& source() const { return source_; }
  // "file:line" of a node (1-based line), or the file alone when the node
  // has no mark (absent keys are reported at their parent).
  std::string Where(const YAML::Node& node) const;

 private:
  YAML::Node root_;
  std::string source_;
};

enum class Outcome { kPass, kFail, kWaived, kWaiverExpired, kNotApplicable, kError };
std::string_view OutcomeName(Outcome o);

struct CheckResult {
  std::string control_id;
  Severity severity = Severity::kMedium;
  Outcome outcome = Outcome::kPass;
  std::string subject;   // what was looked at: "workflow hr-assistant", "listener"
  std::string message;   // what was found (config facts only, never payload)
  std::string location;  // "airlock.yaml:42"
  std::string config_path;  // YAML path: "workflows[2].backends"
  // Set when a waiver applies (or applied and expired).
  std::string waiver_owner, waiver_ticket, waiver_expires, waiver_justification;
};

struct CheckOptions {
  std::string today;     // YYYY-MM-DD; waivers expire relative to it
  std::string live_url;  // empty: no live probes
  std::string ca_file;   // CA bundle for --live over TLS
  std::string api_key;   // key for live probes that need one (optional)
  // Dated EEA/adequacy data (data/jurisdictions/adequacy.yaml).
  std::string jurisdictions_file;
  // Where confidential-computing guest devices are looked for ("/dev").
  std::string dev_dir = "/dev";
};

// The facts a check sees besides the config.
struct CheckEnv {
  const ConfigDocument* config = nullptr;
  const CheckOptions* options = nullptr;
  // Jurisdiction code (lowercase, "eu" and "local" included) -> status:
  // "eea", "adequate", "adequate-conditional" (with `condition`), or absent.
  struct Jurisdiction {
    std::string status;
    std::string condition;  // e.g. "dpf" for the US, "pipeda" for Canada
  };
  std::map<std::string, Jurisdiction> jurisdictions;
  std::string jurisdictions_date;  // the data file's "as of" date
};

// One result-producing unit. `Emit` adds an outcome for the current control.
class CheckContext {
 public:
  CheckContext(const CheckEnv& env, const Control& control, std::vector<CheckResult>* out)
      : env_(env), control_(control), out_(out) {}
  const CheckEnv& env() const { return env_; }
  const ConfigDocument& config() const { return *env_.config; }
  const YAML::Node& root() const { return env_.config->root(); }

  void Pass(std::string subject, std::string message, const YAML::Node& at, std::string path);
  void Fail(std::string subject, std::string message, const YAML::Node& at, std::string path);
  void NotApplicable(std::string subject, std::string message);
  void Error(std::string subject, std::string message);

 private:
  void Add(Outcome o, std::string subject, std::string message, const YAML::Node* at,
           std::string path);
  const CheckEnv& env_;
  const Control& control_;
  std::vector<CheckResult>* out_;
};

using CheckFn = std::function<void(CheckContext&)>;

// Every built-in check, by control id.
const std::map<std::string, CheckFn>& CheckRegistry();

// Fails when a catalog control has no code or code has no control.
Status MatchCatalog(const ControlCatalog& catalog);

// Loads the dated EEA/adequacy list into env->jurisdictions.
Status LoadJurisdictions(const std::string& path, CheckEnv* env);

// Runs every control of the catalog (live ones only when options.live_url is
// set; otherwise they are reported as not applicable with a note).
std::vector<CheckResult> RunChecks(const ControlCatalog& catalog, const CheckEnv& env);

}  // namespace airlock::compliance
