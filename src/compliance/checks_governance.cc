// Governance declared per workflow: purpose, legal basis, the facts of a
// GDPR Art. 30 record, DPIA, and the EU AI Act duties of high-risk (HR) use.
#include <set>

#include "internal/check_helpers.h"

namespace airlock::compliance::internal {

namespace {

// Fails the workflow when any of `keys` is missing or empty.
void RequireFields(CheckContext& c, const Entry& w, std::initializer_list<const char*> keys,
                   const std::string& what) {
  std::string missing;
  for (const char* k : keys) {
    const YAML::Node n = w.node[k];
    const bool empty = !n.IsDefined() || (n.IsScalar() && n.Scalar().empty()) ||
                       (n.IsSequence() && n.size() == 0);
    if (empty) missing += (missing.empty() ? "" : ", ") + std::string(k);
  }
  if (missing.empty()) {
    c.Pass("workflow " + w.name, what + " declared", w.node, w.path);
  } else {
    c.Fail("workflow " + w.name, what + " missing: " + missing, w.node, w.path);
  }
}

bool SpecialCategoryReachesBackend(const YAML::Node& w) {
  const std::string a = ActionFor(w, "special_category");
  return a != "block" && a != "redact";
}

}  // namespace

void AddGovernanceChecks(std::map<std::string, CheckFn>& m) {
  m["AL-GOV-001"] = [](CheckContext& c) {
    ForWorkflows(c, [&](const Entry& w) { RequireFields(c, w, {"purpose"}, "purpose"); });
  };
  m["AL-GOV-002"] = [](CheckContext& c) {
    static const std::set<std::string> kBases = {"consent",        "contract",    "legal_obligation",
                                                 "vital_interests", "public_task", "legitimate_interests"};
    ForWorkflows(c, [&](const Entry& w) {
      const YAML::Node n = w.node["legal_basis"];
      const std::string basis = Lower(StrOr(n, ""));
      if (!CarriesPersonalData(w.node) && basis.empty()) {
        c.Pass("workflow " + w.name, "carries no personal data; no legal basis needed", w.node,
               w.path);
      } else if (basis.empty()) {
        c.Fail("workflow " + w.name, "processes personal data without a declared legal basis",
               w.node, w.path + ".legal_basis");
      } else if (!kBases.count(basis)) {
        c.Fail("workflow " + w.name,
               "legal_basis '" + basis +
                   "' is not a GDPR Art. 6(1) basis (consent, contract, legal_obligation, "
                   "vital_interests, public_task, legitimate_interests)",
               n, w.path + ".legal_basis");
      } else {
        c.Pass("workflow " + w.name, "legal basis: " + basis, n, w.path + ".legal_basis");
      }
    });
  };
  m["AL-GOV-003"] = [](CheckContext& c) {
    ForWorkflows(c, [&](const Entry& w) {
      RequireFields(c, w, {"data_categories", "data_subjects"}, "data categories and data subjects");
    });
  };
  m["AL-GOV-004"] = [](CheckContext& c) {
    ForWorkflows(c, [&](const Entry& w) {
      RequireFields(c, w, {"recipients", "retention"}, "recipients and retention");
    });
  };
  m["AL-GOV-005"] = [](CheckContext& c) {
    ForWorkflows(c, [&](const Entry& w) {
      const bool needs = IsHighRisk(w.node) || SpecialCategoryReachesBackend(w.node);
      const std::string dpia = StrOr(w.node["dpia"], "");
      if (!needs) {
        c.Pass("workflow " + w.name, "neither high-risk nor special-category processing", w.node,
               w.path);
      } else if (dpia.empty()) {
        c.Fail("workflow " + w.name,
               std::string(IsHighRisk(w.node) ? "high-risk (HR) workflow"
                                              : "special-category processing") +
                   " without a data protection impact assessment reference (dpia)",
               w.node, w.path + ".dpia");
      } else {
        c.Pass("workflow " + w.name, "DPIA " + dpia, w.node["dpia"], w.path + ".dpia");
      }
    });
  };
  m["AL-GOV-006"] = [](CheckContext& c) {
    ForWorkflows(c, [&](const Entry& w) {
      if (!IsHighRisk(w.node)) {
        c.Pass("workflow " + w.name, "not a high-risk use under EU AI Act Annex III", w.node, w.path);
        return;
      }
      const std::string oversight = StrOr(w.node["human_oversight"], "");
      if (oversight.empty()) {
        c.Fail("workflow " + w.name,
               "high-risk (HR) workflow without a named human oversight arrangement "
               "(human_oversight)",
               w.node, w.path + ".human_oversight");
      } else {
        c.Pass("workflow " + w.name, "human oversight declared", w.node["human_oversight"],
               w.path + ".human_oversight");
      }
    });
  };
  m["AL-GOV-007"] = [](CheckContext& c) {
    ForWorkflows(c, [&](const Entry& w) {
      const std::string a = ActionFor(w.node, "special_category");
      if (a == "block" || a == "redact") {
        c.Pass("workflow " + w.name, "no special-category data processed", w.node, w.path);
        return;
      }
      const std::string cond = Lower(StrOr(w.node["art9_condition"], ""));
      static const std::set<std::string> kLetters = {"a", "b", "c", "d", "e", "f",
                                                     "g", "h", "i", "j"};
      if (cond.empty()) {
        c.Fail("workflow " + w.name,
               "processes special-category data without a GDPR Art. 9(2) condition (art9_condition)",
               Anchor(w.node, "data_classes"), w.path + ".art9_condition");
      } else if (!kLetters.count(cond)) {
        c.Fail("workflow " + w.name, "art9_condition must be a letter of Art. 9(2): a to j",
               w.node["art9_condition"], w.path + ".art9_condition");
      } else {
        c.Pass("workflow " + w.name, "Art. 9(2)(" + cond + ")", w.node["art9_condition"],
               w.path + ".art9_condition");
      }
    });
  };
  m["AL-GOV-008"] = [](CheckContext& c) {
    const YAML::Node org = c.root()["organisation"];
    std::string missing;
    for (const char* k : {"name", "contact", "dpo"}) {
      if (StrOr(org.IsDefined() ? org[k] : YAML::Node(YAML::NodeType::Undefined), "").empty()) {
        missing += (missing.empty() ? "" : ", ") + std::string(k);
      }
    }
    if (missing.empty()) {
      c.Pass("organisation", "controller and DPO declared", org, "organisation");
    } else {
      c.Fail("organisation",
             "the record of processing needs the controller's " + missing + " (organisation.*)",
             Anchor(c.root(), "organisation"), "organisation");
    }
  };
  m["AL-GOV-009"] = [](CheckContext& c) {
    ForWorkflows(c, [&](const Entry& w) {
      if (!IsHighRisk(w.node)) {
        c.Pass("workflow " + w.name, "not high-risk", w.node, w.path);
        return;
      }
      // EU AI Act Art. 26(5): deployers monitor and inform; Art. 26(7):
      // workers' representatives informed before an HR system is used.
      const std::string info = StrOr(w.node["workers_informed"], "");
      if (info.empty() || Lower(info) == "false") {
        c.Fail("workflow " + w.name,
               "HR workflow: no record that workers and their representatives were informed "
               "(workers_informed: date or reference)",
               w.node, w.path + ".workers_informed");
      } else {
        c.Pass("workflow " + w.name, "workers informed: " + info, w.node["workers_informed"],
               w.path + ".workers_informed");
      }
    });
  };
}

}  // namespace airlock::compliance::internal
