// Warm start: the rules see the trail's recent events again after a
// restart (Engine::Replay), so a burst that straddles the restart still
// alerts, a cool-down still holds and a backend already used is not new.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <vector>

#include "airlock/alerts/engine.h"
#include "test_util.h"

namespace airlock::alerts {
namespace {

using namespace testing;  // NOLINT

// Keeps what the engine delivers.
class Collect : public Sink {
 public:
  explicit Collect(std::shared_ptr<std::vector<Alert>> out) : out_(std::move(out)) {}
  std::string Describe() const override { return "collect"; }
  Outcome Deliver(const std::vector<Alert>& batch, const StopSignal&) override {
    std::lock_guard<std::mutex> lock(mu_);
    out_->insert(out_->end(), batch.begin(), batch.end());
    Outcome o;
    o.delivered = batch.size();
    return o;
  }

 private:
  std::mutex mu_;
  std::shared_ptr<std::vector<Alert>> out_;
};

constexpr const char* kRules = R"(
  rules:
    - {name: blocked-burst, type: threshold, metric: blocked_requests, per: principal, window: 5m, count: 3}
    - {name: new-backend, type: first_backend_use, known: [local]}
)";

struct Gateway {
  std::shared_ptr<std::vector<Alert>> delivered = std::make_shared<std::vector<Alert>>();
  std::int64_t now = kMonday10;
  std::unique_ptr<Engine> engine;

  explicit Gateway(const std::string& yaml) {
    EngineOptions o;
    o.clock = [this] { return now; };
    o.extra_sinks.push_back(std::make_unique<Collect>(delivered));
    auto e = Engine::Create(Alerts(yaml), Key(), std::move(o));
    if (!e.ok()) throw std::runtime_error(e.status().message());
    engine = std::move(*e);
  }
  std::vector<Alert> Alerts_() {
    engine->Flush(std::chrono::seconds(5));
    return *delivered;
  }
};

// An event as the trail returns it: its own instance, seq and time.
audit::Event Stored(audit::Event e, std::uint64_t seq, std::int64_t time_us) {
  e.instance = "gw-1";
  e.seq = seq;
  e.time_us = time_us;
  return e;
}

TEST(WarmStart, ABurstThatStraddlesARestartStillAlerts) {
  // Before the restart: two blocked requests (the process saw them, no alert).
  std::vector<audit::Event> trail = {Stored(Blocked("alice"), 1, kMonday10),
                                     Stored(Blocked("alice"), 2, kMonday10 + kSecond)};
  Gateway warm(kRules);
  for (const auto& e : trail) EXPECT_EQ(warm.engine->Replay(e, {e.instance, e.seq}), 0u);
  warm.now = kMonday10 + 2 * kSecond;
  warm.engine->Observe(Stored(Blocked("alice"), 3, warm.now), Id(3));
  auto alerts = warm.Alerts_();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule, "blocked-burst");
  EXPECT_EQ(alerts[0].count, 3u);
  ASSERT_EQ(alerts[0].events.size(), 3u);
  EXPECT_EQ(alerts[0].events.front(), "gw-1:1") << "the replayed events are named";
  EXPECT_EQ(warm.engine->stats().replayed, 2u);

  // The same restart without a warm start misses it.
  Gateway cold(kRules);
  cold.now = kMonday10 + 2 * kSecond;
  cold.engine->Observe(Stored(Blocked("alice"), 3, cold.now), Id(3));
  EXPECT_TRUE(cold.Alerts_().empty());
}

TEST(WarmStart, WhatWasRaisedBeforeIsNotRaisedAgainAndTheCoolDownHolds) {
  std::vector<audit::Event> trail;
  for (std::uint64_t i = 1; i <= 3; ++i) {
    trail.push_back(Stored(Blocked("alice"), i, kMonday10 + static_cast<std::int64_t>(i) * kSecond));
  }
  Gateway g(kRules);
  std::size_t dropped = 0;
  for (const auto& e : trail) dropped += g.engine->Replay(e, {e.instance, e.seq});
  EXPECT_EQ(dropped, 1u) << "the burst alerted before the restart";
  g.now = kMonday10 + kMinute;
  for (std::uint64_t i = 4; i <= 6; ++i) g.engine->Observe(Stored(Blocked("alice"), i, g.now), Id(i));
  EXPECT_TRUE(g.Alerts_().empty()) << "inside the 5m cool-down that began before the restart";
  g.now = kMonday10 + 6 * kMinute;
  for (std::uint64_t i = 7; i <= 9; ++i) g.engine->Observe(Stored(Blocked("alice"), i, g.now), Id(i));
  EXPECT_EQ(g.Alerts_().size(), 1u) << "after the cool-down";
}

TEST(WarmStart, ABackendUsedBeforeTheRestartIsNotNew) {
  audit::Event used = Request("alice");
  used.backend = "eu-remote";
  Gateway g(kRules);
  EXPECT_EQ(g.engine->Replay(Stored(used, 1, kMonday10), Id(1)), 1u);
  g.now = kMonday10 + kMinute;
  g.engine->Observe(Stored(used, 2, g.now), Id(2));
  EXPECT_TRUE(g.Alerts_().empty());
  audit::Event other = Request("alice");
  other.backend = "us-remote";
  g.engine->Observe(Stored(other, 3, g.now), Id(3));
  auto alerts = g.Alerts_();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].backend, "us-remote");
}

TEST(WarmStart, SpanFromTheConfig) {
  EXPECT_EQ(Engine::WarmStartMs(Alerts(kRules)), 300000) << "auto: the longest window or cool-down";
  EXPECT_EQ(Engine::WarmStartMs(Alerts(R"(
  rules:
    - {name: slow, type: threshold, window: 2h, count: 3, cooldown: 10m}
)")),
            7200000);
  EXPECT_EQ(Engine::WarmStartMs(Alerts(std::string(kRules) + "  warm_start: 3d\n")), 3 * 86400000LL);
  EXPECT_EQ(Engine::WarmStartMs(Alerts(std::string(kRules) + "  warm_start: off\n")), 0);
  EXPECT_EQ(Engine::WarmStartMs(Alerts("  rules: []\n")), 0);
  EXPECT_THROW(Alerts(std::string(kRules) + "  warm_start: 8d\n"), std::runtime_error);
  EXPECT_THROW(Alerts(std::string(kRules) + "  warm_start: soon\n"), std::runtime_error);
}

}  // namespace
}  // namespace airlock::alerts
