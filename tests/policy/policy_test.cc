#include "airlock/policy/policy.h"

#include <gtest/gtest.h>

namespace airlock::policy {
namespace {

const Jurisdictions& J() {
  static const Jurisdictions j = [] {
    auto r = Jurisdictions::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/jurisdictions/adequacy.yaml");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return std::move(*r);
  }();
  return j;
}

std::shared_ptr<const config::Config> Cfg() {
  auto c = config::Parse(R"(
backends:
  - {name: us, type: remote, url: "https://us.example/v1", jurisdiction: US}
  - {name: us-dpf, type: remote, url: "https://us.example/v1", jurisdiction: US, certifications: [dpf]}
  - {name: ca, type: remote, url: "https://ca.example/v1", jurisdiction: CA}
  - {name: ch, type: remote, url: "https://ch.example/v1", jurisdiction: CH}
  - {name: fr, type: remote, url: "https://fr.example/v1", jurisdiction: FR}
  - {name: local, type: local}
workflows:
  - {name: us-only, roles: [sales], backends: [us], default_action: pseudonymise}
  - {name: us-reroute, roles: [sales], backends: [us, ch, local], reroute: true, default_action: pseudonymise}
  - {name: us-dpf, roles: [sales], backends: [us-dpf], default_action: pseudonymise}
  - {name: ca, roles: [sales], backends: [ca], default_action: pseudonymise}
  - {name: redact, roles: [sales], backends: [us], default_action: redact}
  - {name: strict, roles: [sales], backends: [fr], data_classes: {personal: pseudonymise}}
)", "t.yaml");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return *c;
}

detect::Finding F(detect::DataClass c, std::string jurisdiction = "INTL") {
  detect::Finding f;
  f.entity_type = "X";
  f.data_class = c;
  f.jurisdiction = std::move(jurisdiction);
  return f;
}

const Principal kEu{"alice", "t", {"sales"}, "DE"};
const Principal kUs{"uma", "t", {"sales"}, "US"};

TEST(JurisdictionsTest, DataFile) {
  EXPECT_TRUE(J().IsEea("DE"));
  EXPECT_TRUE(J().IsEea("NO"));  // EEA, not EU
  EXPECT_FALSE(J().IsEea("CH"));
  ASSERT_NE(J().Adequacy("US"), nullptr);
  EXPECT_EQ(J().Adequacy("US")->condition, "dpf");
  EXPECT_EQ(J().Adequacy("CA")->condition, "pipeda");
  EXPECT_EQ(J().Adequacy("JP")->decided, "2019-01-23");
  EXPECT_EQ(J().Adequacy("CN"), nullptr);
}

TEST(PolicyTest, NoEuPersonalDataTakesThePreferredBackend) {
  auto c = Cfg();
  auto d = Decide(kUs, *c->FindWorkflow("us-only"), {F(detect::DataClass::kPersonal)}, *c, J());
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.backend->name, "us");
  EXPECT_FALSE(d.eu_personal_data);
}

TEST(PolicyTest, EuDataToUsWithoutRerouteIsBlocked) {
  auto c = Cfg();
  // EU by the principal's home, and by the finding's jurisdiction.
  for (const auto& [p, f] : {std::pair{kEu, F(detect::DataClass::kContact)}, std::pair{kUs, F(detect::DataClass::kPersonal, "EU")}}) {
    auto d = Decide(p, *c->FindWorkflow("us-only"), {f}, *c, J());
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.code, "residency_blocked");
    EXPECT_FALSE(d.blocked_classes.empty());
    EXPECT_FALSE(d.reasons.empty());
  }
}

TEST(PolicyTest, RerouteTriesLocalFirst) {
  auto c = Cfg();
  auto d = Decide(kEu, *c->FindWorkflow("us-reroute"), {F(detect::DataClass::kPersonal)}, *c, J());
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.backend->name, "local");
  EXPECT_TRUE(d.rerouted);
  EXPECT_NE(d.reasons.back().find("rerouted from us to local"), std::string::npos);
}

TEST(PolicyTest, AdequacyConditions) {
  auto c = Cfg();
  auto dpf = Decide(kEu, *c->FindWorkflow("us-dpf"), {F(detect::DataClass::kPersonal)}, *c, J());
  EXPECT_TRUE(dpf.allowed);
  auto ca = Decide(kEu, *c->FindWorkflow("ca"), {F(detect::DataClass::kPersonal)}, *c, J());
  EXPECT_FALSE(ca.allowed);  // Canada only for PIPEDA recipients
}

TEST(PolicyTest, RedactedAndNonPersonalDataDoNotCount) {
  auto c = Cfg();
  EXPECT_TRUE(Decide(kEu, *c->FindWorkflow("redact"), {F(detect::DataClass::kPersonal)}, *c, J()).allowed);
  EXPECT_TRUE(Decide(kEu, *c->FindWorkflow("us-only"), {F(detect::DataClass::kConfidential)}, *c, J()).allowed);
}

TEST(PolicyTest, BlockedClassesAndRoles) {
  auto c = Cfg();
  const auto& strict = *c->FindWorkflow("strict");
  auto d = Decide(kEu, strict, {F(detect::DataClass::kPersonal), F(detect::DataClass::kCredential)}, *c, J());
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.code, "policy_blocked");
  EXPECT_EQ(d.blocked_classes, std::vector<std::string>{"credential"});  // deny by default
  Principal hr{"h", "t", {"hr"}, "DE"};
  EXPECT_EQ(Decide(hr, strict, {}, *c, J()).code, "forbidden_workflow");
}

}  // namespace
}  // namespace airlock::policy
