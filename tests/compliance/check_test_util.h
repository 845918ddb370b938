// A configuration that passes every config check, and helpers to run the
// catalog over variations of it.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "airlock/compliance/catalog.h"
#include "airlock/compliance/checks.h"

namespace airlock::compliance::check_testing {

// Key and certificate files the good config points at (content does not
// matter to the checks, their mode does).
class TempFiles {
 public:
  TempFiles() {
    dir_ = std::filesystem::temp_directory_path() /
           ("airlock-check-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    for (const char* name : {"tls.crt", "tls.key", "client-ca.pem", "signing.pem", "vault.key"}) {
      std::ofstream(dir_ / name) << "test\n";
      ::chmod((dir_ / name).c_str(), 0600);
    }
  }
  ~TempFiles() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string Path(const char* name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

inline std::string GoodConfig(const TempFiles& f) {
  return R"(organisation:
  name: Example GmbH
  contact: privacy@example.com
  dpo: dpo@example.com
server:
  listen: 0.0.0.0:8443
  tls:
    cert: )" + f.Path("tls.crt") + R"(
    key: )" + f.Path("tls.key") + R"(
    client_ca: )" + f.Path("client-ca.pem") + R"(
  max_body_bytes: 1048576
  read_timeout_ms: 30000
limits:
  requests_per_second: 20
  burst: 40
detection:
  min_score: 0.5
  hold_back_bytes: 256
keys:
  max_lifetime_days: 90
admin:
  listen: 127.0.0.1:9090
metrics:
  public: false
vault:
  key: {file: )" + f.Path("vault.key") + R"(}
  ttl_seconds: 3600
audit:
  hmac_key: {env: AIRLOCK_AUDIT_KEY}
  signing_key: {file: )" + f.Path("signing.pem") + R"(}
  checkpoint_every: 1000
  checkpoint_seconds: 60
  retention_days: 365
  max_retention_days: 730
alerts:
  sinks:
    - {type: webhook, url: "https://soc.example.com/hooks/airlock"}
  rules:
    - {name: blocked, type: threshold, metric: blocked_requests, window: 5m, count: 20}
    - {name: bulk, type: distinct_values, count: 50}
  canaries:
    - {entity_type: EMAIL_ADDRESS, value: canary.7f3a@example.com}
backends:
  - name: local
    type: local
    model_file: /srv/models/mistral-7b-q4_k_m.gguf
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
  - name: eu-cloud
    type: remote
    url: https://api.eu-provider.example/v1
    jurisdiction: FR
    contract: {dpa: DPA-2026-014, no_training: true, no_retention: true}
    api_key: {env: EU_PROVIDER_KEY}
    timeout_ms: 60000
workflows:
  - name: hr-assistant
    purpose: Draft answers to employee questions about leave and benefits.
    category: hr
    legal_basis: legal_obligation
    data_categories: [contact details, leave records]
    data_subjects: [employees]
    recipients: [HR staff]
    retention: conversation only; audit events 365 days
    dpia: DPIA-HR-2026-03
    human_oversight: An HR officer reviews every draft before it is sent.
    workers_informed: 2026-09-01 works council agreement BV-12
    art9_condition: b
    roles: [hr]
    backends: [local]
    data_classes:
      personal: allow
      special_category: allow
      credential: redact
    default_action: block
    output: redact
  - name: legal-summary
    purpose: Summarise case notes for the legal team.
    legal_basis: legitimate_interests
    data_categories: [case notes, contact details]
    data_subjects: [customers, counterparties]
    recipients: [legal team, eu-cloud as processor]
    retention: conversation only
    roles: [legal]
    backends: [eu-cloud, local]
    reroute: true
    data_classes:
      personal: pseudonymise
      contact: pseudonymise
      confidential: pseudonymise
      credential: block
      special_category: block
    default_action: redact
    output: redact
    minimise: {max_document_bytes: 65536}
)";
}

inline ControlCatalog LoadBuiltinCatalog() {
  auto c = ControlCatalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/controls");
  if (!c.ok()) throw std::runtime_error(c.status().message());
  return std::move(*c);
}

// Runs the catalog (config checks only) over `yaml`.
inline std::vector<CheckResult> RunCatalog(const ControlCatalog& catalog, const std::string& yaml,
                                    const std::string& today = "2026-11-28") {
  static CheckOptions opts;
  opts.today = today;
  auto doc = ConfigDocument::LoadText(yaml, "test.yaml");
  if (!doc.ok()) throw std::runtime_error(doc.status().message());
  static std::vector<ConfigDocument> keep;  // results refer to nothing, but be safe
  keep.push_back(std::move(*doc));
  CheckEnv env;
  env.config = &keep.back();
  env.options = &opts;
  Status s = LoadJurisdictions(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/jurisdictions/adequacy.yaml",
                               &env);
  if (!s.ok()) throw std::runtime_error(s.message());
  return RunChecks(catalog, env);
}

inline std::vector<const CheckResult*> Of(const std::vector<CheckResult>& rs, const std::string& id,
                                          Outcome o) {
  std::vector<const CheckResult*> out;
  for (const auto& r : rs) {
    if (r.control_id == id && r.outcome == o) out.push_back(&r);
  }
  return out;
}

}  // namespace airlock::compliance::check_testing
