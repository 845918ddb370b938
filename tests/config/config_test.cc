#include "airlock/config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace airlock::config {
namespace {

TEST(ConfigTest, DefaultIsLoopbackLocalOnly) {
  auto cfg = Default();
  EXPECT_EQ(cfg->server.host, "127.0.0.1");
  ASSERT_EQ(cfg->backends.size(), 1u);
  EXPECT_EQ(cfg->backends[0].type, "local");
  EXPECT_EQ(cfg->backends[0].jurisdiction, "local");
  ASSERT_NE(cfg->FindWorkflow("default"), nullptr);
  EXPECT_EQ(cfg->store_path, "var/airlock.db");
}

TEST(ConfigTest, FullExampleParses) {
  auto cfg = Parse(R"(
server: {listen: "[::1]:9000", max_body_bytes: 2048}
backends:
  - {name: eu, type: remote, url: "https://api.example.eu/v1", jurisdiction: DE, certifications: [dpf],
     api_key: {env: EU_KEY}, contract: {dpa: D-1, no_training: true}}
  - {name: local, type: local}
workflows:
  - name: crm
    roles: [sales]
    backends: [eu, local]
    reroute: true
    data_classes: {personal: pseudonymise, credential: block}
    output: block
    minimise: {max_document_bytes: 100, objects: {Contact: {keep: [Name]}}}
)", "t.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  const auto& c = **cfg;
  EXPECT_EQ(c.server.host, "::1");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.backends[0].api_key.env, "EU_KEY");
  EXPECT_TRUE(c.backends[0].tls_verify);
  const auto* w = c.FindWorkflow("crm");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->reroute);
  EXPECT_EQ(w->actions.at("personal"), Action::kPseudonymise);
  EXPECT_EQ(w->default_action, Action::kBlock);  // deny by default
  EXPECT_EQ(w->output, OutputAction::kBlock);
  EXPECT_EQ(w->minimise.objects.at("Contact").keep, std::vector<std::string>{"Name"});
}

struct BadCase {
  const char* yaml;
  const char* want;  // substring of the error, which starts with file:line
};

TEST(ConfigTest, ErrorsNameFileAndLine) {
  const BadCase cases[] = {
      {"server:\n  lisen: x\n", "t.yaml:2: unknown key 'lisen'"},
      {"backends:\n  - {name: a, type: remote, url: ftp://x, jurisdiction: DE}\n", "t.yaml:2:"},
      {"backends:\n  - {name: a, type: remote, url: 'https://x', jurisdiction: germany}\n", "jurisdiction must be"},
      {"backends:\n  - {name: a, type: local}\nworkflows:\n  - {name: w, roles: [r], backends: [b]}\n",
       "t.yaml:4: workflow 'w' names unknown backend 'b'"},
      {"backends:\n  - {name: a, type: local}\nworkflows:\n  - {name: w, backends: [a]}\n", "needs roles"},
      {"backends:\n  - {name: a, type: local}\nworkflows:\n  - {name: w, roles: [r], backends: [a], data_classes: {personal: shred}}\n",
       "action must be"},
      {"backends:\n  - {name: a, type: local}\nworkflows:\n  - {name: w, roles: [r], backends: [a], data_classes: {secrets: allow}}\n",
       "unknown data class 'secrets'"},
      {"server: {listen: nohost}\n", "HOST:PORT"},
      {"server: [unclosed\n", "t.yaml:"},
      {"backends:\n  - {name: a, type: local}\n  - {name: a, type: local}\n", "duplicate backend name 'a'"},
  };
  for (const auto& c : cases) {
    auto cfg = Parse(c.yaml, "t.yaml");
    ASSERT_FALSE(cfg.ok()) << c.yaml;
    EXPECT_NE(cfg.status().message().find(c.want), std::string::npos) << cfg.status().message();
  }
}

TEST(ConfigTest, ListenAddresses) {
  std::string h;
  uint16_t p = 0;
  EXPECT_TRUE(ParseListen("127.0.0.1:0", &h, &p).ok());
  EXPECT_EQ(p, 0);
  EXPECT_TRUE(ParseListen("[::1]:443", &h, &p).ok());
  EXPECT_EQ(h, "::1");
  EXPECT_FALSE(ParseListen("127.0.0.1:99999", &h, &p).ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:", &h, &p).ok());
}

TEST(ConfigTest, SecretsFromEnvironmentAndFile) {
  setenv("AIRLOCK_TEST_SECRET", "s3cret", 1);
  auto v = ResolveSecret({"AIRLOCK_TEST_SECRET", ""});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "s3cret");
  auto missing = ResolveSecret({"AIRLOCK_TEST_NOT_SET_XYZ", ""});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("AIRLOCK_TEST_NOT_SET_XYZ"), std::string::npos);
  EXPECT_FALSE(ResolveSecret({"", "/nonexistent/secret"}).ok());
}

}  // namespace
}  // namespace airlock::config
