#include "health.h"

#include <gtest/gtest.h>

#include "airlock/config/config.h"

namespace airlock::server {
namespace {

using State = HealthBoard::State;

TEST(HealthBoardTest, ProbesDecideAtOnce) {
  HealthBoard b;
  EXPECT_EQ(b.state("x"), State::kUnknown);
  EXPECT_TRUE(b.Probe("x", false));
  EXPECT_EQ(b.state("x"), State::kUnhealthy);
  EXPECT_FALSE(b.Probe("x", false));  // no change
  EXPECT_TRUE(b.Probe("x", true));
  EXPECT_EQ(b.state("x"), State::kHealthy);
  EXPECT_EQ(b.state("other"), State::kUnknown);
}

TEST(HealthBoardTest, RequestFailuresInARowMarkUnhealthy) {
  HealthBoard b;
  EXPECT_TRUE(b.Request("x", true));
  EXPECT_EQ(b.state("x"), State::kHealthy);
  for (int i = 1; i < HealthBoard::kFailuresToUnhealthy; ++i) {
    EXPECT_FALSE(b.Request("x", false));
    EXPECT_EQ(b.state("x"), State::kHealthy) << "one failure is not enough";
  }
  EXPECT_TRUE(b.Request("x", false));
  EXPECT_EQ(b.state("x"), State::kUnhealthy);
  EXPECT_TRUE(b.Request("x", true));  // one success recovers
  EXPECT_EQ(b.state("x"), State::kHealthy);
  // A success between failures resets the count.
  EXPECT_FALSE(b.Request("x", false));
  EXPECT_FALSE(b.Request("x", true));
  EXPECT_FALSE(b.Request("x", false));
  EXPECT_EQ(b.state("x"), State::kHealthy);
}

TEST(HealthBoardTest, OnlyUpstreamFailuresCount) {
  HealthBoard b;
  for (int i = 0; i < 5; ++i) {
    ReportOutcome(b, "x", Status::InvalidArgument("bad temperature"));  // the request, not the backend
    ReportOutcome(b, "x", Status::Unavailable("busy"));
    backend::Reply r;
    r.status = 400;
    ReportOutcome(b, "x", r);
  }
  EXPECT_EQ(b.state("x"), State::kUnknown);
  ReportOutcome(b, "x", Status::IoError("connect refused"));
  backend::Reply r500;
  r500.status = 503;
  ReportOutcome(b, "x", r500);
  EXPECT_EQ(b.state("x"), State::kUnhealthy);
  backend::Reply ok;
  ok.status = 200;
  ReportOutcome(b, "x", ok);
  EXPECT_EQ(b.state("x"), State::kHealthy);
}

class PreferHealthyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cfg = config::Parse(R"(
backends:
  - {name: de-a, type: remote, url: "http://127.0.0.1:1/v1", jurisdiction: DE}
  - {name: us-b, type: remote, url: "http://127.0.0.1:1/v1", jurisdiction: US}
  - {name: de-c, type: remote, url: "http://127.0.0.1:1/v1", jurisdiction: DE}
workflows:
  - {name: w, roles: [r], backends: [de-a, us-b, de-c], reroute: true, default_action: pseudonymise}
  - {name: only, roles: [r], backends: [de-a, us-b], reroute: true, default_action: pseudonymise}
)",
                             "test");
    ASSERT_TRUE(cfg.ok()) << cfg.status().message();
    cfg_ = *cfg;
    auto j = policy::Jurisdictions::LoadFile(policy::DefaultAdequacyFile());
    ASSERT_TRUE(j.ok()) << j.status().message();
    j_ = std::move(*j);
    p_.id = "p";
    p_.roles = {"r"};
    p_.jurisdiction = "DE";  // every personal finding is EU personal data
    detect::Finding f;
    f.entity_type = "PERSON";
    f.data_class = detect::DataClass::kPersonal;
    f.jurisdiction = "DE";
    eu_.push_back(f);
  }
  policy::Decision Route(const std::string& wf, const std::vector<detect::Finding>& findings) {
    const auto* w = cfg_->FindWorkflow(wf);
    auto d = policy::Decide(p_, *w, findings, *cfg_, j_);
    return PreferHealthy(std::move(d), p_, *w, findings, *cfg_, j_, board_);
  }
  std::shared_ptr<const config::Config> cfg_;
  policy::Jurisdictions j_;
  policy::Principal p_;
  std::vector<detect::Finding> eu_;
  HealthBoard board_;
};

TEST_F(PreferHealthyTest, HealthyPreferredBackendIsKept) {
  board_.Probe("de-a", true);
  auto d = Route("w", eu_);
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.backend->name, "de-a");
}

TEST_F(PreferHealthyTest, UnhealthyBackendSkippedForAnotherAllowedOne) {
  board_.Probe("de-a", false);
  auto d = Route("w", eu_);
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.backend->name, "de-c") << "us-b may not receive EU personal data; de-c may";
  EXPECT_NE(d.reasons.back().find("skipped unhealthy backend de-a"), std::string::npos);
}

TEST_F(PreferHealthyTest, NeverFallsBackToANonCompliantBackend) {
  board_.Probe("de-a", false);
  auto d = Route("only", eu_);
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.backend->name, "de-a") << "the only other backend (US) is not allowed for EU data";
}

TEST_F(PreferHealthyTest, WithoutPersonalDataAnyListedBackendMayServe) {
  board_.Probe("de-a", false);
  auto d = Route("only", {});
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.backend->name, "us-b");
}

TEST_F(PreferHealthyTest, AllUnhealthyKeepsTheDecision) {
  board_.Probe("de-a", false);
  board_.Probe("us-b", false);
  board_.Probe("de-c", false);
  auto d = Route("w", eu_);
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.backend->name, "de-a");
}

}  // namespace
}  // namespace airlock::server
