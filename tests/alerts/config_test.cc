// The `alerts:` section of the gateway config: defaults, the example file,
// and errors that name file:line.
#include <gtest/gtest.h>

#include "airlock/config/config.h"

namespace airlock::config {
namespace {

TEST(AlertsConfig, DefaultsPerRuleType) {
  auto cfg = Parse(R"(alerts:
  rules:
    - {name: burst, type: threshold}
    - {name: bulk, type: distinct_values}
    - {name: new-backend, type: first_backend_use}
    - {name: night, type: outside_hours}
    - {name: canary, type: canary}
    - {name: chain, type: chain_failure}
  canaries:
    - {entity_type: EMAIL_ADDRESS, value: "canary@example.org"}
  sinks:
    - {type: webhook, url: "https://soc.example/hook"}
    - {type: syslog, address: "127.0.0.1:514"}
    - {type: jsonl, path: var/alerts.jsonl}
)",
                   "a.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  const AlertsConfig& a = (*cfg)->alerts;
  ASSERT_EQ(a.rules.size(), 6u);
  EXPECT_EQ(a.rules[0].metric, "blocked_requests");
  EXPECT_EQ(a.rules[0].per, "principal");
  EXPECT_EQ(a.rules[0].window_ms, 300000u);
  EXPECT_EQ(a.rules[0].count, 10u);
  EXPECT_EQ(a.rules[0].cooldown_ms, 300000u);
  EXPECT_EQ(a.rules[0].severity, "medium");
  EXPECT_EQ(a.rules[0].source, "a.yaml:3");
  EXPECT_EQ(a.rules[1].count, 50u);
  EXPECT_EQ(a.rules[2].per, "global");
  EXPECT_EQ(a.rules[3].hours_start_min, 7u * 60);
  EXPECT_EQ(a.rules[3].hours_end_min, 19u * 60);
  EXPECT_EQ(a.rules[3].days_mask, 0x1fu);
  EXPECT_EQ(a.rules[4].severity, "critical");
  EXPECT_EQ(a.rules[4].cooldown_ms, 0u);
  EXPECT_EQ(a.rules[5].severity, "critical");
  EXPECT_EQ(a.sinks[0].retries, 5u);
  EXPECT_EQ(a.sinks[0].timeout_ms, 5000u);
  EXPECT_EQ(a.sinks[0].backoff_ms, 500u);
  EXPECT_EQ(a.sinks[0].dead_letter, "var/alerts.dead.jsonl");
  EXPECT_EQ(a.sinks[1].transport, "udp");
  EXPECT_EQ(a.sinks[1].app_name, "airlock");
  EXPECT_EQ(a.sinks[1].facility, 16u);
  EXPECT_EQ(a.queue_size, 1024u);
  EXPECT_EQ(a.max_keys, 10000u);
}

TEST(AlertsConfig, DurationsDaysAndTimezones) {
  auto cfg = Parse(R"(alerts:
  rules:
    - {name: a, type: threshold, window: 90s, cooldown: 1h}
    - {name: b, type: outside_hours, hours: "22:00-06:00", days: "sat,sun", timezone: "UTC-05:30"}
    - {name: c, type: outside_hours, days: "mon-wed,fri", timezone: "+02:00", cooldown: 500ms}
)",
                   "d.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  const auto& r = (*cfg)->alerts.rules;
  EXPECT_EQ(r[0].window_ms, 90000u);
  EXPECT_EQ(r[0].cooldown_ms, 3600000u);
  EXPECT_EQ(r[1].hours_start_min, 22u * 60);
  EXPECT_EQ(r[1].hours_end_min, 6u * 60);
  EXPECT_EQ(r[1].days_mask, 0x60u);
  EXPECT_EQ(r[1].utc_offset_min, -330);
  EXPECT_EQ(r[2].days_mask, 0x17u);
  EXPECT_EQ(r[2].utc_offset_min, 120);
  EXPECT_EQ(r[2].cooldown_ms, 500u);
}

TEST(AlertsConfig, TheExampleFileParses) {
  auto cfg = LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/../examples/airlock.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_GE((*cfg)->alerts.rules.size(), 6u);
  EXPECT_EQ((*cfg)->alerts.canaries.size(), 1u);
  EXPECT_EQ((*cfg)->alerts.sinks.size(), 3u);
}

struct BadCase {
  const char* yaml;
  const char* error;  // expected substring, with file:line
};

class AlertsConfigError : public ::testing::TestWithParam<BadCase> {};

TEST_P(AlertsConfigError, NamesFileAndLine) {
  auto cfg = Parse(GetParam().yaml, "bad.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find(GetParam().error), std::string::npos)
      << cfg.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AlertsConfigError,
    ::testing::Values(
        BadCase{"alerts:\n  rules:\n    - name: a\n      type: threshold\n      windw: 5m\n",
                "bad.yaml:5: unknown key 'windw' in threshold rule"},
        BadCase{"alerts:\n  rules:\n    - {name: a, type: thresold}\n",
                "bad.yaml:3: unknown alert rule type 'thresold'"},
        BadCase{"alerts:\n  rules:\n    - {type: threshold}\n",
                "bad.yaml:3: alert rule needs a name"},
        BadCase{
            "alerts:\n  rules:\n    - {name: a, type: threshold}\n    - {name: a, type: canary}\n",
            "bad.yaml:4: duplicate alert rule name 'a'"},
        BadCase{"alerts:\n  rules:\n\n    - {name: a, type: threshold, window: 5 minutes}\n",
                "bad.yaml:4: window must be a duration"},
        BadCase{"alerts:\n  rules:\n    - {name: a, type: threshold, severity: urgent}\n",
                "bad.yaml:3: severity must be info, low, medium, high or critical"},
        BadCase{"alerts:\n  rules:\n    - {name: a, type: threshold, metric: findings, data_class: "
                "secrets}\n",
                "bad.yaml:3: unknown data class 'secrets'"},
        BadCase{"alerts:\n  rules:\n    - {name: a, type: canary, window: 5m}\n",
                "bad.yaml:3: unknown key 'window' in canary rule"},
        BadCase{
            "alerts:\n  rules:\n    - {name: a, type: outside_hours, timezone: Europe/Berlin}\n",
            "bad.yaml:3: timezone must be UTC or a fixed offset"},
        BadCase{"alerts:\n  rules:\n    - {name: a, type: outside_hours, hours: \"7-19\"}\n",
                "bad.yaml:3: hours must be like 07:00-19:00"},
        BadCase{"alerts:\n  rules:\n    - {name: a, type: outside_hours, days: mon-funday}\n",
                "bad.yaml:3: days must be like mon-fri"},
        BadCase{"alerts:\n  rules:\n    - {name: a, type: canary}\n",
                "bad.yaml:2: a canary rule needs alerts.canaries"},
        BadCase{"alerts:\n  canaries:\n    - {entity_type: EMAIL_ADDRESS, value: x@example.org}\n",
                "bad.yaml:3: alerts.canaries need a rule of type canary"},
        BadCase{"alerts:\n  sinks:\n    - {type: webhook, url: \"ftp://x\"}\n",
                "bad.yaml:3: webhook sink needs a url starting with https:// or http://"},
        BadCase{
            "alerts:\n  sinks:\n    - {type: webhook, url: \"https://x/h\", secret: \"inline\"}\n",
            "bad.yaml:3: webhook secret must be a mapping"},
        BadCase{"alerts:\n  sinks:\n    - {type: syslog, transport: quic, address: "
                "\"127.0.0.1:514\"}\n",
                "bad.yaml:3: transport must be udp or tcp"},
        BadCase{"alerts:\n  sinks:\n    - {type: syslog, address: \"localhost\"}\n",
                "bad.yaml:3: syslog address must be HOST:PORT"},
        BadCase{"alerts:\n  sinks:\n    - {type: jsonl}\n", "bad.yaml:3: jsonl sink needs a path"},
        BadCase{"alerts:\n  sinks:\n    - {type: email, to: soc@example.org}\n",
                "bad.yaml:3: unknown alert sink type 'email'"},
        BadCase{"alerts:\n  rule: []\n", "bad.yaml:2: unknown key 'rule' in alerts"}),
    // Stable names: the default prints the struct's bytes (pointers).
    [](const ::testing::TestParamInfo<BadCase>& param) {
      return "case" + std::to_string(param.index);
    });

TEST(AlertsConfig, CanaryValuesNeverReachAnError) {
  auto cfg = Parse(
      "alerts:\n  canaries:\n    - {entity_type: \"EMAIL ADDRESS\", value: "
      "canary.jones@example.org}\n",
      "c.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message().find("canary.jones"), std::string::npos)
      << cfg.status().message();
}

}  // namespace
}  // namespace airlock::config
