// The engine delivering to real loopback receivers: webhook (Beast HTTP
// server), syslog over UDP and TCP, and JSONL files.
#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "airlock/alerts/engine.h"
#include "airlock/core/bytes.h"
#include "receivers.h"
#include "test_util.h"

namespace airlock::alerts {
namespace {

using namespace testing;  // NOLINT
using nlohmann::json;

std::string FreshDir(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "airlock_alerts_" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::unique_ptr<Engine> MakeEngine(const std::string& yaml, Clock clock = {}) {
  EngineOptions o;
  o.clock = std::move(clock);
  auto e = Engine::Create(Alerts(yaml), Key(), std::move(o));
  if (!e.ok()) throw std::runtime_error(e.status().message());
  return std::move(*e);
}

std::string WebhookYaml(unsigned short port, const std::string& dead_letter, unsigned retries,
                        const std::string& backoff, const std::string& extra = "") {
  return "  sinks:\n    - {type: webhook, url: \"http://127.0.0.1:" + std::to_string(port) +
         "/hook\", retries: " + std::to_string(retries) + ", backoff: " + backoff +
         ", timeout: 5s, dead_letter: \"" + dead_letter + "\"" + extra + "}\n";
}

std::string HmacHex(const std::string& key, const std::string& body) {
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

TEST(WebhookSink, PostsTheAlertJsonSignedWithTheSecret) {
  const std::string dir = FreshDir("webhook_signed");
  WebhookReceiver receiver;
  ::setenv("AIRLOCK_TEST_ALERT_SECRET", "s3cret-for-the-soc", 1);
  auto engine = MakeEngine(WebhookYaml(receiver.port(), dir + "/dead.jsonl", 0, "10ms",
                                       ", secret: {env: AIRLOCK_TEST_ALERT_SECRET}"));
  engine->ReportLockdown(true, "admin");
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(20)));
  const auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  const ReceivedRequest& r = got[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook");
  EXPECT_EQ(r.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(r.headers.at("X-Airlock-Signature"), "sha256=" + HmacHex("s3cret-for-the-soc", r.body));
  EXPECT_NE(r.headers.at("X-Airlock-Signature"), "sha256=" + HmacHex("another secret", r.body));
  const json body = json::parse(r.body);
  EXPECT_EQ(body["type"], "lockdown");
  EXPECT_EQ(body["severity"], "high");
  EXPECT_EQ(body["detail"], "lockdown_on");
  EXPECT_EQ(body["id"], r.headers.at("X-Airlock-Alert-Id"));
  EXPECT_EQ(r.body.find("s3cret"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir + "/dead.jsonl"));
  EXPECT_EQ(engine->stats().delivered, 1u);
}

TEST(WebhookSink, NoSignatureWithoutASecret) {
  const std::string dir = FreshDir("webhook_unsigned");
  WebhookReceiver receiver;
  auto engine = MakeEngine(WebhookYaml(receiver.port(), dir + "/dead.jsonl", 0, "10ms"));
  engine->ReportLockdown(false, "admin");
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(20)));
  const auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].headers.count("X-Airlock-Signature"), 0u);
}

TEST(WebhookSink, ReceiverDownThenUpLosesNothing) {
  const std::string dir = FreshDir("webhook_down_up");
  const unsigned short port = FreePort();  // connection refused for now
  auto engine = MakeEngine(WebhookYaml(port, dir + "/dead.jsonl", 10, "100ms"));
  engine->ReportLockdown(true, "admin");
  engine->ReportLockdown(false, "admin");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // a few refused attempts
  WebhookReceiver receiver(port);
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(60)));
  const auto got = receiver.requests();
  const auto dead = Lines(dir + "/dead.jsonl");
  // Nothing lost: every alert was delivered after a retry or dead-lettered.
  EXPECT_EQ(got.size() + dead.size(), 2u);
  ASSERT_EQ(got.size(), 2u) << "10 retries are plenty once the receiver is up";
  EXPECT_EQ(json::parse(got[0].body)["detail"], "lockdown_on");
  EXPECT_EQ(json::parse(got[1].body)["detail"], "lockdown_off");
  EXPECT_EQ(engine->stats().delivered, 2u);
}

TEST(WebhookSink, AfterTheLastRetryTheAlertGoesToTheDeadLetterFile) {
  const std::string dir = FreshDir("webhook_dead");
  auto engine = MakeEngine(WebhookYaml(FreePort(), dir + "/sub/dead.jsonl", 2, "10ms"));
  engine->ReportLockdown(true, "admin");
  engine->ReportChainFailure({"gw-1", 9}, "modified");
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(20)));
  const auto dead = Lines(dir + "/sub/dead.jsonl");
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(json::parse(dead[0])["type"], "lockdown");
  EXPECT_EQ(json::parse(dead[1])["type"], "chain_failure");
  EXPECT_EQ(json::parse(dead[1])["events"], json::array({"gw-1:9"}));
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/sub/dead.jsonl").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto s = engine->stats();
  EXPECT_EQ(s.dead_lettered, 2u);
  EXPECT_EQ(s.delivered, 0u);
}

TEST(WebhookSink, ShutdownDeadLettersWhatIsStillQueuedOrRetrying) {
  const std::string dir = FreshDir("webhook_shutdown");
  auto engine = MakeEngine(WebhookYaml(FreePort(), dir + "/dead.jsonl", 10, "1h"));
  for (int i = 0; i < 3; ++i) engine->ReportChainFailure({"gw-" + std::to_string(i), 1}, "deleted");
  engine->Shutdown();  // wakes the worker out of its one-hour backoff
  const auto dead = Lines(dir + "/dead.jsonl");
  ASSERT_EQ(dead.size(), 3u);
  std::vector<std::string> keys;
  for (const auto& l : dead) keys.push_back(json::parse(l)["key"]);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"instance:gw-0", "instance:gw-1", "instance:gw-2"}));
  EXPECT_EQ(engine->stats().dead_lettered, 3u);
}

TEST(WebhookSink, AnErrorStatusIsNotADelivery) {
  const std::string dir = FreshDir("webhook_503");
  WebhookReceiver receiver(0, 503);
  auto engine = MakeEngine(WebhookYaml(receiver.port(), dir + "/dead.jsonl", 1, "10ms"));
  engine->ReportLockdown(true, "admin");
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(20)));
  EXPECT_EQ(receiver.requests().size(), 2u) << "the first attempt and one retry";
  EXPECT_EQ(Lines(dir + "/dead.jsonl").size(), 1u);
}

TEST(WebhookSink, HttpsWithTheReceiversCaBundleDelivers) {
  const std::string dir = FreshDir("webhook_tls_ok");
  const TestCertificate cert = MakeLoopbackCertificate();
  std::ofstream(dir + "/ca.pem") << cert.cert_pem;
  auto tls = ServerTls(cert);
  WebhookReceiver receiver(0, 200, tls.get());
  std::string yaml = WebhookYaml(receiver.port(), dir + "/dead.jsonl", 0, "10ms",
                                 ", ca_bundle: \"" + dir + "/ca.pem\"");
  yaml.replace(yaml.find("http://"), 7, "https://");
  auto engine = MakeEngine(yaml);
  engine->ReportLockdown(true, "admin");
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(20)));
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(json::parse(receiver.requests()[0].body)["type"], "lockdown");
  EXPECT_FALSE(std::filesystem::exists(dir + "/dead.jsonl"));
}

TEST(WebhookSink, HttpsRefusesACertificateItCannotVerify) {
  // The same receiver, but the client trusts only the system store: the
  // handshake fails, nothing is sent, and the alert is dead-lettered.
  const std::string dir = FreshDir("webhook_tls_bad");
  auto tls = ServerTls(MakeLoopbackCertificate());
  WebhookReceiver receiver(0, 200, tls.get());
  std::string yaml = WebhookYaml(receiver.port(), dir + "/dead.jsonl", 0, "10ms");
  yaml.replace(yaml.find("http://"), 7, "https://");
  auto engine = MakeEngine(yaml);
  engine->ReportLockdown(true, "admin");
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(20)));
  EXPECT_TRUE(receiver.requests().empty());
  EXPECT_EQ(Lines(dir + "/dead.jsonl").size(), 1u);
}

void ExpectRfc5424(const std::string& text, int pri, const std::string& msgid, json* body) {
  auto m = ParseRfc5424(text);
  ASSERT_TRUE(m.has_value()) << text;
  EXPECT_EQ(m->pri, pri);
  EXPECT_EQ(m->version, "1");
  EXPECT_TRUE(
      std::regex_match(m->timestamp, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")))
      << m->timestamp;
  EXPECT_NE(m->hostname, "");
  EXPECT_EQ(m->app_name, "airlock-test");
  EXPECT_EQ(m->procid, std::to_string(::getpid()));
  EXPECT_EQ(m->msgid, msgid);
  EXPECT_EQ(m->structured_data.rfind("[airlock@32473 id=\"", 0), 0u) << m->structured_data;
  EXPECT_NE(m->structured_data.find(" rule=\"" + msgid + "\""), std::string::npos)
      << m->structured_data;
  *body = json::parse(m->msg);
  EXPECT_NE(m->structured_data.find("id=\"" + body->at("id").get<std::string>() + "\""),
            std::string::npos);
}

TEST(SyslogSink, Rfc5424OverUdp) {
  LoopbackSocket server(SOCK_DGRAM);
  auto engine = MakeEngine(
      "  rules:\n    - {name: chain, type: chain_failure}\n"
      "  sinks:\n    - {type: syslog, transport: udp, address: \"127.0.0.1:" +
      std::to_string(server.port()) + "\", app_name: airlock-test}\n");
  engine->ReportChainFailure({"gw-1", 5}, "modified");
  const std::string datagram = server.ReceiveDatagram();
  json body;
  ExpectRfc5424(datagram, 16 * 8 + 2, "chain", &body);  // local0, critical
  EXPECT_EQ(body["type"], "chain_failure");
  EXPECT_EQ(body["detail"], "modified");
}

TEST(SyslogSink, Rfc5424OverTcpWithOctetCounting) {
  LoopbackSocket server(SOCK_STREAM);
  auto engine = MakeEngine(
      "  sinks:\n    - {type: syslog, transport: tcp, facility: 13, address: \"127.0.0.1:" +
      std::to_string(server.port()) + "\", app_name: airlock-test}\n");
  engine->ReportLockdown(true, "admin");
  engine->ReportLockdown(false, "admin");
  const auto frames = server.ReceiveFrames(2);
  ASSERT_TRUE(frames.has_value()) << "two octet-counted frames";
  json on, off;
  ExpectRfc5424((*frames)[0], 13 * 8 + 3, "lockdown", &on);  // log audit, high -> err
  ExpectRfc5424((*frames)[1], 13 * 8 + 3, "lockdown", &off);
  EXPECT_EQ(on["detail"], "lockdown_on");
  EXPECT_EQ(off["detail"], "lockdown_off");
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(20)));
  EXPECT_EQ(engine->stats().delivered, 2u);
}

TEST(JsonlSink, AppendsOneAlertPerLineWithoutCanaryValues) {
  const std::string dir = FreshDir("jsonl");
  std::int64_t now = kMonday10;
  auto engine = MakeEngine(R"(
  rules:
    - {name: blocked-burst, type: threshold, severity: high, metric: blocked_requests, window: 5m, count: 3}
    - {name: canary, type: canary}
  canaries:
    - {entity_type: EMAIL_ADDRESS, value: "canary.jones@example.org"}
  sinks:
    - {type: jsonl, path: ")" + dir +
                               R"(/alerts.jsonl"}
)",
                           [&now] { return now; });
  for (std::uint64_t i = 1; i <= 5; ++i) {
    engine->Observe(Blocked("alice"), Id(i));
    now += kSecond;
  }
  auto leak = Request("mallory");
  leak.fingerprints = {audit::FingerprintValue(Key(), "EMAIL_ADDRESS", "Canary.Jones@EXAMPLE.org")};
  engine->Observe(leak, Id(6));
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(20)));
  engine->Shutdown();
  const auto lines = Lines(dir + "/alerts.jsonl");
  ASSERT_EQ(lines.size(), 2u) << "one burst alert (cool-down), one canary alert";
  const json burst = json::parse(lines[0]), canary = json::parse(lines[1]);
  EXPECT_EQ(burst["rule"], "blocked-burst");
  EXPECT_EQ(burst["count"], 3);
  EXPECT_EQ(burst["time_us"], kMonday10 + 2 * kSecond);
  EXPECT_EQ(burst["time"], "2026-11-30T10:00:02.000000Z");
  EXPECT_EQ(burst["events"], json::array({"gw-1:1", "gw-1:2", "gw-1:3"}));
  EXPECT_EQ(canary["rule"], "canary");
  EXPECT_EQ(canary["severity"], "critical");
  EXPECT_EQ(canary["principal"], "mallory");
  EXPECT_EQ(canary["fingerprints"][0]["entity_type"], "EMAIL_ADDRESS");
  EXPECT_EQ(canary["fingerprints"][0]["hmac"].get<std::string>().size(), 64u);
  std::ifstream in(dir + "/alerts.jsonl");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::transform(all.begin(), all.end(), all.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(all.find("jones"), std::string::npos);
  EXPECT_EQ(engine->stats().raised, 2u);
  EXPECT_EQ(engine->stats().delivered, 2u);
}

TEST(Engine, BadSinkConfigIsAnError) {
  auto cfg = Alerts(
      "  sinks:\n    - {type: webhook, url: \"https://soc.example/hook\", secret: {env: "
      "AIRLOCK_TEST_UNSET_VAR}}\n");
  ::unsetenv("AIRLOCK_TEST_UNSET_VAR");
  auto e = Engine::Create(cfg, Key());
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("test.yaml:3"), std::string::npos) << e.status().message();
  EXPECT_NE(e.status().message().find("AIRLOCK_TEST_UNSET_VAR"), std::string::npos)
      << e.status().message();
}

}  // namespace
}  // namespace airlock::alerts

namespace airlock::alerts {
namespace {

using namespace testing;  // NOLINT

TEST(Engine, AFullQueueSpillsToTheDeadLetterWithoutWaiting) {
  // The receiver is down and the first alert sits in a one-hour backoff:
  // the queue (one slot) fills and the rest go straight to the dead letter.
  const std::string dir = FreshDir("overflow");
  auto engine =
      MakeEngine("  queue_size: 1\n" + WebhookYaml(FreePort(), dir + "/dead.jsonl", 3, "1h"));
  for (int i = 0; i < 20; ++i)
    engine->ReportChainFailure({"gw-" + std::to_string(i), 1}, "deleted");
  engine->Shutdown();
  const auto dead = Lines(dir + "/dead.jsonl");
  EXPECT_EQ(dead.size(), 20u) << "every alert is in the dead letter, none lost";
  const auto s = engine->stats();
  EXPECT_EQ(s.raised, 20u);
  EXPECT_EQ(s.dead_lettered, 20u);
  EXPECT_EQ(s.lost, 0u);
}

TEST(Engine, ConcurrentObserversShareTheWindows) {
  const std::string dir = FreshDir("concurrent");
  auto engine = MakeEngine(R"(
  rules:
    - {name: global-blocks, type: threshold, metric: blocked_requests, per: global, window: 1h, count: 2000, cooldown: 1h}
  sinks:
    - {type: jsonl, path: ")" +
                           dir + R"(/alerts.jsonl"}
)");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&engine, t] {
      for (std::uint64_t i = 0; i < 500; ++i)
        engine->Observe(Blocked("user" + std::to_string(t)), Id(t * 1000 + i));
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(engine->Flush(std::chrono::seconds(20)));
  const auto lines = Lines(dir + "/alerts.jsonl");
  ASSERT_EQ(lines.size(), 1u) << "the 2000th blocked request, from any thread, fires once";
  EXPECT_EQ(json::parse(lines[0])["count"], 2000);
}

}  // namespace
}  // namespace airlock::alerts
