// Every check has a config that passes it (the good config) and one that
// fails it (a one-line mutation of the good config).
#include <gtest/gtest.h>

#include <set>

#include "check_test_util.h"

namespace airlock::compliance {
namespace {

using check_testing::GoodConfig;
using check_testing::Of;
using check_testing::RunCatalog;
using check_testing::TempFiles;

class ChecksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { catalog_ = new ControlCatalog(check_testing::LoadBuiltinCatalog()); }
  static void TearDownTestSuite() { delete catalog_; }
  static ControlCatalog* catalog_;
  TempFiles files_;
};
ControlCatalog* ChecksTest::catalog_ = nullptr;

struct Mutation {
  const char* id;
  std::string from, to;
  const char* today = "2026-11-28";
};

std::vector<Mutation> Mutations(const TempFiles& f) {
  return {
      {"AL-NET-001", "    cert: ", "    cert_off: "},
      {"AL-NET-002", "    client_ca: ", "    client_ca_off: "},
      {"AL-NET-003", "    key: " + f.Path("tls.key"), "    key: /nonexistent/tls.key"},
      {"AL-NET-004", "listen: 127.0.0.1:9090", "listen: 0.0.0.0:9090"},
      {"AL-NET-005", "admin:\n", "admin:\n  roles: [admin, user]\n"},
      {"AL-NET-006", "public: false", "public: true"},
      {"AL-UP-001", "    timeout_ms: 60000\n", "    timeout_ms: 60000\n    insecure_skip_verify: true\n"},
      {"AL-UP-002", "url: https://api.eu-provider", "url: http://api.eu-provider"},
      {"AL-UP-003", "timeout_ms: 60000", "timeout_ms: 6000000"},
      {"AL-UP-004", "api_key: {env: EU_PROVIDER_KEY}", "api_key: sk-live-123"},
      {"AL-AUTH-001", "roles: [legal]", "roles: ['*']"},
      {"AL-AUTH-002", "requests_per_second: 20", "requests_per_second: 0"},
      {"AL-AUTH-003", "max_body_bytes: 1048576", "max_body_bytes: 1073741824"},
      {"AL-AUTH-004", "read_timeout_ms: 30000", "read_timeout_ms: 900000"},
      {"AL-KEY-001", "max_lifetime_days: 90", "max_lifetime_days: 0"},
      {"AL-TRANSFER-001", "jurisdiction: FR", "jurisdiction: US"},
      {"AL-TRANSFER-002", "    jurisdiction: FR\n", ""},
      {"AL-TRANSFER-003", "dpa: DPA-2026-014, ", ""},
      {"AL-TRANSFER-004", "no_training: true", "no_training: false"},
      {"AL-TRANSFER-005", "", "", "2028-06-01"},
      {"AL-DLP-001", "detection:\n", "detection:\n  enabled: false\n"},
      {"AL-DLP-002", "    output: redact\n    minimise", "    output: allow\n    minimise"},
      {"AL-DLP-003", "detection:\n", "detection:\n  fail_open: true\n"},
      {"AL-DLP-004", "      credential: block", "      credential: allow"},
      {"AL-DLP-005", "      special_category: block", "      special_category: allow"},
      {"AL-DLP-006", "default_action: redact", "default_action: allow"},
      {"AL-DLP-007", "    minimise: {max_document_bytes: 65536}\n", ""},
      {"AL-DLP-008", "      confidential: pseudonymise", "      confidential: allow"},
      {"AL-DLP-009", "min_score: 0.5", "min_score: 0.9"},
      {"AL-DLP-010", "hold_back_bytes: 256", "hold_back_bytes: 16"},
      {"AL-PSEUDO-001", "key: {file: " + f.Path("vault.key") + "}", "key: s3cr3t"},
      {"AL-PSEUDO-002", "ttl_seconds: 3600", "ttl_seconds: 2592000"},
      {"AL-GOV-001", "    purpose: Summarise case notes for the legal team.\n", ""},
      {"AL-GOV-002", "legal_basis: legitimate_interests", "legal_basis: because_we_can"},
      {"AL-GOV-003", "    data_subjects: [customers, counterparties]\n", ""},
      {"AL-GOV-004", "    retention: conversation only\n", ""},
      {"AL-GOV-005", "    dpia: DPIA-HR-2026-03\n", ""},
      {"AL-GOV-006", "    human_oversight: An HR officer reviews every draft before it is sent.\n", ""},
      {"AL-GOV-007", "    art9_condition: b\n", ""},
      {"AL-GOV-008", "  dpo: dpo@example.com\n", ""},
      {"AL-GOV-009", "    workers_informed: 2026-09-01 works council agreement BV-12\n", ""},
      {"AL-AUDIT-001", "audit:\n", "audit:\n  enabled: false\n"},
      {"AL-AUDIT-002", "  signing_key: {file: " + f.Path("signing.pem") + "}\n", ""},
      {"AL-AUDIT-003", "hmac_key: {env: AIRLOCK_AUDIT_KEY}", "hmac_key: hunter2"},
      {"AL-AUDIT-004", "  retention_days: 365\n", "  retention_days: 90\n"},
      {"AL-AUDIT-005", "  max_retention_days: 730\n", ""},
      {"AL-AUDIT-006", "audit:\n", "audit:\n  log_payloads: true\n"},
      {"AL-AUDIT-007", "audit:\n", "audit:\n  full_verify_every_seconds: 2592000\n"},
      {"AL-ALERT-001", "  sinks:\n    - {type: webhook, url: \"https://soc.example.com/hooks/airlock\"}\n", ""},
      {"AL-ALERT-002", "  canaries:\n    - {entity_type: EMAIL_ADDRESS, value: canary.7f3a@example.com}\n", ""},
      {"AL-ALERT-003", "type: distinct_values", "type: first_backend_use"},
      {"AL-ALERT-004", "https://soc.example.com", "http://soc.example.com"},
      {"AL-MODEL-001", "    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n", ""},
      {"AL-MODEL-002", "    model_file:", "    parallel: 1000\n    model_file:"},
  };
}

TEST_F(ChecksTest, GoodConfigPassesEveryConfigCheck) {
  const auto results = RunCatalog(*catalog_, GoodConfig(files_));
  for (const auto& c : catalog_->controls()) {
    if (c.live) continue;
    EXPECT_TRUE(Of(results, c.id, Outcome::kFail).empty()) << c.id << " fails on the good config";
    EXPECT_TRUE(Of(results, c.id, Outcome::kError).empty()) << c.id << " errors on the good config";
    EXPECT_FALSE(Of(results, c.id, Outcome::kPass).empty()) << c.id << " has no pass on the good config";
  }
}

TEST_F(ChecksTest, EachMutationFailsItsCheck) {
  const std::string good = GoodConfig(files_);
  for (const auto& m : Mutations(files_)) {
    std::string yaml = good;
    if (!m.from.empty()) {
      const auto pos = yaml.find(m.from);
      ASSERT_NE(pos, std::string::npos) << m.id << ": mutation text not in the good config";
      yaml.replace(pos, m.from.size(), m.to);
    }
    const auto results = RunCatalog(*catalog_, yaml, m.today);
    EXPECT_FALSE(Of(results, m.id, Outcome::kFail).empty()) << m.id << " does not fail its mutation";
    for (const auto* r : Of(results, m.id, Outcome::kFail)) {
      EXPECT_FALSE(r->message.empty());
      EXPECT_EQ(r->location.rfind("test.yaml", 0), 0u) << m.id;
    }
  }
}

TEST_F(ChecksTest, EveryConfigControlHasAMutation) {
  std::set<std::string> mutated;
  for (const auto& m : Mutations(files_)) mutated.insert(m.id);
  int config_controls = 0;
  for (const auto& c : catalog_->controls()) {
    if (c.live) continue;
    ++config_controls;
    EXPECT_TRUE(mutated.count(c.id)) << c.id << " has no failing config in this test";
  }
  EXPECT_GE(config_controls, 40);
}

TEST_F(ChecksTest, FailurePointsAtTheLineOfTheCause) {
  std::string yaml = GoodConfig(files_);
  const std::string from = "url: https://api.eu-provider";
  const auto pos = yaml.find(from);
  yaml.replace(pos, from.size(), "url: http://api.eu-provider");
  const int line = 1 + static_cast<int>(std::count(yaml.begin(), yaml.begin() + pos, '\n'));
  const auto results = RunCatalog(*catalog_, yaml);
  const auto fails = Of(results, "AL-UP-002", Outcome::kFail);
  ASSERT_EQ(fails.size(), 1u);
  EXPECT_EQ(fails[0]->location, "test.yaml:" + std::to_string(line));
  EXPECT_EQ(fails[0]->config_path, "backends[1].url");
  EXPECT_EQ(fails[0]->subject, "backend eu-cloud");
}

TEST_F(ChecksTest, UsBackendNeedsDpfCertification) {
  std::string yaml = GoodConfig(files_);
  yaml.replace(yaml.find("jurisdiction: FR"), 16, "jurisdiction: US");
  EXPECT_FALSE(Of(RunCatalog(*catalog_, yaml), "AL-TRANSFER-001", Outcome::kFail).empty());
  yaml.replace(yaml.find("jurisdiction: US"), 16, "jurisdiction: US\n    certifications: [dpf]");
  EXPECT_TRUE(Of(RunCatalog(*catalog_, yaml), "AL-TRANSFER-001", Outcome::kFail).empty());
  // An adequacy country without conditions (Japan) is allowed as it is.
  yaml = GoodConfig(files_);
  yaml.replace(yaml.find("jurisdiction: FR"), 16, "jurisdiction: JP");
  EXPECT_TRUE(Of(RunCatalog(*catalog_, yaml), "AL-TRANSFER-001", Outcome::kFail).empty());
}

TEST_F(ChecksTest, RerouteMakesLaterBackendsReachable) {
  // legal-summary lists [eu-cloud, local] with reroute; an HR workflow that
  // lists a US backend second is judged on it only when it may reroute.
  std::string yaml = GoodConfig(files_);
  yaml += R"(  - name: us-fallback
    purpose: p
    legal_basis: contract
    data_categories: [x]
    data_subjects: [y]
    recipients: [z]
    retention: r
    roles: [sales]
    backends: [local, us-cloud]
    data_classes: {personal: allow, credential: block, special_category: block}
    output: redact
)";
  yaml.replace(yaml.find("workflows:"), 10, R"(  - name: us-cloud
    type: remote
    url: https://api.us.example/v1
    jurisdiction: US
    contract: {dpa: D, no_training: true, no_retention: true}
workflows:)");
  EXPECT_TRUE(Of(RunCatalog(*catalog_, yaml), "AL-TRANSFER-001", Outcome::kFail).empty());
  yaml.replace(yaml.find("backends: [local, us-cloud]"), 27, "backends: [local, us-cloud]\n    reroute: true");
  EXPECT_FALSE(Of(RunCatalog(*catalog_, yaml), "AL-TRANSFER-001", Outcome::kFail).empty());
}

TEST_F(ChecksTest, LiveControlsAreNotApplicableWithoutLive) {
  const auto results = RunCatalog(*catalog_, GoodConfig(files_));
  for (const auto& c : catalog_->controls()) {
    if (!c.live) continue;
    EXPECT_EQ(Of(results, c.id, Outcome::kNotApplicable).size(), 1u) << c.id;
  }
}

TEST_F(ChecksTest, WrongTypesAreReportedNotCrashing) {
  const auto results = RunCatalog(*catalog_, "server: [1, 2]\nworkflows: {a: b}\nbackends: 7\naudit: x\n");
  EXPECT_FALSE(results.empty());
}

TEST(CatalogTest, BuiltinCatalogMatchesTheCode) {
  const ControlCatalog catalog = check_testing::LoadBuiltinCatalog();
  EXPECT_TRUE(MatchCatalog(catalog).ok()) << MatchCatalog(catalog).message();
  EXPECT_GE(catalog.controls().size(), 40u);
  for (const auto& c : catalog.controls()) {
    EXPECT_FALSE(c.mappings.empty()) << c.id;
  }
}

TEST(CatalogTest, BadEntriesNameFileAndLine) {
  struct Case {
    std::string yaml, expect;
  };
  const std::string ok =
      "  - id: X-1\n    title: t\n    severity: high\n    rationale: r\n    remediation: m\n"
      "    mappings: {gdpr: ['32']}\n";
  const std::vector<Case> cases = {
      {"controls:\n  - id: X-1\n    title: t\n", "c.yaml:2: control is missing 'rationale'"},
      {"controls:\n" + ok + "  - id: X-1\n    title: t\n    severity: high\n    rationale: r\n"
       "    remediation: m\n    mappings: {gdpr: ['32']}\n",
       "c.yaml:8: duplicate control id 'X-1'"},
      {"controls:\n  - id: X-2\n    title: t\n    severity: urgent\n    rationale: r\n"
       "    remediation: m\n    mappings: {gdpr: ['32']}\n",
       "c.yaml:4: unknown severity 'urgent'"},
      {"controls:\n  - id: X-3\n    title: t\n    severity: low\n    rationale: r\n"
       "    remediation: m\n    mappings: {sox: ['404']}\n",
       "c.yaml:7: unknown framework 'sox'"},
      {"controls:\n  - id: X-4\n    titel: t\n", "c.yaml:3: unknown key 'titel'"},
      {"controls: [\n", "c.yaml:"},
  };
  for (const auto& c : cases) {
    ControlCatalog catalog;
    Status s = catalog.AddYaml(c.yaml, "c.yaml");
    ASSERT_FALSE(s.ok()) << c.yaml;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
  }
}

TEST(CatalogTest, ControlWithoutCodeIsAnError) {
  ControlCatalog catalog = check_testing::LoadBuiltinCatalog();
  ASSERT_TRUE(catalog
                  .AddYaml("controls:\n  - id: AL-NEW-001\n    title: t\n    severity: low\n"
                           "    rationale: r\n    remediation: m\n    mappings: {gdpr: ['5']}\n",
                           "extra.yaml")
                  .ok());
  Status s = MatchCatalog(catalog);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("AL-NEW-001 has no check"), std::string::npos);
}

}  // namespace
}  // namespace airlock::compliance
