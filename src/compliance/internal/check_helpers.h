// Shared helpers for the checks in checks_*.cc. Not a public header.
//
// The checks read the YAML tree directly so every result can name its line.
// Where a key is absent they apply the gateway's own default (src/config),
// named next to each use, so that a check judges what would actually run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "airlock/compliance/checks.h"

namespace airlock::compliance::internal {

void AddTransportChecks(std::map<std::string, CheckFn>& m);
void AddDataChecks(std::map<std::string, CheckFn>& m);
void AddGovernanceChecks(std::map<std::string, CheckFn>& m);
void AddOperationsChecks(std::map<std::string, CheckFn>& m);
void AddLiveChecks(std::map<std::string, CheckFn>& m);

std::string Lower(std::string s);

// root["a"]["b"] for "a.b"; an undefined node when any step is missing.
// (yaml-cpp's operator[] on a const node never inserts.)
YAML::Node At(const YAML::Node& root, const std::string& dotted);

// The node to point at for a possibly absent key: the key's node if present,
// else the nearest present parent.
YAML::Node Anchor(const YAML::Node& parent, const char* key);

bool BoolOr(const YAML::Node& n, bool fallback);
double NumberOr(const YAML::Node& n, double fallback);
std::string StrOr(const YAML::Node& n, const std::string& fallback);
std::vector<std::string> StrList(const YAML::Node& n);

// One named entry of a list section (backends, workflows).
struct Entry {
  YAML::Node node;
  std::string name;
  std::string path;  // "workflows[2]"
};
std::vector<Entry> Entries(const YAML::Node& root, const char* section);
const Entry* FindEntry(const std::vector<Entry>& entries, const std::string& name);

// Runs `fn` for every workflow; not applicable when none is declared.
template <typename Fn>
void ForWorkflows(CheckContext& c, Fn fn) {
  const auto workflows = Entries(c.root(), "workflows");
  if (workflows.empty()) {
    c.NotApplicable("", "no workflows declared");
    return;
  }
  for (const auto& w : workflows) fn(w);
}

// The data classes Airlock knows, as config keys.
const std::vector<std::string>& DataClasses();
// A workflow's action for a data class: its data_classes entry, else its
// default_action, else "block" (the gateway's deny-by-default).
std::string ActionFor(const YAML::Node& workflow, const std::string& data_class);
// True when the workflow may carry the class to a backend (not blocked).
bool Carries(const YAML::Node& workflow, const std::string& data_class);
// Carries personal data of any kind (personal, contact, financial,
// government_id, special_category) in a form a backend can read: allow, or
// pseudonymise/mask/hash still count as personal data under GDPR Recital 26
// for the controller, so only redact and block take it out.
bool CarriesPersonalData(const YAML::Node& workflow);

// host part of "host:port" / "[v6]:port".
std::string ListenHost(const std::string& listen);
bool IsLoopbackHost(const std::string& host);
bool IsWildcardHost(const std::string& host);
// "https://x/v1" -> "x"
std::string UrlHost(const std::string& url);

// Backend jurisdiction as the gateway reads it (local backends: "local").
std::string BackendJurisdiction(const YAML::Node& backend);
// Whether EU personal data may go to this backend: local, EEA, adequate, or
// adequate on a condition the backend meets (its certifications).
bool TransferAllowed(const CheckEnv& env, const YAML::Node& backend, std::string* why);

// True for workflows that EU AI Act Annex III treats as high risk
// (employment/HR): `high_risk: true`, or `category: hr` unless
// `high_risk: false` is written.
bool IsHighRisk(const YAML::Node& workflow);

// A secret reference {env: X} or {file: P}: false (and a reason) when the
// value sits in the config in clear or the file is readable by others.
bool SecretRefSafe(const YAML::Node& n, std::string* why);

}  // namespace airlock::compliance::internal
