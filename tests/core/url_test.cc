// ParseHttpUrl: the one parser of http(s) URLs (backends, webhooks, probes).
#include "airlock/core/url.h"

#include <gtest/gtest.h>

namespace airlock {
namespace {

TEST(ParseHttpUrl, SchemesHostsPortsAndPaths) {
  HttpUrl u;
  ASSERT_TRUE(ParseHttpUrl("https://api.example.com/v1/", &u).ok());
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "api.example.com");
  EXPECT_EQ(u.port, "443");
  EXPECT_EQ(u.path, "/v1/");
  ASSERT_TRUE(ParseHttpUrl("http://127.0.0.1:8080", &u).ok());
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, "8080");
  EXPECT_EQ(u.path, "");
  ASSERT_TRUE(ParseHttpUrl("http://[::1]:9/hook", &u).ok());
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, "9");
  EXPECT_EQ(u.path, "/hook");
  ASSERT_TRUE(ParseHttpUrl("https://[fe80::1]", &u).ok());
  EXPECT_EQ(u.host, "fe80::1");
  EXPECT_EQ(u.port, "443");
}

TEST(ParseHttpUrl, BadUrlsSayWhatIsWrong) {
  HttpUrl u;
  EXPECT_NE(ParseHttpUrl("ftp://x", &u).message().find("https:// or http://"), std::string::npos);
  EXPECT_NE(ParseHttpUrl("https:///path", &u).message().find("no host"), std::string::npos);
  EXPECT_NE(ParseHttpUrl("https://[::1/x", &u).message().find("IPv6"), std::string::npos);
  EXPECT_NE(ParseHttpUrl("https://[::1]x", &u).message().find("after the IPv6"), std::string::npos);
  EXPECT_NE(ParseHttpUrl("http://h:99999", &u).message().find("port"), std::string::npos);
  EXPECT_NE(ParseHttpUrl("http://h:8o", &u).message().find("port"), std::string::npos);
  // The URL itself (it may carry a token) is never quoted.
  const Status bad = ParseHttpUrl("http://secret-token@host:bad", &u);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.message().find("secret-token"),
            std::string::npos);
}

}  // namespace
}  // namespace airlock
