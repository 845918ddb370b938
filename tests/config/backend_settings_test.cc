// The `type: local` engine keys, remote health keys, detection.timeout_ms and
// detection.stream_keepalive_ms.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "airlock/config/config.h"

namespace airlock::config {
namespace {

using ::testing::HasSubstr;

const std::string kPin(64, 'a');

Result<std::shared_ptr<const Config>> WithBackend(const std::string& entry) {
  return Parse("backends:\n  - " + entry + "\n", "t.yaml");
}

TEST(BackendSettingsTest, LocalEngineKeys) {
  auto c = WithBackend("{name: l, type: local, model_file: /m.gguf, sha256: " + std::string(64, 'A') +
                       ", threads: 3, context: 2048, parallel: 2, memory_budget: 1.5GiB}");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const BackendConfig& b = (*c)->backends[0];
  EXPECT_EQ(b.model_file, "/m.gguf");
  EXPECT_EQ(b.sha256, kPin);  // lower-cased
  EXPECT_EQ(b.threads, 3u);
  EXPECT_EQ(b.context, 2048u);
  EXPECT_EQ(b.parallel, 2u);
  EXPECT_EQ(b.memory_budget, 1610612736u);
  EXPECT_EQ(WithBackend("{name: l, type: local, memory_budget: 512MiB}").value()->backends[0].memory_budget, 512u << 20);
  EXPECT_EQ(WithBackend("{name: l, type: local, memory_budget: 4096}").value()->backends[0].memory_budget, 4096u);
  // No model_file: --model or ./models/ decide at start.
  EXPECT_TRUE(WithBackend("{name: l, type: local}").ok());
}

TEST(BackendSettingsTest, LocalEngineKeyErrors) {
  auto no_pin = WithBackend("{name: l, type: local, model_file: /m.gguf}");
  ASSERT_FALSE(no_pin.ok());
  EXPECT_THAT(no_pin.status().message(), HasSubstr("t.yaml:2: local backend 'l' names a model_file but no sha256 pin"));
  EXPECT_THAT(no_pin.status().message(), HasSubstr("airlock model hash /m.gguf"));
  auto bad_pin = WithBackend("{name: l, type: local, model_file: /m.gguf, sha256: abc}");
  ASSERT_FALSE(bad_pin.ok());
  EXPECT_THAT(bad_pin.status().message(), HasSubstr("sha256 must be 64 hex digits"));
  auto budget = WithBackend("{name: l, type: local, memory_budget: lots}");
  ASSERT_FALSE(budget.ok());
  EXPECT_THAT(budget.status().message(), HasSubstr("memory_budget must be a size"));
  auto remote = WithBackend("{name: r, type: remote, url: 'https://x/v1', jurisdiction: DE, model_file: /m.gguf}");
  ASSERT_FALSE(remote.ok());
  EXPECT_THAT(remote.status().message(), HasSubstr("model_file applies to local backends only"));
}

TEST(BackendSettingsTest, HealthKeys) {
  auto d = WithBackend("{name: r, type: remote, url: 'https://x/v1', jurisdiction: DE}");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value()->backends[0].health_interval_ms, 30000u);
  EXPECT_EQ(d.value()->backends[0].health_timeout_ms, 2000u);
  auto c = WithBackend("{name: r, type: remote, url: 'https://x/v1', jurisdiction: DE, health_interval_ms: 0, health_timeout_ms: 500}");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value()->backends[0].health_interval_ms, 0u);
  EXPECT_EQ(c.value()->backends[0].health_timeout_ms, 500u);
  EXPECT_FALSE(WithBackend("{name: r, type: remote, url: 'https://x/v1', jurisdiction: DE, health_timeout_ms: 1}").ok());
}

// detection.KEY: its default, a value in range read back, one out of range
// refused with a message naming it.
void ExpectDetectionSetting(const std::string& key, unsigned (*get)(const Config&), unsigned def,
                            unsigned good, const std::string& bad, const std::string& says) {
  EXPECT_EQ(get(*Default()), def) << key;
  auto c = Parse("detection: {" + key + ": " + std::to_string(good) + "}\n", "t.yaml");
  ASSERT_TRUE(c.ok()) << key;
  EXPECT_EQ(get(**c), good) << key;
  auto z = Parse("detection: {" + key + ": " + bad + "}\n", "t.yaml");
  ASSERT_FALSE(z.ok()) << key;
  EXPECT_THAT(z.status().message(), HasSubstr(says));
}

TEST(BackendSettingsTest, DetectionTimeout) {
  ExpectDetectionSetting("timeout_ms", [](const Config& c) { return c.detection.timeout_ms; }, 2000, 50, "0",
                         "detection.timeout_ms must be between 1 and");
}

TEST(BackendSettingsTest, StreamKeepAlive) {
  ExpectDetectionSetting("stream_keepalive_ms", [](const Config& c) { return c.detection.stream_keepalive_ms; },
                         15000, 0, "-5", "detection.stream_keepalive_ms");
}

}  // namespace
}  // namespace airlock::config
