// Data protection: residency, provider contracts, DLP on input and output,
// special categories, minimisation, pseudonymisation keys.
#include "internal/check_helpers.h"

namespace airlock::compliance::internal {

namespace {

bool IsRemote(const YAML::Node& backend) { return Lower(StrOr(backend["type"], "")) == "remote"; }

// The backends a workflow may reach: all of its list when it may reroute,
// else the first (the gateway never goes further without `reroute: true`).
std::vector<const Entry*> ReachableBackends(const Entry& w, const std::vector<Entry>& backends) {
  std::vector<const Entry*> out;
  const auto names = StrList(w.node["backends"]);
  const bool reroute = BoolOr(w.node["reroute"], false);
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0 && !reroute) break;
    if (const Entry* b = FindEntry(backends, names[i])) out.push_back(b);
  }
  return out;
}

bool ReachesRemote(const Entry& w, const std::vector<Entry>& backends) {
  for (const Entry* b : ReachableBackends(w, backends)) {
    if (IsRemote(b->node)) return true;
  }
  return false;
}

template <typename Fn>
void ForUsedRemoteBackends(CheckContext& c, Fn fn) {
  const auto backends = Entries(c.root(), "backends");
  bool any = false;
  for (const auto& b : backends) {
    if (!IsRemote(b.node)) continue;
    any = true;
    fn(b);
  }
  if (!any) c.NotApplicable("", "no remote backends configured");
}

}  // namespace

void AddDataChecks(std::map<std::string, CheckFn>& m) {
  m["AL-TRANSFER-001"] = [](CheckContext& c) {
    const auto backends = Entries(c.root(), "backends");
    ForWorkflows(c, [&](const Entry& w) {
      if (!CarriesPersonalData(w.node)) {
        c.Pass("workflow " + w.name, "carries no personal data to any backend", w.node,
               w.path + ".data_classes");
        return;
      }
      bool ok = true;
      for (const Entry* b : ReachableBackends(w, backends)) {
        std::string why;
        if (!TransferAllowed(c.env(), b->node, &why)) {
          ok = false;
          c.Fail("workflow " + w.name,
                 "may send EU personal data to backend " + b->name + ": " + why,
                 Anchor(w.node, "backends"), w.path + ".backends");
        }
      }
      if (ok) {
        c.Pass("workflow " + w.name,
               "every backend it can reach is local, in the EEA or covered by an adequacy decision",
               Anchor(w.node, "backends"), w.path + ".backends");
      }
    });
  };
  m["AL-TRANSFER-002"] = [](CheckContext& c) {
    const auto backends = Entries(c.root(), "backends");
    if (backends.empty()) {
      c.NotApplicable("", "no backends configured");
      return;
    }
    for (const auto& b : backends) {
      if (BackendJurisdiction(b.node).empty()) {
        c.Fail("backend " + b.name, "no jurisdiction declared: residency cannot be enforced",
               b.node, b.path + ".jurisdiction");
      } else {
        c.Pass("backend " + b.name, "jurisdiction " + BackendJurisdiction(b.node),
               Anchor(b.node, "jurisdiction"), b.path + ".jurisdiction");
      }
    }
  };
  m["AL-TRANSFER-003"] = [](CheckContext& c) {
    ForUsedRemoteBackends(c, [&](const Entry& b) {
      const std::string dpa = StrOr(At(b.node, "contract.dpa"), "");
      if (dpa.empty()) {
        c.Fail("backend " + b.name, "no data processing agreement reference (contract.dpa)",
               Anchor(b.node, "contract"), b.path + ".contract.dpa");
      } else {
        c.Pass("backend " + b.name, "DPA " + dpa, At(b.node, "contract.dpa"),
               b.path + ".contract.dpa");
      }
    });
  };
  m["AL-TRANSFER-004"] = [](CheckContext& c) {
    ForUsedRemoteBackends(c, [&](const Entry& b) {
      const bool training = BoolOr(At(b.node, "contract.no_training"), false);
      const bool retention = BoolOr(At(b.node, "contract.no_retention"), false);
      if (training && retention) {
        c.Pass("backend " + b.name, "provider contract excludes training and retention",
               At(b.node, "contract"), b.path + ".contract");
      } else {
        c.Fail("backend " + b.name,
               std::string("provider may ") + (!training ? "train on" : "") +
                   (!training && !retention ? " and " : "") + (!retention ? "retain" : "") +
                   " prompts (contract.no_training / contract.no_retention not true)",
               Anchor(b.node, "contract"), b.path + ".contract");
      }
    });
  };
  m["AL-TRANSFER-005"] = [](CheckContext& c) {
    const std::string as_of = c.env().jurisdictions_date;
    const std::string today = c.env().options->today;
    // Compare year*12+month: older than 12 months is stale.
    auto months = [](const std::string& d) {
      return d.size() >= 7 ? std::stoi(d.substr(0, 4)) * 12 + std::stoi(d.substr(5, 2)) : 0;
    };
    if (as_of.size() < 7 || today.size() < 7) {
      c.Error("adequacy list", "adequacy list has no usable date");
    } else if (months(today) - months(as_of) > 12) {
      c.Fail("adequacy list",
             "the EEA/adequacy list is dated " + as_of + ", more than 12 months ago; review it",
             c.root(), "jurisdictions.adequacy_file");
    } else {
      c.Pass("adequacy list", "the EEA/adequacy list is dated " + as_of, c.root(),
             "jurisdictions.adequacy_file");
    }
  };
  m["AL-DLP-001"] = [](CheckContext& c) {
    if (!BoolOr(At(c.root(), "detection.enabled"), true)) {
      c.Fail("detection", "detection is switched off: requests are forwarded unscanned",
             At(c.root(), "detection.enabled"), "detection.enabled");
      return;
    }
    ForWorkflows(c, [&](const Entry& w) {
      if (!BoolOr(At(w.node, "scan.input"), true)) {
        c.Fail("workflow " + w.name, "input scanning switched off", At(w.node, "scan.input"),
               w.path + ".scan.input");
      } else {
        c.Pass("workflow " + w.name, "every request is scanned before it is forwarded", w.node,
               w.path);
      }
    });
  };
  m["AL-DLP-002"] = [](CheckContext& c) {
    ForWorkflows(c, [&](const Entry& w) {
      const std::string out = Lower(StrOr(w.node["output"], "redact"));
      if (out == "allow" || !BoolOr(At(w.node, "scan.output"), true)) {
        c.Fail("workflow " + w.name,
               "model output is delivered without acting on findings (output: allow)",
               Anchor(w.node, "output"), w.path + ".output");
      } else {
        c.Pass("workflow " + w.name, "model output is scanned; leaks are " + out + "ed",
               Anchor(w.node, "output"), w.path + ".output");
      }
    });
  };
  m["AL-DLP-003"] = [](CheckContext& c) {
    const YAML::Node fo = At(c.root(), "detection.fail_open");
    if (BoolOr(fo, false)) {
      c.Fail("detection", "fail_open: a detection failure or timeout forwards the request unscanned",
             fo, "detection.fail_open");
    } else {
      c.Pass("detection", "fail closed: nothing is forwarded when detection fails",
             Anchor(c.root(), "detection"), "detection.fail_open");
    }
  };
  m["AL-DLP-004"] = [](CheckContext& c) {
    const auto backends = Entries(c.root(), "backends");
    ForWorkflows(c, [&](const Entry& w) {
      const std::string a = ActionFor(w.node, "credential");
      if (ReachesRemote(w, backends) && a != "redact" && a != "block") {
        c.Fail("workflow " + w.name,
               "credentials (API keys, passwords, private keys) reach a remote backend (action " + a + ")",
               Anchor(w.node, "data_classes"), w.path + ".data_classes.credential");
      } else {
        c.Pass("workflow " + w.name, "credentials are " + a + "ed or stay local",
               Anchor(w.node, "data_classes"), w.path + ".data_classes.credential");
      }
    });
  };
  m["AL-DLP-005"] = [](CheckContext& c) {
    const auto backends = Entries(c.root(), "backends");
    ForWorkflows(c, [&](const Entry& w) {
      const std::string a = ActionFor(w.node, "special_category");
      const bool dpia = !StrOr(w.node["dpia"], "").empty();
      if (a == "block" || a == "redact" || !ReachesRemote(w, backends) || dpia) {
        c.Pass("workflow " + w.name,
               a == "block" || a == "redact"
                   ? "special-category data is " + a + "ed"
                   : (dpia ? "special-category data allowed under DPIA " + StrOr(w.node["dpia"], "")
                           : "special-category data stays on local backends"),
               Anchor(w.node, "data_classes"), w.path + ".data_classes.special_category");
      } else {
        c.Fail("workflow " + w.name,
               "special-category data (health, beliefs, union membership, ...) may reach a remote "
               "backend (action " + a + ") without a DPIA reference",
               Anchor(w.node, "data_classes"), w.path + ".data_classes.special_category");
      }
    });
  };
  m["AL-DLP-006"] = [](CheckContext& c) {
    ForWorkflows(c, [&](const Entry& w) {
      const std::string d = Lower(StrOr(w.node["default_action"], "block"));
      if (d == "allow") {
        c.Fail("workflow " + w.name,
               "default_action allow: data classes not listed pass through (not deny by default)",
               w.node["default_action"], w.path + ".default_action");
      } else {
        c.Pass("workflow " + w.name, "unlisted data classes are " + d + "ed",
               Anchor(w.node, "default_action"), w.path + ".default_action");
      }
    });
  };
  m["AL-DLP-007"] = [](CheckContext& c) {
    const auto backends = Entries(c.root(), "backends");
    ForWorkflows(c, [&](const Entry& w) {
      const double max = NumberOr(At(w.node, "minimise.max_document_bytes"), 0);
      if (!ReachesRemote(w, backends)) {
        c.Pass("workflow " + w.name, "local only", w.node, w.path);
      } else if (max <= 0) {
        c.Fail("workflow " + w.name,
               "no maximum document size: whole records and exports can be sent to a remote "
               "backend (minimise.max_document_bytes)",
               Anchor(w.node, "minimise"), w.path + ".minimise.max_document_bytes");
      } else {
        c.Pass("workflow " + w.name, "documents limited to " + std::to_string(long(max)) + " bytes",
               At(w.node, "minimise.max_document_bytes"), w.path + ".minimise.max_document_bytes");
      }
    });
  };
  m["AL-DLP-008"] = [](CheckContext& c) {
    const auto backends = Entries(c.root(), "backends");
    ForWorkflows(c, [&](const Entry& w) {
      const std::string a = ActionFor(w.node, "confidential");
      if (ReachesRemote(w, backends) && a == "allow") {
        c.Fail("workflow " + w.name,
               "privileged and confidential material reaches a remote backend unchanged",
               Anchor(w.node, "data_classes"), w.path + ".data_classes.confidential");
      } else {
        c.Pass("workflow " + w.name, "confidential material is " + a + "ed or stays local",
               Anchor(w.node, "data_classes"), w.path + ".data_classes.confidential");
      }
    });
  };
  m["AL-DLP-009"] = [](CheckContext& c) {
    const YAML::Node n = At(c.root(), "detection.min_score");
    const double s = NumberOr(n, 0.5);
    if (s > 0.7) {
      c.Fail("detection", "min_score " + StrOr(n, "") + " drops findings a reviewer would act on",
             n, "detection.min_score");
    } else {
      c.Pass("detection", "findings scoring " + std::to_string(s).substr(0, 4) + " and up count",
             Anchor(c.root(), "detection"), "detection.min_score");
    }
  };
  m["AL-DLP-010"] = [](CheckContext& c) {
    const YAML::Node n = At(c.root(), "detection.hold_back_bytes");
    const double h = NumberOr(n, 256);
    if (h < 64) {
      c.Fail("detection",
             "streamed output is released with under 64 bytes held back: identifiers can leak "
             "before they are complete",
             n, "detection.hold_back_bytes");
    } else {
      c.Pass("detection", "streamed output is held back until scanned",
             Anchor(c.root(), "detection"), "detection.hold_back_bytes");
    }
  };
  m["AL-PSEUDO-001"] = [](CheckContext& c) {
    bool used = false;
    for (const auto& w : Entries(c.root(), "workflows")) {
      for (const auto& dc : DataClasses()) used = used || ActionFor(w.node, dc) == "pseudonymise";
    }
    const YAML::Node key = At(c.root(), "vault.key");
    if (!key.IsDefined()) {
      if (used) {
        c.Pass("vault", "pseudonyms use an ephemeral per-process key (never stored)", c.root(),
               "vault.key");
      } else {
        c.NotApplicable("vault", "no workflow pseudonymises");
      }
      return;
    }
    std::string why;
    if (SecretRefSafe(key, &why)) {
      c.Pass("vault", "vault key " + why, key, "vault.key");
    } else {
      c.Fail("vault", "vault key: " + why, key, "vault.key");
    }
  };
  m["AL-PSEUDO-002"] = [](CheckContext& c) {
    const YAML::Node n = At(c.root(), "vault.ttl_seconds");
    const double ttl = NumberOr(n, 3600);
    if (ttl > 7 * 86400) {
      c.Fail("vault", "pseudonym mappings are kept " + std::to_string(long(ttl / 86400)) + " days",
             n, "vault.ttl_seconds");
    } else {
      c.Pass("vault", "pseudonym mappings expire after " + std::to_string(long(ttl)) + " s",
             Anchor(c.root(), "vault"), "vault.ttl_seconds");
    }
  };
}

}  // namespace airlock::compliance::internal
