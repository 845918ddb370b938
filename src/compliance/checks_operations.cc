// Operations: the audit trail, alerting, and model supply chain.
#include "internal/check_helpers.h"

namespace airlock::compliance::internal {

namespace {

YAML::Node Audit(const CheckContext& c) { return c.root()["audit"]; }

// Retention of the audit trail in days (default: 365, the gateway's).
double RetentionDays(const CheckContext& c) {
  return NumberOr(At(c.root(), "audit.retention_days"), 365);
}

bool HasAlertRule(const CheckContext& c, const std::string& kind) {
  const YAML::Node rules = At(c.root(), "alerts.rules");
  if (!rules.IsDefined() || !rules.IsSequence()) return false;
  for (const auto& r : rules) {
    // The gateway's alert rules say `type:` (docs/alerts.md).
    if (Lower(StrOr(r["type"], "")) == kind) return true;
  }
  return false;
}

}  // namespace

void AddOperationsChecks(std::map<std::string, CheckFn>& m) {
  m["AL-AUDIT-001"] = [](CheckContext& c) {
    const YAML::Node en = At(c.root(), "audit.enabled");
    if (!BoolOr(en, true)) {
      c.Fail("audit", "the audit trail is switched off", en, "audit.enabled");
    } else {
      c.Pass("audit", "every request is recorded before it is forwarded (no payload text)",
             Anchor(c.root(), "audit"), "audit");
    }
  };
  m["AL-AUDIT-002"] = [](CheckContext& c) {
    const YAML::Node audit = Audit(c);
    const YAML::Node key = audit.IsDefined() ? audit["signing_key"] : YAML::Node(YAML::NodeType::Undefined);
    if (!key.IsDefined()) {
      c.Fail("audit",
             "no checkpoint signing key (audit.signing_key): the hash chain can be rewritten "
             "whole without detection",
             Anchor(c.root(), "audit"), "audit.signing_key");
      return;
    }
    std::string why;
    const double every = NumberOr(audit["checkpoint_every"], 1000);
    const double seconds = NumberOr(audit["checkpoint_seconds"], 60);
    if (!SecretRefSafe(key, &why)) {
      c.Fail("audit", "checkpoint signing key: " + why, key, "audit.signing_key");
    } else if (every <= 0 || every > 100000 || seconds <= 0 || seconds > 3600) {
      c.Fail("audit", "checkpoints too rare (every " + std::to_string(long(every)) + " events / " +
                          std::to_string(long(seconds)) + " s)",
             audit, "audit.checkpoint_every");
    } else {
      c.Pass("audit", "hash chain with signed checkpoints; key " + why, key, "audit.signing_key");
    }
  };
  m["AL-AUDIT-007"] = [](CheckContext& c) {
    const YAML::Node every = At(c.root(), "audit.verify_every_seconds");
    const YAML::Node whole = At(c.root(), "audit.full_verify_every_seconds");
    const double rounds = NumberOr(every, 300);
    const double whole_s = NumberOr(whole, 86400);
    if (rounds <= 0) {
      c.Fail("audit", "background verification of the audit trail is off (audit.verify_every_seconds: 0)",
             every.IsDefined() ? every : Anchor(c.root(), "audit"), "audit.verify_every_seconds");
    } else if (rounds > 86400) {
      c.Fail("audit", "background verification runs only every " + std::to_string(long(rounds)) + " s",
             every, "audit.verify_every_seconds");
    } else if (whole_s > 604800) {
      c.Fail("audit",
             "every event is verified again only every " + std::to_string(long(whole_s)) +
                 " s: an edit to an old event goes unnoticed that long",
             whole, "audit.full_verify_every_seconds");
    } else {
      c.Pass("audit",
             "verified every " + std::to_string(long(rounds)) + " s, every event again " +
                 (whole_s <= 0 ? std::string("each round") : "every " + std::to_string(long(whole_s)) + " s"),
             every.IsDefined() ? every : Anchor(c.root(), "audit"), "audit.verify_every_seconds");
    }
  };
  m["AL-AUDIT-003"] = [](CheckContext& c) {
    const YAML::Node hmac = Audit(c).IsDefined() && Audit(c)["hmac_key"].IsDefined()
                                ? Audit(c)["hmac_key"]
                                : YAML::Node(YAML::NodeType::Undefined);
    if (!hmac.IsDefined()) {
      c.Pass("audit", "fingerprint key generated in the store directory (not in the config)",
             c.root(), "audit.hmac_key");
      return;
    }
    std::string why;
    if (SecretRefSafe(hmac, &why)) {
      c.Pass("audit", "fingerprint key " + why, hmac, "audit.hmac_key");
    } else {
      c.Fail("audit", "fingerprint (HMAC) key: " + why, hmac, "audit.hmac_key");
    }
  };
  m["AL-AUDIT-004"] = [](CheckContext& c) {
    const double days = RetentionDays(c);
    bool any = false;
    for (const auto& w : Entries(c.root(), "workflows")) {
      if (!IsHighRisk(w.node)) continue;
      any = true;
      if (days < 180) {
        c.Fail("workflow " + w.name,
               "high-risk (HR) workflow, but audit events are kept only " +
                   std::to_string(long(days)) + " days (EU AI Act Art. 26(6): at least six months)",
               Anchor(Audit(c), "retention_days"), "audit.retention_days");
      } else {
        c.Pass("workflow " + w.name, "audit kept " + std::to_string(long(days)) + " days",
               Anchor(c.root(), "audit"), "audit.retention_days");
      }
    }
    if (!any) c.NotApplicable("", "no high-risk (HR) workflows");
  };
  m["AL-AUDIT-005"] = [](CheckContext& c) {
    const double days = RetentionDays(c);
    const YAML::Node max = At(c.root(), "audit.max_retention_days");
    if (!max.IsDefined()) {
      c.Fail("audit", "no maximum retention for the audit trail (audit.max_retention_days)",
             Anchor(c.root(), "audit"), "audit.max_retention_days");
    } else if (days > NumberOr(max, 0)) {
      c.Fail("audit",
             "retention " + std::to_string(long(days)) + " days exceeds the maximum " + max.Scalar(),
             Anchor(Audit(c), "retention_days"), "audit.retention_days");
    } else {
      c.Pass("audit", "retention " + std::to_string(long(days)) + " of at most " + max.Scalar() +
                          " days",
             max, "audit.max_retention_days");
    }
  };
  m["AL-AUDIT-006"] = [](CheckContext& c) {
    if (BoolOr(At(c.root(), "audit.log_payloads"), false) ||
        BoolOr(At(c.root(), "logging.payloads"), false)) {
      c.Fail("audit", "payload logging is on: prompts would be kept in logs",
             Anchor(c.root(), "logging"), "logging.payloads");
    } else {
      c.Pass("audit", "no payload text in logs or audit records", Anchor(c.root(), "audit"),
             "audit");
    }
  };
  m["AL-ALERT-001"] = [](CheckContext& c) {
    const YAML::Node sinks = At(c.root(), "alerts.sinks");
    if (!sinks.IsDefined() || !sinks.IsSequence() || sinks.size() == 0) {
      c.Fail("alerts", "no alert sink: a leak or an attack would go unnoticed",
             Anchor(c.root(), "alerts"), "alerts.sinks");
    } else {
      c.Pass("alerts", std::to_string(sinks.size()) + " alert sink(s)", sinks, "alerts.sinks");
    }
  };
  m["AL-ALERT-002"] = [](CheckContext& c) {
    const YAML::Node canaries = At(c.root(), "alerts.canaries");
    if (!canaries.IsDefined() || !canaries.IsSequence() || canaries.size() == 0) {
      c.Fail("alerts", "no canary records planted (alerts.canaries)", Anchor(c.root(), "alerts"),
             "alerts.canaries");
    } else {
      c.Pass("alerts", std::to_string(canaries.size()) + " canary record(s)", canaries,
             "alerts.canaries");
    }
  };
  m["AL-ALERT-003"] = [](CheckContext& c) {
    std::string missing;
    for (const char* kind : {"threshold", "distinct_values"}) {
      if (!HasAlertRule(c, kind)) missing += (missing.empty() ? "" : ", ") + std::string(kind);
    }
    if (missing.empty()) {
      c.Pass("alerts", "rules for blocked requests and bulk exports", At(c.root(), "alerts.rules"),
             "alerts.rules");
    } else {
      c.Fail("alerts", "no alert rule of kind " + missing, Anchor(c.root(), "alerts"),
             "alerts.rules");
    }
  };
  m["AL-ALERT-004"] = [](CheckContext& c) {
    const YAML::Node sinks = At(c.root(), "alerts.sinks");
    bool any = false;
    if (sinks.IsDefined() && sinks.IsSequence()) {
      for (size_t i = 0; i < sinks.size(); ++i) {
        const YAML::Node s = sinks[i];
        if (Lower(StrOr(s["type"], "")) != "webhook") continue;
        any = true;
        const std::string url = StrOr(s["url"], "");
        const std::string path = "alerts.sinks[" + std::to_string(i) + "]";
        if (url.rfind("https://", 0) == 0 || IsLoopbackHost(UrlHost(url))) {
          c.Pass("webhook " + UrlHost(url), "alerts delivered over HTTPS or loopback", s, path);
        } else {
          c.Fail("webhook " + UrlHost(url), "alerts sent over plain HTTP", Anchor(s, "url"), path);
        }
      }
    }
    if (!any) c.NotApplicable("", "no webhook sinks");
  };
  m["AL-MODEL-001"] = [](CheckContext& c) {
    bool any = false;
    for (const auto& b : Entries(c.root(), "backends")) {
      if (Lower(StrOr(b.node["type"], "")) != "local") continue;
      any = true;
      const YAML::Node model = b.node["model_file"];
      const std::string pin = StrOr(b.node["sha256"], "");
      if (!model.IsDefined()) {
        c.Pass("backend " + b.name,
               "no model file configured (a model given with --model is hashed and reported at load)",
               b.node, b.path);
      } else if (pin.size() != 64 || pin.find_first_not_of("0123456789abcdefABCDEF") != pin.npos) {
        c.Fail("backend " + b.name,
               "model file is not hash-pinned (sha256: the 64-hex-digit pin from `airlock model hash`)",
               Anchor(b.node, "sha256"), b.path + ".sha256");
      } else {
        c.Pass("backend " + b.name, "model file pinned by SHA-256", b.node["sha256"],
               b.path + ".sha256");
      }
    }
    if (!any) c.NotApplicable("", "no local backends");
  };
  m["AL-MODEL-002"] = [](CheckContext& c) {
    bool any = false;
    for (const auto& b : Entries(c.root(), "backends")) {
      if (Lower(StrOr(b.node["type"], "")) != "local") continue;
      any = true;
      const double parallel = NumberOr(b.node["parallel"], 4);
      const double queue = NumberOr(b.node["queue"], 64);
      if (parallel > 64 || queue > 10000) {
        c.Fail("backend " + b.name, "unbounded model work: parallel/queue too large",
               Anchor(b.node, "queue"), b.path + ".queue");
      } else {
        c.Pass("backend " + b.name, "bounded parallel sequences and queue", b.node, b.path);
      }
    }
    if (!any) c.NotApplicable("", "no local backends");
  };
}

}  // namespace airlock::compliance::internal
