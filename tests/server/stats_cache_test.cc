// /admin/v1/stats by hour: the cached buckets give what reading every event
// gives, are read once, and are read again when their hour's count changes.
#include "stats_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "airlock/config/config.h"
#include "trail.h"

namespace airlock::server {
namespace {

constexpr std::int64_t kHour = StatsCache::kHourUs;
constexpr std::int64_t kBase = std::int64_t{1764288000} * 1000000;  // 2025-11-28 00:00 UTC, an hour start

class StatsCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("airlock-stats-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto cfg = config::Parse("store:\n  path: " + (dir_ / "airlock.db").string() + "\naudit:\n  instance: gw-s\n",
                             "t.yaml");
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    auto t = Trail::Open(**cfg, 0);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    trail_ = std::move(*t);
  }
  void TearDown() override {
    trail_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Add(std::int64_t time_us, const std::string& workflow, audit::Decision d, std::uint64_t tokens) {
    audit::Event e;
    e.kind = audit::EventKind::kRequest;
    e.time_us = time_us;
    e.principal = "alice";
    e.workflow = workflow;
    e.decision = d;
    e.prompt_tokens = tokens;
    e.findings.push_back({"PERSON", "personal", 2});
    ASSERT_TRUE(trail_->RecordSync(std::move(e)).ok());
  }

  // What reading every event of the range gives.
  StatsAgg Direct(std::int64_t since, std::int64_t until) {
    StatsAgg agg;
    audit::EventFilter f;
    f.since_us = since;
    f.until_us = until;
    EXPECT_TRUE(trail_->Scan(f, [&](const audit::Event& e) {
                        agg.Add(e);
                        return true;
                      }).ok());
    return agg;
  }

  static void ExpectSame(const StatsAgg& a, const StatsAgg& b) {
    EXPECT_EQ(a.events, b.events);
    EXPECT_EQ(a.prompt_tokens, b.prompt_tokens);
    EXPECT_EQ(a.kinds, b.kinds);
    EXPECT_EQ(a.decisions, b.decisions);
    EXPECT_EQ(a.workflows, b.workflows);
    EXPECT_EQ(a.entities, b.entities);
    EXPECT_EQ(a.classes, b.classes);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Trail> trail_;
};

TEST_F(StatsCacheTest, WholeHoursAreReadOnceAndCheckedByTheirCount) {
  // Five hours, an event every 20 minutes; a day with nothing; one more.
  for (std::int64_t t = kBase; t < kBase + 5 * kHour; t += kHour / 3) {
    Add(t, t < kBase + 2 * kHour ? "hr" : "legal", audit::Decision::kAllow, 10);
  }
  Add(kBase + 30 * kHour + 5, "hr", audit::Decision::kBlock, 1);
  const std::int64_t now = kBase + 40 * kHour;
  StatsCache cache;

  StatsAgg all;
  ASSERT_TRUE(cache.Aggregate(*trail_, kBase - kHour / 2, now, now, &all).ok());
  ExpectSame(all, Direct(kBase - kHour / 2, now));
  EXPECT_EQ(all.events, 16u);
  EXPECT_EQ(cache.hours_read(), 6u);  // the hours that hold events

  StatsAgg again;
  ASSERT_TRUE(cache.Aggregate(*trail_, kBase - kHour / 2, now, now, &again).ok());
  ExpectSame(again, all);
  EXPECT_EQ(cache.hours_read(), 6u);  // every hour from the cache

  // Partial hours at both ends are read, the whole ones in between cached.
  StatsAgg part;
  ASSERT_TRUE(cache.Aggregate(*trail_, kBase + kHour / 2, kBase + 3 * kHour + kHour / 2, now, &part).ok());
  ExpectSame(part, Direct(kBase + kHour / 2, kBase + 3 * kHour + kHour / 2));
  EXPECT_EQ(cache.hours_read(), 6u);

  // An event committed late into a cached hour: its count differs, so that
  // hour (only) is read again.
  Add(kBase + kHour + 7, "late", audit::Decision::kRedact, 3);
  StatsAgg late;
  ASSERT_TRUE(cache.Aggregate(*trail_, kBase - kHour / 2, now, now, &late).ok());
  ExpectSame(late, Direct(kBase - kHour / 2, now));
  EXPECT_EQ(late.events, 17u);
  EXPECT_EQ(late.workflows["late"], 1u);
  EXPECT_EQ(cache.hours_read(), 7u);
}

TEST_F(StatsCacheTest, TheHourInProgressIsAlwaysRead) {
  Add(kBase + 10, "hr", audit::Decision::kAllow, 1);
  const std::int64_t now = kBase + kHour / 2;  // the first hour has not ended
  StatsCache cache;
  StatsAgg a;
  ASSERT_TRUE(cache.Aggregate(*trail_, kBase - 3 * kHour, now + kHour, now, &a).ok());
  EXPECT_EQ(a.events, 1u);
  EXPECT_EQ(cache.hours_read(), 0u);
  Add(kBase + 20, "hr", audit::Decision::kAllow, 1);
  StatsAgg b;
  ASSERT_TRUE(cache.Aggregate(*trail_, kBase - 3 * kHour, now + kHour, now, &b).ok());
  EXPECT_EQ(b.events, 2u);
}

}  // namespace
}  // namespace airlock::server
