#include "airlock/metrics/gateway_metrics.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <random>
#include <thread>
#include <tuple>

#include "exposition_testing.h"

namespace airlock::metrics {
namespace {

using audit::Decision;
using audit::Event;
using audit::EventKind;
using audit::Reason;
using testing::ExpectWellFormed;
using testing::LabelValues;
using testing::Sample;

const audit::EventId kId{"gw-1", 1};
const std::string kKey(32, 'k');

std::unique_ptr<GatewayMetrics> Make(GatewayMetricsOptions o = {}) {
  auto m = GatewayMetrics::Create(std::move(o));
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? std::move(*m) : nullptr;
}

Event Request(std::string workflow, std::string backend, Decision d, std::string principal = "alice") {
  Event e;
  e.kind = EventKind::kRequest;
  e.request_id = "req-1";
  e.workflow = std::move(workflow);
  e.backend = std::move(backend);
  e.decision = d;
  e.principal = std::move(principal);
  return e;
}

Event Completion(std::string workflow, std::string backend, std::uint64_t latency_us) {
  Event e = Request(std::move(workflow), std::move(backend), Decision::kAllow);
  e.kind = EventKind::kCompletion;
  e.latency_us = latency_us;
  return e;
}

std::string Series(const std::string& name,
                   std::initializer_list<std::pair<const char*, std::string>> labels) {
  std::string s = name + "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    s += (first ? "" : ",") + std::string(k) + "=\"" + v + "\"";
    first = false;
  }
  return s + "}";
}

std::uint64_t Value(const std::string& text, const std::string& series) {
  auto v = Sample(text, series);
  return v ? std::stoull(*v) : 0;
}

// The test's own HMAC (not the library's) of a principal id.
std::string ExpectedHash(const std::string& key, const std::string& principal) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(principal.data()), principal.size(), mac, &len);
  char hex[65];
  for (unsigned i = 0; i < len; ++i) std::snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  return std::string(hex, 16);
}

TEST(GatewayMetricsTest, CountsRequestsByWorkflowBackendDecision) {
  auto m = Make();
  const std::vector<std::string> workflows = {"crm", "hr", "support"};
  const std::vector<std::string> backends = {"eu", "local", ""};
  const std::vector<Decision> decisions = {Decision::kAllow, Decision::kRedact, Decision::kBlock,
                                           Decision::kRouteLocal};
  std::mt19937 rng(42);
  std::map<std::tuple<std::string, std::string, Decision>, std::uint64_t> want;
  std::map<std::pair<std::string, std::string>, std::uint64_t> want_blocked;
  for (int i = 0; i < 400; ++i) {
    Event e = Request(workflows[rng() % 3], backends[rng() % 3], decisions[rng() % 4]);
    if (e.decision == Decision::kBlock) {
      e.reasons = {rng() % 2 ? Reason::kDataClassNotAllowed : Reason::kRateLimited, Reason::kLockdown};
      ++want_blocked[{e.workflow, std::string(audit::ReasonName(e.reasons[0]))}];
    }
    ++want[{e.workflow, e.backend, e.decision}];
    m->Observe(e, kId);
  }
  const std::string text = m->Render();
  ExpectWellFormed(text);
  for (const auto& [k, n] : want) {
    const auto& [w, b, d] = k;
    EXPECT_EQ(Value(text, Series("airlock_requests_total", {{"workflow", w}, {"backend", b},
                                                             {"decision", std::string(audit::DecisionName(d))}})),
              n);
  }
  for (const auto& [k, n] : want_blocked)
    EXPECT_EQ(Value(text, Series("airlock_blocked_total", {{"workflow", k.first}, {"reason", k.second}})), n);
  EXPECT_EQ(Value(text, Series("airlock_events_total", {{"kind", "request"}})), 400u);
  EXPECT_FALSE(text.find("reason=\"lockdown\"") != std::string::npos);  // only the first reason counts
}

TEST(GatewayMetricsTest, CountsFindingsByDirection) {
  auto m = Make();
  Event req = Request("crm", "eu", Decision::kRedact);
  req.findings = {{"IBAN_CODE", "financial", 2}, {"EMAIL_ADDRESS", "contact", 1}};
  Event done = Completion("crm", "eu", 1000);
  done.findings = {{"EMAIL_ADDRESS", "contact", 4}};
  for (int i = 0; i < 3; ++i) m->Observe(req, kId);
  m->Observe(done, kId);
  const std::string text = m->Render();
  auto f = [&](const char* dir, const char* type, const char* cls) {
    return Value(text, Series("airlock_findings_total", {{"direction", dir}, {"entity_type", type}, {"data_class", cls}}));
  };
  EXPECT_EQ(f("request", "IBAN_CODE", "financial"), 6u);
  EXPECT_EQ(f("request", "EMAIL_ADDRESS", "contact"), 3u);
  EXPECT_EQ(f("completion", "EMAIL_ADDRESS", "contact"), 4u);
  EXPECT_FALSE(Sample(text, Series("airlock_findings_total", {{"direction", "completion"}, {"entity_type", "IBAN_CODE"}, {"data_class", "financial"}})));
}

TEST(GatewayMetricsTest, CompletionsGiveDurationTokensAndUpstreamErrors) {
  auto m = Make();
  const std::vector<std::uint64_t> latencies_us = {800, 4'000, 120'000, 1'500'000, 45'000'000, 900'000'000};
  std::uint64_t prompt = 0, completion = 0;
  for (std::size_t i = 0; i < latencies_us.size(); ++i) {
    Event e = Completion("crm", "eu", latencies_us[i]);
    e.prompt_tokens = static_cast<std::uint32_t>(10 * (i + 1));
    e.completion_tokens = static_cast<std::uint32_t>(3 * (i + 1));
    prompt += e.prompt_tokens;
    completion += e.completion_tokens;
    m->Observe(e, kId);
  }
  Event failed = Completion("crm", "eu", 30'000'000);
  failed.decision = Decision::kError;
  failed.reasons = {Reason::kTimeout};
  m->Observe(failed, kId);
  Event upstream = Completion("hr", "us", 10);
  upstream.reasons = {Reason::kUpstreamError, Reason::kTimeout};  // one error, not two
  m->Observe(upstream, kId);

  const std::string text = m->Render();
  ExpectWellFormed(text);
  std::vector<double> all;
  for (auto us : latencies_us) all.push_back(static_cast<double>(us) / 1e6);
  all.push_back(30.0);
  // Read the bounds back from the text and check each cumulative count.
  const std::string prefix = "airlock_request_duration_seconds_bucket{workflow=\"crm\",backend=\"eu\",le=\"";
  std::size_t pos = 0, buckets = 0;
  while ((pos = text.find(prefix, pos)) != std::string::npos) {
    pos += prefix.size();
    const std::string le = text.substr(pos, text.find('"', pos) - pos);
    const double bound = le == "+Inf" ? INFINITY : std::stod(le);
    const auto want = std::count_if(all.begin(), all.end(), [&](double v) { return v <= bound; });
    EXPECT_EQ(Value(text, prefix + le + "\"}"), static_cast<std::uint64_t>(want)) << le;
    ++buckets;
  }
  EXPECT_GT(buckets, 5u);
  EXPECT_EQ(Value(text, "airlock_request_duration_seconds_count{workflow=\"crm\",backend=\"eu\"}"), all.size());
  EXPECT_EQ(Value(text, Series("airlock_tokens_total", {{"backend", "eu"}, {"kind", "prompt"}})), prompt);
  EXPECT_EQ(Value(text, Series("airlock_tokens_total", {{"backend", "eu"}, {"kind", "completion"}})), completion);
  EXPECT_EQ(Value(text, Series("airlock_upstream_errors_total", {{"backend", "eu"}})), 1u);
  EXPECT_EQ(Value(text, Series("airlock_upstream_errors_total", {{"backend", "us"}})), 1u);
  EXPECT_EQ(Value(text, Series("airlock_events_total", {{"kind", "completion"}})), all.size() + 1);
}

TEST(GatewayMetricsTest, StageDurationsPerStage) {
  auto m = Make();
  const std::vector<Stage> all = {Stage::kAuth,     Stage::kRequestScan,        Stage::kAuditCommit,
                                  Stage::kUpstream, Stage::kUpstreamFirstChunk, Stage::kResponseScan,
                                  Stage::kStreamHold};
  ASSERT_EQ(all.size(), kStageCount);
  // Every stage has its series from the start, at zero.
  std::string text = m->Render();
  ExpectWellFormed(text);
  for (Stage s : all) {
    const std::string count = Series("airlock_stage_duration_seconds_count", {{"stage", std::string(StageName(s))}});
    ASSERT_TRUE(Sample(text, count).has_value()) << count;
    EXPECT_EQ(Value(text, count), 0u);
  }
  // 300 us and 1.5 ms of audit commit, 40 ms upstream.
  m->ObserveStage(Stage::kAuditCommit, 0.0003);
  m->ObserveStage(Stage::kAuditCommit, 0.0015);
  m->ObserveStage(Stage::kUpstream, 0.04);
  text = m->Render();
  ExpectWellFormed(text);
  // Each cumulative bucket, its bound read back from the text.
  auto check = [&](const std::string& stage, const std::vector<double>& seen) {
    const std::string prefix = "airlock_stage_duration_seconds_bucket{stage=\"" + stage + "\",le=\"";
    std::size_t pos = 0, buckets = 0, sub_ms = 0;
    while ((pos = text.find(prefix, pos)) != std::string::npos) {
      pos += prefix.size();
      const std::string le = text.substr(pos, text.find('"', pos) - pos);
      const double bound = le == "+Inf" ? INFINITY : std::stod(le);
      const auto want = std::count_if(seen.begin(), seen.end(), [&](double v) { return v <= bound; });
      EXPECT_EQ(Value(text, prefix + le + "\"}"), static_cast<std::uint64_t>(want)) << stage << " le=" << le;
      ++buckets;
      if (bound < 0.001) ++sub_ms;
    }
    EXPECT_GE(sub_ms, 4u) << "buckets fine enough below a millisecond";
    EXPECT_GT(buckets, 10u);
  };
  check("audit_commit", {0.0003, 0.0015});
  check("upstream", {0.04});
  EXPECT_EQ(Value(text, Series("airlock_stage_duration_seconds_count", {{"stage", "request_scan"}})), 0u);
  EXPECT_EQ(StageName(Stage::kUpstreamFirstChunk), "upstream_first_chunk");
  EXPECT_EQ(StageName(Stage::kStreamHold), "stream_hold");
}

TEST(GatewayMetricsTest, AuthFailuresAndOtherKinds) {
  auto m = Make();
  Event auth;
  auth.kind = EventKind::kAuth;
  auth.reasons = {Reason::kUnauthenticated};
  for (int i = 0; i < 5; ++i) m->Observe(auth, kId);
  Event admin;
  admin.kind = EventKind::kAdmin;
  admin.reasons = {Reason::kLockdownOn};
  m->Observe(admin, kId);
  const std::string text = m->Render();
  EXPECT_EQ(Sample(text, "airlock_auth_failures_total"), "5");
  EXPECT_EQ(Value(text, Series("airlock_events_total", {{"kind", "auth"}})), 5u);
  EXPECT_EQ(Value(text, Series("airlock_events_total", {{"kind", "admin"}})), 1u);
  EXPECT_EQ(text.find("airlock_requests_total{"), std::string::npos);
}

TEST(GatewayMetricsTest, PrincipalLabelsNoneByDefault) {
  auto m = Make();
  m->Observe(Request("crm", "eu", Decision::kAllow, "alice@example.org"), kId);
  const std::string text = m->Render();
  EXPECT_EQ(text.find("airlock_principal_requests_total"), std::string::npos);
  EXPECT_EQ(text.find("alice"), std::string::npos);
  EXPECT_EQ(text.find(ExpectedHash(kKey, "alice@example.org")), std::string::npos);
}

TEST(GatewayMetricsTest, PrincipalLabelsHashed) {
  GatewayMetricsOptions o;
  o.principal_labels = PrincipalLabels::kHashed;
  o.principal_key = kKey;
  auto m = Make(o);
  for (int i = 0; i < 3; ++i) m->Observe(Request("crm", "eu", Decision::kAllow, "alice@example.org"), kId);
  m->Observe(Request("crm", "eu", Decision::kBlock, "bob"), kId);
  const std::string text = m->Render();
  ExpectWellFormed(text);
  EXPECT_EQ(Value(text, Series("airlock_principal_requests_total", {{"principal", ExpectedHash(kKey, "alice@example.org")}})), 3u);
  EXPECT_EQ(Value(text, Series("airlock_principal_requests_total", {{"principal", ExpectedHash(kKey, "bob")}})), 1u);
  EXPECT_EQ(text.find("alice"), std::string::npos);
  EXPECT_EQ(text.find("\"bob\""), std::string::npos);
  EXPECT_EQ(HashedPrincipalLabel(kKey, "bob"), ExpectedHash(kKey, "bob"));
  EXPECT_NE(HashedPrincipalLabel(std::string(32, 'x'), "bob"), ExpectedHash(kKey, "bob"));  // keyed
}

TEST(GatewayMetricsTest, PrincipalLabelsHashedNeedsAKey) {
  GatewayMetricsOptions o;
  o.principal_labels = PrincipalLabels::kHashed;
  o.principal_key = "short";
  auto m = GatewayMetrics::Create(o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("32 bytes"), std::string::npos);
  const std::string derived = DerivePrincipalLabelKey(std::string(32, 'a'));
  EXPECT_EQ(derived.size(), 32u);
  EXPECT_NE(derived, DerivePrincipalLabelKey(std::string(32, 'b')));
}

TEST(GatewayMetricsTest, PrincipalLabelsClearWithCap) {
  GatewayMetricsOptions o;
  o.principal_labels = PrincipalLabels::kClear;
  o.max_principals = 3;
  auto m = Make(o);
  const std::vector<std::string> principals = {"p0", "p1", "p2", "p3", "p4", "p5"};
  std::uint64_t overflow = 0;
  for (std::size_t i = 0; i < principals.size(); ++i) {
    for (std::size_t n = 0; n <= i; ++n) m->Observe(Request("crm", "eu", Decision::kAllow, principals[i]), kId);
    if (i >= 3) overflow += i + 1;
  }
  m->Observe(Request("crm", "eu", Decision::kAllow, "p1"), kId);  // a known principal stays itself
  const std::string text = m->Render();
  EXPECT_EQ(Value(text, Series("airlock_principal_requests_total", {{"principal", "p0"}})), 1u);
  EXPECT_EQ(Value(text, Series("airlock_principal_requests_total", {{"principal", "p1"}})), 3u);
  EXPECT_EQ(Value(text, Series("airlock_principal_requests_total", {{"principal", "p2"}})), 3u);
  EXPECT_FALSE(Sample(text, Series("airlock_principal_requests_total", {{"principal", "p3"}})));
  EXPECT_EQ(Value(text, Series("airlock_principal_requests_total", {{"principal", "other"}})), overflow);
}

TEST(GatewayMetricsTest, ProbesAndBuildInfo) {
  GatewayMetricsOptions o;
  o.version = "0.1.0";
  auto m = Make(o);
  std::string text = m->Render();
  EXPECT_EQ(Sample(text, Series("airlock_build_info", {{"version", "0.1.0"}})), "1");
  EXPECT_FALSE(Sample(text, "airlock_lockdown"));  // no callback yet: HELP and TYPE only
  EXPECT_NE(text.find("# TYPE airlock_lockdown gauge"), std::string::npos);
  std::atomic<int> in_flight{4};
  bool lockdown = true;
  m->SetProbe(Probe::kInFlightRequests, [&] { return static_cast<double>(in_flight.load()); });
  m->SetProbe(Probe::kLockdown, [&] { return lockdown ? 1.0 : 0.0; });
  m->SetProbe(Probe::kAuditQueueDepth, [] { return 17.0; });
  m->SetProbe(Probe::kLocalQueueDepth, [] { return 2.0; });
  text = m->Render();
  ExpectWellFormed(text);
  EXPECT_EQ(Sample(text, "airlock_in_flight_requests"), "4");
  EXPECT_EQ(Sample(text, "airlock_lockdown"), "1");
  EXPECT_EQ(Sample(text, "airlock_audit_queue_depth"), "17");
  EXPECT_EQ(Sample(text, "airlock_local_queue_depth"), "2");
  lockdown = false;
  in_flight = 0;
  text = m->Render();
  EXPECT_EQ(Sample(text, "airlock_lockdown"), "0");
  EXPECT_EQ(Sample(text, "airlock_in_flight_requests"), "0");
}

// A prompt's text is not in an event, so it cannot reach a label; and the
// labels that do appear are exactly the event's identifier fields and fixed
// enum names, never its request id, instance, fingerprints or anything else.
TEST(GatewayMetricsTest, LabelsComeOnlyFromIdentifierFields) {
  const std::string prompt = "Please wire 5000 EUR from DE89370400440532013000 for Alice Meyer";
  GatewayMetricsOptions o;
  o.principal_labels = PrincipalLabels::kClear;
  o.version = "v-ident-9";
  auto m = Make(o);
  Event e = Request("wf-ident-1", "be-ident-2", Decision::kRedact, "pr-ident-3");
  e.instance = "inst-ident-4";
  e.request_id = "req-ident-5";
  e.findings = {{"ET_IDENT_6", "dc-ident-7", 1}};
  e.fingerprints = {{"ET_IDENT_6", {}}};
  e.fingerprints[0].mac.fill(0xAB);
  e.request_bytes = prompt.size();
  m->Observe(e, audit::EventId{"inst-ident-4", 99});
  Event done = Completion("wf-ident-1", "be-ident-2", 1000);
  done.principal = "pr-ident-3";
  done.request_id = "req-ident-5";
  done.prompt_tokens = 12;
  m->Observe(done, audit::EventId{"inst-ident-4", 100});

  const std::string text = m->Render();
  ExpectWellFormed(text);
  std::set<std::string> allowed = {"wf-ident-1", "be-ident-2", "pr-ident-3", "ET_IDENT_6",
                                   "dc-ident-7", "v-ident-9",  "request",   "completion",
                                   "redact",     "allow",      "prompt",    "other"};
  for (std::size_t i = 0; i < kStageCount; ++i) allowed.insert(std::string(StageName(static_cast<Stage>(i))));
  for (const auto& v : LabelValues(text)) {
    const bool histogram_bound = v == "+Inf" || v.find_first_not_of("0123456789.e+-") == std::string::npos;
    EXPECT_TRUE(allowed.count(v) || histogram_bound) << "unexpected label value " << v;
  }
  for (const char* id : {"wf-ident-1", "be-ident-2", "pr-ident-3", "ET_IDENT_6", "dc-ident-7"})
    EXPECT_TRUE(LabelValues(text).count(id)) << id;
  for (const std::string& never : {std::string("inst-ident-4"), std::string("req-ident-5"),
                                   std::string("abababab"), std::string("DE8937"), std::string("Alice"),
                                   std::string("5000")}) {
    EXPECT_EQ(text.find(never), std::string::npos) << never;
  }
  EXPECT_EQ(text.find(prompt), std::string::npos);
}

TEST(GatewayMetricsTest, NonIdentifierValuesAreNotCopied) {
  GatewayMetricsOptions o;
  o.principal_labels = PrincipalLabels::kClear;
  auto m = Make(o);
  // What an event that bypassed audit::Validate could carry.
  Event e = Request("crm\"} 1\nfake_metric 9", "my backend", Decision::kAllow, "Alice Meyer");
  e.findings = {{"IBAN_CODE", "DE89 3704 0044 0532 0130 00", 1}};
  m->Observe(e, kId);
  const std::string text = m->Render();
  ExpectWellFormed(text);
  EXPECT_EQ(text.find("fake_metric"), std::string::npos);
  EXPECT_EQ(text.find("Alice"), std::string::npos);
  EXPECT_EQ(text.find("DE89"), std::string::npos);
  EXPECT_EQ(Value(text, Series("airlock_requests_total", {{"workflow", "invalid"}, {"backend", "invalid"}, {"decision", "allow"}})), 1u);
  EXPECT_EQ(Value(text, Series("airlock_principal_requests_total", {{"principal", "invalid"}})), 1u);
}

TEST(GatewayMetricsTest, ConcurrentObserveGivesExactTotals) {
  GatewayMetricsOptions o;
  o.principal_labels = PrincipalLabels::kHashed;
  o.principal_key = kKey;
  auto m = Make(o);
  const int kThreads = 6, kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Event req = Request("crm", t % 2 ? "eu" : "local", Decision::kAllow, "p" + std::to_string(t % 3));
      req.findings = {{"EMAIL_ADDRESS", "contact", 1}};
      Event done = Completion("crm", "eu", 2000);
      done.prompt_tokens = 1;
      for (int i = 0; i < kPerThread; ++i) {
        m->Observe(req, kId);
        m->Observe(done, kId);
      }
    });
  }
  for (auto& th : threads) th.join();
  const std::string text = m->Render();
  const std::uint64_t total = static_cast<std::uint64_t>(kThreads) * kPerThread;
  EXPECT_EQ(Value(text, Series("airlock_requests_total", {{"workflow", "crm"}, {"backend", "eu"}, {"decision", "allow"}})) +
                Value(text, Series("airlock_requests_total", {{"workflow", "crm"}, {"backend", "local"}, {"decision", "allow"}})),
            total);
  EXPECT_EQ(Value(text, Series("airlock_findings_total", {{"direction", "request"}, {"entity_type", "EMAIL_ADDRESS"}, {"data_class", "contact"}})), total);
  EXPECT_EQ(Value(text, "airlock_request_duration_seconds_count{workflow=\"crm\",backend=\"eu\"}"), total);
  EXPECT_EQ(Value(text, Series("airlock_tokens_total", {{"backend", "eu"}, {"kind", "prompt"}})), total);
  std::uint64_t by_principal = 0;
  for (int p = 0; p < 3; ++p)
    by_principal += Value(text, Series("airlock_principal_requests_total", {{"principal", ExpectedHash(kKey, "p" + std::to_string(p))}}));
  EXPECT_EQ(by_principal, total);
}

}  // namespace
}  // namespace airlock::metrics
