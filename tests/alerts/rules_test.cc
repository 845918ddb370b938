#include "airlock/alerts/rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "test_util.h"

namespace airlock::alerts {
namespace {

using namespace testing;  // NOLINT

constexpr const char* kBlockedBurst = R"(
  rules:
    - {name: blocked-burst, type: threshold, severity: high, metric: blocked_requests,
       per: principal, window: 5m, count: 10}
)";

// Feeds `n` events from `principal`, one second apart, from `*now`.
std::vector<Alert> Feed(RuleSet& rules, const audit::Event& e, int n, std::int64_t* now,
                        std::uint64_t* seq) {
  std::vector<Alert> out;
  for (int i = 0; i < n; ++i) {
    for (auto& a : rules.Observe(e, Id(++*seq), *now)) out.push_back(std::move(a));
    *now += kSecond;
  }
  return out;
}

TEST(ThresholdRule, FiresWhenTheCountIsReachedInsideTheWindow) {
  auto rules = Rules(kBlockedBurst);
  std::int64_t now = kMonday10;
  std::uint64_t seq = 0;
  EXPECT_TRUE(Feed(*rules, Blocked("alice"), 9, &now, &seq).empty()) << "below the threshold";
  auto alerts = Feed(*rules, Blocked("alice"), 1, &now, &seq);
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.rule, "blocked-burst");
  EXPECT_EQ(a.type, "threshold");
  EXPECT_EQ(a.severity, Severity::kHigh);
  EXPECT_EQ(a.key, "principal:alice");
  EXPECT_EQ(a.principal, "alice");
  EXPECT_EQ(a.workflow, "support");
  EXPECT_EQ(a.count, 10u);
  EXPECT_EQ(a.threshold, 10u);
  EXPECT_EQ(a.window_ms, 300000u);
  ASSERT_EQ(a.events.size(), 10u);
  EXPECT_EQ(a.events.front(), "gw-1:1");
  EXPECT_EQ(a.events.back(), "gw-1:10");
}

TEST(ThresholdRule, EventsOutsideTheWindowDoNotCount) {
  auto rules = Rules(kBlockedBurst);
  std::int64_t now = kMonday10;
  std::uint64_t seq = 0;
  EXPECT_TRUE(Feed(*rules, Blocked("alice"), 9, &now, &seq).empty());
  now += 5 * kMinute;  // the first nine fall out of the 5 minute window
  EXPECT_TRUE(Feed(*rules, Blocked("alice"), 9, &now, &seq).empty());
  EXPECT_EQ(Feed(*rules, Blocked("alice"), 1, &now, &seq).size(), 1u);
}

TEST(ThresholdRule, CountsPerPrincipalAndOnlyTheMetric) {
  auto rules = Rules(kBlockedBurst);
  std::int64_t now = kMonday10;
  std::uint64_t seq = 0;
  EXPECT_TRUE(Feed(*rules, Blocked("alice"), 5, &now, &seq).empty());
  EXPECT_TRUE(Feed(*rules, Blocked("bob"), 5, &now, &seq).empty()) << "another principal's window";
  EXPECT_TRUE(Feed(*rules, Request("alice"), 20, &now, &seq).empty())
      << "allowed requests are not blocked ones";
}

TEST(ThresholdRule, GlobalAndPerWorkflowKeys) {
  auto rules = Rules(R"(
  rules:
    - {name: global-blocks, type: threshold, metric: blocked_requests, per: global, window: 1m, count: 4}
    - {name: workflow-requests, type: threshold, metric: requests, per: workflow, window: 1m, count: 6}
)");
  std::int64_t now = kMonday10;
  std::uint64_t seq = 0;
  EXPECT_TRUE(Feed(*rules, Blocked("alice"), 2, &now, &seq).empty());
  auto alerts = Feed(*rules, Blocked("bob"), 2, &now, &seq);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule, "global-blocks");
  EXPECT_EQ(alerts[0].key, "global");
  EXPECT_EQ(alerts[0].principal, "bob") << "the principal of the event that tipped it";
  alerts = Feed(*rules, Request("carol"), 2, &now, &seq);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule, "workflow-requests");
  EXPECT_EQ(alerts[0].key, "workflow:support");
  EXPECT_EQ(alerts[0].count, 6u);
}

TEST(ThresholdRule, FindingsOfOneDataClass) {
  auto rules = Rules(R"(
  rules:
    - {name: iban-flood, type: threshold, metric: findings, data_class: financial, window: 10m, count: 100}
)");
  auto e = Request("alice");
  e.findings = {{"IBAN_CODE", "financial", 60}, {"EMAIL_ADDRESS", "contact", 500}};
  EXPECT_TRUE(rules->Observe(e, Id(1), kMonday10).empty())
      << "60 financial; contact does not count";
  auto alerts = rules->Observe(e, Id(2), kMonday10 + kSecond);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].count, 120u);
}

TEST(CoolDown, OneAlertPerBurstThenAgainAfterTheCoolDown) {
  auto rules = Rules(R"(
  rules:
    - {name: blocked-burst, type: threshold, metric: blocked_requests, window: 5m, count: 10, cooldown: 10m}
)");
  std::int64_t now = kMonday10;
  std::uint64_t seq = 0;
  EXPECT_EQ(Feed(*rules, Blocked("alice"), 100, &now, &seq).size(), 1u)
      << "100 blocked in 100 s: one alert";
  EXPECT_EQ(Feed(*rules, Blocked("bob"), 10, &now, &seq).size(), 1u) << "the cool-down is per key";
  now = kMonday10 + 10 * kMinute;  // alice's cool-down ends
  EXPECT_TRUE(Feed(*rules, Blocked("alice"), 9, &now, &seq).empty()) << "the old window expired";
  EXPECT_EQ(Feed(*rules, Blocked("alice"), 1, &now, &seq).size(), 1u);
}

TEST(DistinctValuesRule, ManyDistinctFingerprintsInOneEvent) {
  auto rules = Rules(
      "  rules:\n    - {name: bulk-export, type: distinct_values, count: 50, severity: high}\n");
  auto e = Request("alice");
  for (int i = 0; i < 49; ++i)
    e.fingerprints.push_back(audit::FingerprintValue(Key(), "IBAN_CODE", "DE" + std::to_string(i)));
  EXPECT_TRUE(rules->Observe(e, Id(1), kMonday10).empty()) << "49 distinct";
  auto dup = e;
  for (int i = 0; i < 20; ++i) dup.fingerprints.push_back(dup.fingerprints[0]);
  EXPECT_TRUE(rules->Observe(dup, Id(2), kMonday10).empty()) << "69 fingerprints but 49 distinct";
  e.fingerprints.push_back(audit::FingerprintValue(Key(), "EMAIL_ADDRESS", "x@example.org"));
  auto alerts = rules->Observe(e, Id(3), kMonday10);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].count, 50u);
  EXPECT_EQ(alerts[0].threshold, 50u);
  EXPECT_EQ(alerts[0].fingerprints.size(), kMaxAlertFingerprints);
  for (const auto& f : alerts[0].fingerprints) EXPECT_EQ(f.hmac.size(), 64u);
  EXPECT_TRUE(rules->Observe(e, Id(4), kMonday10 + kSecond).empty()) << "cool-down (default 5m)";
}

TEST(FirstBackendUseRule, FiresOncePerNewBackend) {
  auto rules = Rules(R"(
  rules:
    - {name: new-backend, type: first_backend_use, known: [local]}
    - {name: new-backend-for-user, type: first_backend_use, per: principal, known: [local]}
)");
  auto e = Request("alice");
  EXPECT_TRUE(rules->Observe(e, Id(1), kMonday10).empty()) << "local is known";
  e.backend = "openai";
  auto alerts = rules->Observe(e, Id(2), kMonday10);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].key, "backend:openai");
  EXPECT_EQ(alerts[0].backend, "openai");
  EXPECT_EQ(alerts[1].key, "principal:alice|backend:openai");
  EXPECT_TRUE(rules->Observe(e, Id(3), kMonday10 + kMinute).empty()) << "not new any more";
  e.principal = "bob";
  alerts = rules->Observe(e, Id(4), kMonday10 + kMinute);
  ASSERT_EQ(alerts.size(), 1u) << "new for bob only";
  EXPECT_EQ(alerts[0].rule, "new-backend-for-user");
}

TEST(OutsideHoursRule, WorkingDaysAndHours) {
  auto rules = Rules(R"(
  rules:
    - {name: night, type: outside_hours, hours: "07:00-19:00", days: mon-fri, timezone: UTC, cooldown: 0s}
)");
  auto e = Request("alice");
  EXPECT_TRUE(rules->Observe(e, Id(1), kMonday10).empty()) << "Monday 10:00";
  EXPECT_TRUE(rules->Observe(e, Id(2), Utc(2026, 11, 30, 7, 0)).empty()) << "07:00 is inside";
  EXPECT_EQ(rules->Observe(e, Id(3), Utc(2026, 11, 30, 19, 0)).size(), 1u) << "19:00 is outside";
  EXPECT_EQ(rules->Observe(e, Id(4), Utc(2026, 11, 30, 6, 59)).size(), 1u);
  EXPECT_EQ(rules->Observe(e, Id(5), Utc(2026, 11, 28, 10, 0)).size(), 1u) << "Saturday";
  EXPECT_TRUE(rules->Observe(e, Id(6), Utc(2026, 12, 4, 18, 59)).empty()) << "Friday 18:59";
  auto done = e;
  done.kind = audit::EventKind::kCompletion;
  EXPECT_TRUE(rules->Observe(done, Id(7), Utc(2026, 11, 28, 10, 0)).empty())
      << "only requests count";
}

TEST(OutsideHoursRule, FixedOffsetAndOvernightHours) {
  auto rules = Rules(R"(
  rules:
    - {name: berlin, type: outside_hours, hours: "07:00-19:00", days: all, timezone: "UTC+01:00", cooldown: 0s}
    - {name: night-shift, type: outside_hours, hours: "22:00-06:00", days: all, cooldown: 0s}
)");
  auto e = Request("alice");
  auto a = rules->Observe(e, Id(1), Utc(2026, 11, 30, 6, 30));  // 07:30 in UTC+1, 06:30 UTC
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].rule, "night-shift");
  a = rules->Observe(e, Id(2), Utc(2026, 11, 30, 23, 0));  // 00:00 in UTC+1; the night shift works
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].rule, "berlin");
  a = rules->Observe(e, Id(3), Utc(2026, 11, 30, 17, 59));  // 18:59 in UTC+1
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].rule, "night-shift");
}

constexpr const char* kCanary = R"(
  rules:
    - {name: canary, type: canary}
  canaries:
    - {entity_type: EMAIL_ADDRESS, value: "canary.jones@example.org"}
)";

TEST(CanaryRule, MatchesDifferentlyWrittenValuesThroughFingerprints) {
  auto rules = Rules(kCanary);
  EXPECT_EQ(rules->canary_count(), 1u);
  auto e = Request("mallory");
  e.fingerprints = {audit::FingerprintValue(Key(), "EMAIL_ADDRESS", "someone@example.org")};
  EXPECT_TRUE(rules->Observe(e, Id(1), kMonday10).empty()) << "not a canary";
  e.fingerprints.push_back(audit::FingerprintValue(Key(), "PERSON", "canary.jones@example.org"));
  EXPECT_TRUE(rules->Observe(e, Id(2), kMonday10).empty()) << "same text, other entity type";
  e.fingerprints.push_back(
      audit::FingerprintValue(Key(), "EMAIL_ADDRESS", "  Canary.JONES@Example.ORG "));
  auto alerts = rules->Observe(e, Id(3), kMonday10);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].severity, Severity::kCritical);
  EXPECT_EQ(alerts[0].principal, "mallory");
  ASSERT_EQ(alerts[0].fingerprints.size(), 1u);
  EXPECT_EQ(alerts[0].fingerprints[0].entity_type, "EMAIL_ADDRESS");
  EXPECT_EQ(rules->Observe(e, Id(4), kMonday10 + kSecond).size(), 1u) << "no cool-down by default";
}

TEST(CanaryRule, NoAlertJsonHoldsTheValueInClear) {
  auto rules = Rules(kCanary);
  auto e = Request("mallory");
  e.fingerprints = {audit::FingerprintValue(Key(), "EMAIL_ADDRESS", "CANARY.JONES@EXAMPLE.ORG")};
  auto alerts = rules->Observe(e, Id(1), kMonday10);
  ASSERT_EQ(alerts.size(), 1u);
  std::string json = ToJson(alerts[0]);
  std::transform(json.begin(), json.end(), json.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(json.find("canary.jones"), std::string::npos) << json;
  EXPECT_EQ(json.find("jones"), std::string::npos) << json;
  EXPECT_NE(json.find("\"hmac\":\"" + alerts[0].fingerprints[0].hmac + "\""), std::string::npos)
      << json;
}

TEST(ChainFailureRule, ConfiguredAndBuiltIn) {
  auto rules = Rules("  rules:\n    - {name: chain, type: chain_failure, severity: high}\n");
  auto alerts = rules->ChainFailure({"gw-2", 77}, "Modified row!", kMonday10);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule, "chain");
  EXPECT_EQ(alerts[0].severity, Severity::kHigh);
  EXPECT_EQ(alerts[0].key, "instance:gw-2");
  EXPECT_EQ(alerts[0].events, std::vector<std::string>{"gw-2:77"});
  EXPECT_EQ(alerts[0].detail, "modified_row_") << "reduced to a code";

  auto none = Rules("  rules: []\n");
  alerts = none->ChainFailure({"gw-1", 3}, "deleted", kMonday10);
  ASSERT_EQ(alerts.size(), 1u) << "a broken chain is never silent";
  EXPECT_EQ(alerts[0].rule, "chain_failure");
  EXPECT_EQ(alerts[0].severity, Severity::kCritical);
  EXPECT_EQ(alerts[0].detail, "deleted");
}

TEST(Lockdown, AlwaysAnAlertWithSeverityHigh) {
  auto rules = Rules("  rules: []\n");
  Alert on = rules->Lockdown(true, "admin", kMonday10);
  EXPECT_EQ(on.type, "lockdown");
  EXPECT_EQ(on.severity, Severity::kHigh);
  EXPECT_EQ(on.detail, "lockdown_on");
  EXPECT_EQ(on.principal, "admin");
  Alert off = rules->Lockdown(false, "some text with spaces", kMonday10);
  EXPECT_EQ(off.detail, "lockdown_off");
  EXPECT_EQ(off.principal, "invalid") << "free text never rides along";
}

TEST(Memory, KeysBeyondMaxKeysAreEvictedLeastRecentFirst) {
  auto rules = Rules(R"(
  max_keys: 2
  rules:
    - {name: pair, type: threshold, metric: blocked_requests, window: 1h, count: 2}
)");
  std::int64_t now = kMonday10;
  std::uint64_t seq = 0;
  EXPECT_TRUE(Feed(*rules, Blocked("alice"), 1, &now, &seq).empty());
  EXPECT_TRUE(Feed(*rules, Blocked("bob"), 1, &now, &seq).empty());
  EXPECT_TRUE(Feed(*rules, Blocked("carol"), 1, &now, &seq).empty());  // evicts alice's window
  EXPECT_TRUE(Feed(*rules, Blocked("alice"), 1, &now, &seq).empty())
      << "alice starts again from one";
  EXPECT_EQ(Feed(*rules, Blocked("alice"), 1, &now, &seq).size(), 1u);
}

TEST(AlertJson, ShapeAndTime) {
  Alert a;
  a.id = "1-1";
  a.rule = "r";
  a.type = "threshold";
  a.severity = Severity::kLow;
  a.time_us = Utc(2026, 11, 30, 10, 0) + 42;
  a.events = {"gw-1:1"};
  a.fingerprints = {{"IBAN_CODE", std::string(64, 'a')}};
  const std::string json = ToJson(a);
  EXPECT_NE(json.find("\"time\":\"2026-11-30T10:00:00.000042Z\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"severity\":\"low\""), std::string::npos) << json;
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(json.rfind("{\"version\":1,\"id\":\"1-1\",\"rule\":\"r\"", 0), 0u) << json;
}

}  // namespace
}  // namespace airlock::alerts
