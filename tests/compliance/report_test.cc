// Waivers, the four report formats, and the GDPR Art. 30 export.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "airlock/compliance/report.h"
#include "airlock/compliance/ropa.h"
#include "airlock/compliance/waivers.h"
#include "check_test_util.h"

namespace airlock::compliance {
namespace {

using check_testing::GoodConfig;
using check_testing::Of;
using check_testing::RunCatalog;
using check_testing::TempFiles;

class ReportTest : public ::testing::Test {
 protected:
  ReportTest() : catalog_(check_testing::LoadBuiltinCatalog()) {
    std::string yaml = GoodConfig(files_);
    // Two failures: a plain-HTTP upstream (high) and no canaries (medium).
    yaml.replace(yaml.find("url: https://api.eu"), 19, "url: http://api.eu");
    yaml.replace(yaml.find("  canaries:"), 11, "  canaries_off:");
    results_ = RunCatalog(catalog_, yaml);
  }
  ReportInput Input(Severity fail_on = Severity::kHigh) {
    ReportInput in;
    in.catalog = &catalog_;
    in.results = &results_;
    in.config_source = "test.yaml";
    in.jurisdictions_date = "2026-11-01";
    in.jurisdictions_file = "adequacy.yaml";
    in.today = "2026-11-28";
    in.fail_on = fail_on;
    return in;
  }
  TempFiles files_;
  ControlCatalog catalog_;
  std::vector<CheckResult> results_;
};

TEST_F(ReportTest, FailOnCountsFailuresAtOrAboveSeverity) {
  EXPECT_EQ(CountBlocking(results_, Severity::kCritical), 0);
  EXPECT_EQ(CountBlocking(results_, Severity::kHigh), 1);
  EXPECT_EQ(CountBlocking(results_, Severity::kMedium), 2);
}

TEST_F(ReportTest, ValidWaiverKeepsTheResultVisibleButNotBlocking) {
  auto w = ParseWaivers(
      "waivers:\n  - id: AL-UP-002\n    justification: provider moves to TLS in Q1\n"
      "    owner: ciso@example.com\n    ticket: SEC-1\n    expires: 2027-01-31\n",
      "w.yaml", catalog_);
  ASSERT_TRUE(w.ok()) << w.status().message();
  ApplyWaivers(*w, "2026-11-28", &results_);
  const auto waived = Of(results_, "AL-UP-002", Outcome::kWaived);
  ASSERT_EQ(waived.size(), 1u);
  EXPECT_EQ(waived[0]->waiver_ticket, "SEC-1");
  EXPECT_EQ(CountBlocking(results_, Severity::kHigh), 0);
  EXPECT_NE(RenderText(Input()).find("waiver SEC-1 by ciso@example.com until 2027-01-31"),
            std::string::npos);
}

TEST_F(ReportTest, ExpiredWaiverIsAFailure) {
  auto w = ParseWaivers(
      "waivers:\n  - id: AL-UP-002\n    justification: j\n    owner: o\n    ticket: SEC-2\n"
      "    expires: 2026-11-27\n",
      "w.yaml", catalog_);
  ASSERT_TRUE(w.ok());
  ApplyWaivers(*w, "2026-11-28", &results_);
  EXPECT_EQ(Of(results_, "AL-UP-002", Outcome::kWaiverExpired).size(), 1u);
  EXPECT_EQ(CountBlocking(results_, Severity::kHigh), 1);
}

TEST_F(ReportTest, WaiverForAnotherSubjectDoesNotApply) {
  auto w = ParseWaivers(
      "waivers:\n  - id: AL-UP-002\n    subject: backend other\n    justification: j\n"
      "    owner: o\n    ticket: T\n    expires: 2030-01-01\n",
      "w.yaml", catalog_);
  ASSERT_TRUE(w.ok());
  ApplyWaivers(*w, "2026-11-28", &results_);
  EXPECT_EQ(Of(results_, "AL-UP-002", Outcome::kFail).size(), 1u);
}

TEST_F(ReportTest, BadWaiversAreRejectedWithTheirLine) {
  struct Case {
    std::string yaml, expect;
  };
  const std::vector<Case> cases = {
      {"waivers:\n  - id: AL-NOPE-1\n    justification: j\n    owner: o\n    ticket: T\n"
       "    expires: 2027-01-01\n",
       "w.yaml:2: waiver for unknown control id 'AL-NOPE-1'"},
      {"waivers:\n  - id: AL-UP-002\n    justification: j\n    owner: o\n    ticket: T\n"
       "    expires: 2027-02-30\n",
       "w.yaml:6: 'expires' must be a date YYYY-MM-DD"},
      {"waivers:\n  - id: AL-UP-002\n    owner: o\n    ticket: T\n    expires: 2027-01-01\n",
       "waiver needs a non-empty 'justification'"},
      {"nothing: here\n", "expected a top-level 'waivers' list"},
  };
  for (const auto& c : cases) {
    auto w = ParseWaivers(c.yaml, "w.yaml", catalog_);
    ASSERT_FALSE(w.ok()) << c.yaml;
    EXPECT_NE(w.status().message().find(c.expect), std::string::npos) << w.status().message();
  }
}

TEST_F(ReportTest, JsonCarriesEveryResultAndSummary) {
  const auto j = nlohmann::json::parse(RenderJson(Input()));
  EXPECT_EQ(j["results"].size(), results_.size());
  EXPECT_EQ(j["summary"]["blocking"], 1);
  EXPECT_EQ(j["jurisdictions"]["as_of"], "2026-11-01");
  bool found = false;
  for (const auto& r : j["results"]) {
    if (r["control"] == "AL-UP-002" && r["outcome"] == "fail") {
      found = true;
      EXPECT_EQ(r["severity"], "high");
      EXPECT_EQ(r["config_path"], "backends[1].url");
      EXPECT_TRUE(r["mappings"].contains("iso27001"));
      EXPECT_EQ(r["location"].get<std::string>().rfind("test.yaml:", 0), 0u);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ReportTest, SarifHasRulesResultsAndRegions) {
  const auto s = nlohmann::json::parse(RenderSarif(Input()));
  EXPECT_EQ(s["version"], "2.1.0");
  ASSERT_EQ(s["runs"].size(), 1u);
  const auto& run = s["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), catalog_.controls().size());
  ASSERT_EQ(run["results"].size(), 2u);  // pass and n/a are not results in SARIF
  for (const auto& r : run["results"]) {
    const std::string id = r["ruleId"];
    const int idx = r["ruleIndex"];
    EXPECT_EQ(run["tool"]["driver"]["rules"][idx]["id"], id);
    const auto& loc = r["locations"][0]["physicalLocation"];
    EXPECT_EQ(loc["artifactLocation"]["uri"], "test.yaml");
    EXPECT_GT(loc["region"]["startLine"].get<int>(), 0);
    EXPECT_TRUE(r["level"] == "error" || r["level"] == "warning" || r["level"] == "note");
  }
}

TEST_F(ReportTest, JunitCountsFailures) {
  const std::string x = RenderJunit(Input());
  EXPECT_EQ(x.rfind("<?xml", 0), 0u);
  EXPECT_NE(x.find("failures=\"2\""), std::string::npos);
  size_t testcases = 0;
  for (size_t p = x.find("<testcase"); p != std::string::npos; p = x.find("<testcase", p + 1)) {
    ++testcases;
  }
  EXPECT_EQ(testcases, results_.size());
  EXPECT_NE(x.find("<failure type=\"high\""), std::string::npos);
}

TEST_F(ReportTest, TextListsFailuresFirstWithFix) {
  const std::string t = RenderText(Input());
  const auto fail = t.find("FAIL  AL-UP-002");
  ASSERT_NE(fail, std::string::npos);
  EXPECT_LT(fail, t.find("PASS "));
  EXPECT_NE(t.find("fix: Use an https:// URL"), std::string::npos);
  EXPECT_NE(t.find("1 at or above --fail-on high"), std::string::npos);
}

TEST_F(ReportTest, RopaListsEachWorkflowWithItsFacts) {
  CheckOptions opts;
  opts.today = "2026-11-28";
  auto doc = ConfigDocument::LoadText(GoodConfig(files_), "test.yaml");
  ASSERT_TRUE(doc.ok());
  CheckEnv env;
  env.config = &*doc;
  env.options = &opts;
  ASSERT_TRUE(LoadJurisdictions(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/jurisdictions/adequacy.yaml",
                                &env)
                  .ok());
  const std::string md = RopaMarkdown(env);
  EXPECT_NE(md.find("## hr-assistant"), std::string::npos);
  EXPECT_NE(md.find("## legal-summary"), std::string::npos);
  EXPECT_NE(md.find("| Legal basis (Art. 6) | legal_obligation |"), std::string::npos);
  EXPECT_NE(md.find("Controller: Example GmbH"), std::string::npos);
  EXPECT_NE(md.find("DPIA-HR-2026-03"), std::string::npos);
  const std::string csv = RopaCsv(env);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);  // header + 2 workflows
  EXPECT_EQ(csv.rfind("workflow,purpose,legal_basis", 0), 0u);
  EXPECT_NE(csv.find(",Summarise case notes for the legal team.,"), std::string::npos);
  EXPECT_NE(csv.find("\"legal team; eu-cloud as processor; backend eu-cloud (fr, DPA DPA-2026-014)"), std::string::npos);
}

}  // namespace
}  // namespace airlock::compliance
