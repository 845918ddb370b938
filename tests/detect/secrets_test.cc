// Credential detectors (data/detectors/secrets.yaml, validators/secrets.cc).
// Every credential below is fake: made up for the test, of the right shape.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "airlock/detect/validators.h"

namespace airlock::detect {
namespace {

bool Valid(std::string_view validator, std::string_view candidate) {
  ValidatorFn fn = FindValidator(validator);
  EXPECT_NE(fn, nullptr) << validator;
  if (fn == nullptr) return false;
  return fn(candidate, ValidationContext{}).valid;
}

TEST(SecretValidators, AreRegistered) {
  for (const char* name :
       {"provider_token", "aws_key_id", "aws_secret", "jwt", "private_key", "secret_assignment",
        "url_credentials", "auth_header", "curl_user", "connection_string_key"}) {
    EXPECT_NE(FindValidator(name), nullptr) << name;
  }
}

TEST(SecretValidators, ProviderTokensRejectPlaceholders) {
  EXPECT_TRUE(Valid("provider_token", "ghp_R8dk2LmQ9vXz4TbN7wPq1sYc6HfJ3gUaE5oK"));
  EXPECT_FALSE(Valid("provider_token", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
  EXPECT_FALSE(Valid("provider_token", "glpat-XXXXXXXXXXX-XXXXXXXX"));
  EXPECT_TRUE(Valid("aws_key_id", "AKIAZ7QK3MP5RW2TLX6N"));
  EXPECT_FALSE(Valid("aws_key_id", "AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(Valid("aws_key_id", "AKIAXXXXXXXXXXXXXXXX"));
}

TEST(SecretValidators, JwtHeaderMustNameAlg) {
  // {"alg":"HS256","typ":"JWT"} . {"sub":"42"} . sig
  EXPECT_TRUE(Valid("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl"));
  // {"typ":"JWT"} has no alg.
  EXPECT_FALSE(Valid("jwt", "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl"));
  EXPECT_FALSE(Valid("jwt", "eyJhbGciOi!!.eyJzdWIiOiI0MiJ9.c2ln"));
}

TEST(SecretValidators, SecretAssignmentUsesEntropyAndStopList) {
  EXPECT_TRUE(Valid("secret_assignment", "password = \"Tq8#vLm2Zx\""));
  EXPECT_TRUE(Valid("secret_assignment", "api_token: 7f3kQ9zR2mXw8vLp4TnB"));
  EXPECT_FALSE(Valid("secret_assignment", "password=changeme "));
  EXPECT_FALSE(Valid("secret_assignment", "password: <your password>"));
  EXPECT_FALSE(Valid("secret_assignment", "token = ${API_TOKEN}"));
  EXPECT_FALSE(Valid("secret_assignment", "secret_length = 32"));
  EXPECT_FALSE(Valid("secret_assignment", "api_key=xxxxxxxxxxxxxxxxxxxx"));
  EXPECT_FALSE(Valid("secret_assignment", "token_url = 'https://example.org/token'"));
}

TEST(SecretValidators, UrlCredentialsRejectPlaceholderPasswords) {
  EXPECT_TRUE(Valid("url_credentials", "://crm:Vq7pL2xN9s@db.internal"));
  EXPECT_FALSE(Valid("url_credentials", "://user:password@localhost"));
  EXPECT_FALSE(Valid("url_credentials", "://user:${DB_PASSWORD}@localhost"));
}

class SecretsCatalog : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto catalog =
        Catalog::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/secrets.yaml");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    auto analyzer = Analyzer::Create(std::move(*catalog), AnalyzerOptions{});
    ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
    analyzer_ = std::move(*analyzer);
  }
  static void TearDownTestSuite() { analyzer_.reset(); }

  // The detector ids found in `text`, comma-separated.
  static std::string Found(std::string_view text) {
    auto found = analyzer_->Analyze(text);
    EXPECT_TRUE(found.ok());
    std::string ids;
    if (!found.ok()) return ids;
    for (const auto& f : *found) {
      EXPECT_EQ(f.data_class, DataClass::kCredential);
      EXPECT_EQ(f.explanation.find(text.substr(f.span.begin, f.span.size())), std::string::npos);
      ids += (ids.empty() ? "" : ",") + f.detector;
    }
    return ids;
  }

  static std::shared_ptr<const Analyzer> analyzer_;
};
std::shared_ptr<const Analyzer> SecretsCatalog::analyzer_;

TEST_F(SecretsCatalog, FindsEachFamily) {
  EXPECT_EQ(Found("aws_access_key_id = AKIAZ7QK3MP5RW2TLX6N"), "aws_access_key_id");
  EXPECT_EQ(Found("aws_secret_access_key = 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"),
            "aws_secret_access_key");
  EXPECT_EQ(Found("key: AIzaSyQ3mX9vLp7TnB8wYc3HfJ6gUaE1oKs5Dd0"), "gcp_api_key");
  EXPECT_EQ(Found("{\"type\": \"service_account\", \"project_id\": \"p\"}"), "gcp_service_account");
  EXPECT_EQ(Found("AccountName=acme;AccountKey=" + std::string("Zk4qR9mX2vLp7TnB8wYc3HfJ6gUaE1oK") +
                  "s5Dd0Qe7Xr2Vb9Nm4Lq8Wt6Yh3Gf1Jd5Ks0Pz7Cx4Bv2Nm9Lq6Wt3Y==;"),
            "azure_storage_connection_string");
  EXPECT_EQ(Found("client_secret=Ab38Q~Zk4qR9mX2vLp7TnB8wYc3HfJ6gUaE1oKs"),
            "azure_ad_client_secret");
  EXPECT_EQ(Found("GITHUB_TOKEN ghp_R8dk2LmQ9vXz4TbN7wPq1sYc6HfJ3gUaE5oK"), "github_token");
  EXPECT_EQ(Found("glpat-Zk4qR9mX2vLp7TnB8wYc"), "gitlab_token");
  EXPECT_EQ(Found("ATBBZk4qR9mX2vLp7TnB8wYc3HfJ6gUaE1oK"), "bitbucket_atlassian_token");
  EXPECT_EQ(Found("xoxb-482039175620-3917502846193-Zk4qR9mX2vLp7TnB8wYc3HfJ"), "slack_token");
  EXPECT_EQ(Found("https://hooks.slack.com/services/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"),
            "slack_webhook");
  EXPECT_EQ(Found("sk_live_Zk4qR9mX2vLp7TnB8wYc3HfJ6gUa"), "stripe_key");
  EXPECT_EQ(Found("twilio api key SK8f3a92c47d1e5b60a9c2f4e8d7b1a3c5"), "twilio_api_key");
  EXPECT_EQ(Found("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"),
            "sendgrid_api_key");
  EXPECT_EQ(Found("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"), "openai_api_key");
  EXPECT_EQ(
      Found("sk-ant-api03-" + std::string("Zk4qR9mX2vLp7TnB8wYc3HfJ6gUaE1oKs5Dd0Qe7Xr2Vb9Nm4Lq") +
            "8Wt6Yh3Gf1Jd5Ks0Pz7Cx4Bv2Nm9Lq6Wt3Yh8Gf5JdAA"),
      "anthropic_api_key");
  EXPECT_EQ(
      Found("00D5g000004XyZa!AQ4AQFz7Kx9mT2vLp7TnB8wYc3HfJ6gUaE1oKs5Dd0Qe7Xr2Vb9Nm4Lq8Wt6Yh3Gf1"
            "Jd5Ks0Pz7Cx4Bv2Nm9Lq6Wt3Yh8.Gf5Jd1Kr"),
      "salesforce_session_id");
  EXPECT_EQ(
      Found("-----BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEAzk4qR9mX2vLp7TnB8wYc3HfJ6gUa\n"
            "E1oKs5Dd0Qe7Xr2Vb9Nm4Lq8Wt6Yh3Gf1Jd5Ks0Pz7Cx4Bv2=\n-----END RSA PRIVATE KEY-----"),
      "private_key");
  EXPECT_EQ(Found("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"
                  "Zk4qR9mX2vLp7TnB8wYc3HfJ6gUa\n-----END OPENSSH PRIVATE KEY-----"),
            "private_key");
  EXPECT_EQ(Found("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQWGBGSVV4YBDACzk4qR9mX2vLp7TnB8wYc3Hf"
                  "J6gUaE1oKs5Dd0Qe7Xr2\n=8xQN\n-----END PGP PRIVATE KEY BLOCK-----"),
            "private_key");
  EXPECT_EQ(
      Found("token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.Zk4qR9mX2vLp7TnB8wYc"),
      "jwt");
  EXPECT_EQ(Found("DATABASE_URL=postgres://crm:Vq7pL2xN9s@db.internal:5432/crm"),
            "url_credentials");
  EXPECT_EQ(Found("amqp://svc:Zk4qR9mX2v@broker.local/vhost"), "url_credentials");
  EXPECT_EQ(Found("-H \"Authorization: Bearer Zk4qR9mX2vLp7TnB8wYc3HfJ\""), "auth_header");
  EXPECT_EQ(Found("curl -u deploy:Zk4qR9mX2vLp https://example.org/"), "curl_basic_auth");
  EXPECT_EQ(Found("db_password = \"Tq8#vLm2Zx\"\n"), "secret_assignment");
  EXPECT_EQ(Found("client_secret: 7f3kQ9zR2mXw8vLp4TnB\n"), "secret_assignment");
}

TEST_F(SecretsCatalog, IgnoresPlaceholdersAndDocumentation) {
  EXPECT_EQ(Found("aws_access_key_id = AKIAIOSFODNN7EXAMPLE"), "");
  EXPECT_EQ(Found("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "");
  EXPECT_EQ(Found("glpat-XXXXXXXXXXX-XXXXXXXX"), "");
  EXPECT_EQ(Found("xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx"), "");
  EXPECT_EQ(Found("sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"), "");
  EXPECT_EQ(Found("SK8f3a92c47d1e5b60a9c2f4e8d7b1a3c5"), "");  // no Twilio word
  EXPECT_EQ(Found("-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----"), "");
  EXPECT_EQ(Found("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl"), "");  // no alg
  EXPECT_EQ(Found("postgres://user:password@localhost/db"), "");
  EXPECT_EQ(Found("mysql://root:${MYSQL_PASSWORD}@db/app"), "");
  EXPECT_EQ(Found("Authorization: Bearer <your token>"), "");
  EXPECT_EQ(Found("curl -u $USER:$PASSWORD https://example.org/"), "");
  EXPECT_EQ(Found("Set password=changeme in the config file."), "");
  EXPECT_EQ(Found("password: <your password here>"), "");
  EXPECT_EQ(Found("secret_length = 32"), "");
  EXPECT_EQ(Found("API_TOKEN=${API_TOKEN}"), "");
}

// gitleaks examples: recall and false positives, as a floor that catches
// regressions (bench/eval/gitleaks.cc reports the per-rule table).
TEST_F(SecretsCatalog, GitleaksExamplesFloor) {
  std::ifstream in(std::string(AIRLOCK_DATASETS_DIR) + "/gitleaks-examples/examples.jsonl");
  if (!in) GTEST_SKIP() << "gitleaks-examples not available";
  int tp = 0, fn = 0, fp = 0, tn = 0;
  std::string line;
  while (std::getline(in, line)) {
    auto r = nlohmann::json::parse(line);
    const bool secret = r["secret"].get<bool>();
    auto found = analyzer_->Analyze(r["text"].get<std::string>());
    ASSERT_TRUE(found.ok());
    const bool hit = !found->empty();
    if (secret) {
      (hit ? tp : fn)++;
    } else {
      (hit ? fp : tn)++;
    }
  }
  ASSERT_GT(tp + fn, 0);
  EXPECT_GE(static_cast<double>(tp) / (tp + fn), 0.75);
  EXPECT_LE(static_cast<double>(fp) / (fp + tn), 0.15);
}

}  // namespace
}  // namespace airlock::detect
