#include "airlock/policy/policy.h"

#include <algorithm>
#include <set>

namespace airlock::policy {

bool MayUse(const Principal& p, const config::WorkflowConfig& w) {
  for (const auto& r : p.roles) {
    if (std::find(w.roles.begin(), w.roles.end(), r) != w.roles.end()) return true;
  }
  return false;
}

config::Action ActionFor(const config::WorkflowConfig& w, std::string_view data_class) {
  auto it = w.actions.find(std::string(data_class));
  return it == w.actions.end() ? w.default_action : it->second;
}

bool IsPersonal(detect::DataClass c) {
  using detect::DataClass;
  return c != DataClass::kCredential && c != DataClass::kConfidential;
}

Decision Decide(const Principal& principal, const config::WorkflowConfig& workflow,
                const std::vector<detect::Finding>& findings, const config::Config& config,
                const Jurisdictions& jurisdictions) {
  Decision d;
  if (!MayUse(principal, workflow)) {
    d.code = "forbidden_workflow";
    d.reasons.push_back("principal " + principal.id + " holds none of the roles workflow " +
                        workflow.name + " allows");
    return d;
  }

  // Per data class: blocked ones end the request; the others decide whether
  // EU personal data leaves.
  std::set<std::string> blocked;
  bool eu_personal = false;
  std::string eu_why;
  const bool principal_eu = jurisdictions.IsEuJurisdiction(principal.jurisdiction);
  for (const auto& f : findings) {
    const std::string cls(detect::DataClassName(f.data_class));
    const config::Action a = ActionFor(workflow, cls);
    if (a == config::Action::kBlock) {
      blocked.insert(cls);
      continue;
    }
    if (a == config::Action::kRedact || !IsPersonal(f.data_class)) continue;
    if (jurisdictions.IsEuJurisdiction(f.jurisdiction)) {
      if (!eu_personal) eu_why = cls + " data (" + f.entity_type + ") of EU jurisdiction " + f.jurisdiction;
      eu_personal = true;
    } else if (principal_eu) {
      if (!eu_personal) eu_why = cls + " data (" + f.entity_type + ") of a principal whose home is " + principal.jurisdiction;
      eu_personal = true;
    }
  }
  if (!blocked.empty()) {
    d.code = "policy_blocked";
    d.blocked_classes.assign(blocked.begin(), blocked.end());
    for (const auto& c : blocked) d.reasons.push_back("workflow " + workflow.name + " blocks " + c + " data");
    return d;
  }
  d.eu_personal_data = eu_personal;

  if (!eu_personal) {
    d.backend = config.FindBackend(workflow.backends.front());
    d.allowed = d.backend != nullptr;
    d.reasons.push_back("no EU personal data leaves; preferred backend " + workflow.backends.front());
    if (!d.allowed) d.code = "no_backend";
    return d;
  }

  d.reasons.push_back("request carries " + eu_why);
  // Preference: the first backend; then, if rerouting is allowed, local
  // backends, then the rest in the workflow's order.
  std::vector<const config::BackendConfig*> order;
  for (const auto& name : workflow.backends) {
    if (const auto* b = config.FindBackend(name)) order.push_back(b);
  }
  if (order.empty()) {
    d.code = "no_backend";
    return d;
  }
  std::stable_partition(order.begin() + 1, order.end(),
                        [](const config::BackendConfig* b) { return b->type == "local"; });
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i > 0 && !workflow.reroute) break;
    std::string why;
    const bool ok = jurisdictions.AllowsEuPersonalData(*order[i], &why);
    d.reasons.push_back(why);
    if (ok) {
      d.allowed = true;
      d.backend = order[i];
      d.rerouted = i > 0;
      if (d.rerouted) d.reasons.push_back("rerouted from " + order[0]->name + " to " + order[i]->name);
      return d;
    }
  }
  d.code = "residency_blocked";
  for (const auto& f : findings) {
    const std::string cls(detect::DataClassName(f.data_class));
    if (IsPersonal(f.data_class) && ActionFor(workflow, cls) != config::Action::kRedact &&
        std::find(d.blocked_classes.begin(), d.blocked_classes.end(), cls) == d.blocked_classes.end())
      d.blocked_classes.push_back(cls);
  }
  d.reasons.push_back(workflow.reroute ? "no backend of workflow " + workflow.name + " may receive EU personal data"
                                       : "workflow " + workflow.name + " does not allow rerouting");
  return d;
}

}  // namespace airlock::policy
