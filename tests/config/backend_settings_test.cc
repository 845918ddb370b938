// The `type: local` engine keys, remote health keys and detection.timeout_ms.
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

TEST(BackendSettingsTest, DetectionTimeout) {
  EXPECT_EQ(Default()->detection.timeout_ms, 2000u);
  auto c = Parse("detection: {timeout_ms: 50}\n", "t.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->detection.timeout_ms, 50u);
  auto z = Parse("detection: {timeout_ms: 0}\n", "t.yaml");
  ASSERT_FALSE(z.ok());
  EXPECT_THAT(z.status().message(), HasSubstr("detection.timeout_ms must be between 1 and"));
}

}  // namespace
}  // namespace airlock::config
