// The `metrics:` section of the gateway config.
#include <gtest/gtest.h>

#include "airlock/config/config.h"

namespace airlock::config {
namespace {

using PL = Config::Metrics::PrincipalLabels;

TEST(MetricsConfigTest, DefaultsAreOnAuthenticatedAndPrincipalsHashed) {
  for (const auto& cfg : {Default(), *Parse("server: {listen: '127.0.0.1:1'}\n", "t.yaml")}) {
    EXPECT_TRUE(cfg->metrics.enabled);
    EXPECT_TRUE(cfg->metrics.require_auth);
    EXPECT_EQ(cfg->metrics.principal_labels, PL::kHashed);
    EXPECT_EQ(cfg->metrics.max_principals, 1000u);
  }
}

TEST(MetricsConfigTest, ParsesEveryKey) {
  auto cfg = Parse("metrics:\n  enabled: false\n  principal_labels: hashed\n  max_principals: 50\n"
                   "  require_auth: false\n",
                   "t.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_FALSE((*cfg)->metrics.enabled);
  EXPECT_EQ((*cfg)->metrics.principal_labels, PL::kHashed);
  EXPECT_EQ((*cfg)->metrics.max_principals, 50u);
  EXPECT_FALSE((*cfg)->metrics.require_auth);
  auto clear = Parse("metrics: {principal_labels: clear}\n", "t.yaml");
  ASSERT_TRUE(clear.ok());
  EXPECT_EQ((*clear)->metrics.principal_labels, PL::kClear);
}

TEST(MetricsConfigTest, PublicIsTheInverseOfRequireAuth) {
  auto open = Parse("metrics: {public: true}\n", "t.yaml");
  ASSERT_TRUE(open.ok()) << open.status().message();
  EXPECT_FALSE((*open)->metrics.require_auth);
  auto closed = Parse("metrics: {public: false, require_auth: true}\n", "t.yaml");
  ASSERT_TRUE(closed.ok()) << closed.status().message();
  EXPECT_TRUE((*closed)->metrics.require_auth);
}

TEST(MetricsConfigTest, ErrorsNameFileAndLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"server: {}\nmetrics:\n  enabld: true\n", "t.yaml:3: unknown key 'enabld' in metrics"},
      {"metrics:\n  principal_labels: sha1\n", "t.yaml:2: metrics.principal_labels must be none, hashed or clear"},
      {"metrics:\n  max_principals: 0\n", "t.yaml:2: metrics.max_principals must be between 1 and"},
      {"metrics:\n  max_principals: 2.5\n", "t.yaml:2: metrics.max_principals must be a whole number"},
      {"metrics:\n  enabled: maybe\n", "t.yaml:2: metrics.enabled must be true or false"},
      {"metrics:\n  require_auth: true\n  public: true\n", "t.yaml:3: metrics.public contradicts metrics.require_auth"},
      {"metrics: [1, 2]\n", "t.yaml:1: metrics must be a mapping"},
  };
  for (const auto& [yaml, want] : cases) {
    auto cfg = Parse(yaml, "t.yaml");
    ASSERT_FALSE(cfg.ok()) << yaml;
    EXPECT_EQ(cfg.status().message().rfind(want, 0), 0u) << "got: " << cfg.status().message();
  }
}

}  // namespace
}  // namespace airlock::config
