// Policy: who may use which workflow, what happens to each data class, and
// where a request may go.
//
//   auto j = Jurisdictions::LoadFile(DefaultAdequacyFile());
//   Decision d = Decide(principal, *workflow, findings, *config, *j);
//   if (!d.allowed) → 403 with d.code, d.blocked_classes, d.reasons
//
// Decide is a pure function of its arguments: no I/O, no clock, no state.
// Every decision carries its reasons (for the audit event and the client's
// error), which name data classes, backends and rules, never values.
//
// Residency. Personal data of EU jurisdiction is personal data that leaves
// in identifiable or pseudonymous form (action allow, mask, hash or
// pseudonymise; redacted and blocked data does not leave) and that is EU
// data by the finding's jurisdiction or by the principal's home
// jurisdiction. It may go only to a backend that is local, "eu", in the
// EEA, or in a country with an adequacy decision whose condition (e.g.
// "dpf" for the US) the backend's certifications meet. The workflow's first
// backend is preferred; when it is not allowed and the workflow has
// `reroute: true`, local backends are tried first, then the others in
// order; otherwise the request is blocked. No other fallback exists.
//
// Thread-safety: Jurisdictions is immutable after load; Decide is pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "airlock/config/config.h"
#include "airlock/core/status.h"
#include "airlock/detect/finding.h"

namespace airlock::policy {

struct Principal {
  std::string id;
  std::string tenant;
  std::vector<std::string> roles;
  std::string jurisdiction;  // home jurisdiction: ISO 3166 alpha-2 or "EU"; may be empty
};

struct JurisdictionEntry {
  std::string country;    // ISO 3166 alpha-2
  std::string name;
  std::string decided;    // date of the adequacy decision (empty for the EEA)
  std::string condition;  // recipient must hold this certification ("dpf"); empty: none
  std::string note;
};

class Jurisdictions {
 public:
  static Result<Jurisdictions> Parse(const std::string& yaml_text, const std::string& source);
  static Result<Jurisdictions> LoadFile(const std::string& path);

  bool IsEea(std::string_view code) const;
  // nullptr when the country has no adequacy decision.
  const JurisdictionEntry* Adequacy(std::string_view code) const;
  // Whether the backend may receive EU personal data; *why says why or why not.
  bool AllowsEuPersonalData(const config::BackendConfig& b, std::string* why) const;
  // EU data: "EU", "eu" or an EEA country code.
  bool IsEuJurisdiction(std::string_view code) const;

 private:
  std::map<std::string, JurisdictionEntry, std::less<>> eea_;
  std::map<std::string, JurisdictionEntry, std::less<>> adequacy_;
};

// data/jurisdictions/adequacy.yaml of the installed or source tree
// ($AIRLOCK_DATA_DIR/jurisdictions/adequacy.yaml if set).
std::string DefaultAdequacyFile();

// True when the principal holds one of the workflow's roles.
bool MayUse(const Principal& p, const config::WorkflowConfig& w);

// The action the workflow takes for a data class ("personal").
config::Action ActionFor(const config::WorkflowConfig& w, std::string_view data_class);

// Whether a data class is personal data (GDPR Art. 4(1)).
bool IsPersonal(detect::DataClass c);

struct Decision {
  bool allowed = false;
  std::string code;                             // when blocked: forbidden_workflow, policy_blocked, residency_blocked
  std::vector<std::string> reasons;             // always filled
  std::vector<std::string> blocked_classes;     // data classes that caused a block
  const config::BackendConfig* backend = nullptr;  // when allowed; points into the Config
  bool eu_personal_data = false;
  bool rerouted = false;
};

Decision Decide(const Principal& principal, const config::WorkflowConfig& workflow,
                const std::vector<detect::Finding>& findings, const config::Config& config,
                const Jurisdictions& jurisdictions);

}  // namespace airlock::policy
