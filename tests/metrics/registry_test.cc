#include "airlock/metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <thread>

#include "exposition_testing.h"

namespace airlock::metrics {
namespace {

using testing::ExpectWellFormed;
using testing::Sample;

TEST(RegistryTest, CounterRendersHelpTypeAndSortedSeries) {
  Registry reg;
  auto fam = reg.AddCounter("airlock_test_total", "Things counted.", {"workflow", "decision"});
  ASSERT_TRUE(fam.ok()) << fam.status().message();
  // Created out of order on purpose; rendered sorted by label values.
  const std::vector<std::pair<std::array<std::string_view, 2>, std::uint64_t>> incs = {
      {{"crm", "block"}, 3}, {{"crm", "allow"}, 7}, {{"billing", "allow"}, 1}};
  for (const auto& [labels, n] : incs) {
    for (std::uint64_t i = 0; i < n; ++i) (*fam)->WithLabels({labels[0], labels[1]})->Inc();
  }
  std::string want = "# HELP airlock_test_total Things counted.\n# TYPE airlock_test_total counter\n";
  for (std::size_t i : {2u, 1u, 0u}) {  // billing/allow, crm/allow, crm/block
    want += "airlock_test_total{workflow=\"" + std::string(incs[i].first[0]) + "\",decision=\"" +
            std::string(incs[i].first[1]) + "\"} " + std::to_string(incs[i].second) + "\n";
  }
  EXPECT_EQ(reg.Render(), want);
  ExpectWellFormed(reg.Render());
}

TEST(RegistryTest, FamiliesSortedByNameAndEmptyFamilyHasOnlyHelpAndType) {
  Registry reg;
  ASSERT_TRUE(reg.AddGauge("b_gauge", "B.").ok());
  ASSERT_TRUE(reg.AddCounter("a_total", "A.", {"x"}).ok());
  auto* b = *reg.AddGauge("c_gauge", "C.");
  b->Get()->Set(2.5);
  (*reg.AddGauge("b2", "B2."))->Get()->Add(-1.25);
  EXPECT_EQ(reg.Render(),
            "# HELP a_total A.\n# TYPE a_total counter\n"
            "# HELP b2 B2.\n# TYPE b2 gauge\nb2 " + FormatValue(-1.25) + "\n"
            "# HELP b_gauge B.\n# TYPE b_gauge gauge\n"
            "# HELP c_gauge C.\n# TYPE c_gauge gauge\nc_gauge " + FormatValue(2.5) + "\n");
}

TEST(RegistryTest, EscapesLabelValuesAndHelp) {
  Registry reg;
  auto* f = *reg.AddCounter("esc_total", "Line one\nback\\slash \"quotes stay\"", {"v"});
  const std::string raw = std::string("a\\b") + '"' + "c\nd";
  f->WithLabels({raw})->Inc(2);
  const std::string text = reg.Render();
  EXPECT_EQ(text,
            "# HELP esc_total Line one\\nback\\\\slash \"quotes stay\"\n"
            "# TYPE esc_total counter\n"
            "esc_total{v=\"a\\\\b\\\"c\\nd\"} 2\n");
  ExpectWellFormed(text);
  EXPECT_EQ(testing::LabelValues(text), std::set<std::string>{raw});  // round-trips
}

TEST(RegistryTest, FormatsSpecialValues) {
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatValue(1), "1");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  const double third = 1.0 / 3;
  EXPECT_EQ(std::stod(FormatValue(third)), third);  // round-trips exactly
}

TEST(RegistryTest, HistogramBucketsAreCumulativeAndInfEqualsCount) {
  Registry reg;
  const std::vector<double> bounds = {0.1, 0.5, 1, 2.5};
  auto* h = *reg.AddHistogram("lat_seconds", "Latency.", {"backend"}, bounds);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> dist(0, 4);
  std::vector<double> seen;
  double sum = 0;
  for (int i = 0; i < 500; ++i) {
    const double v = i == 0 ? 0.5 : dist(rng);  // a value exactly on a bound counts in that bucket
    seen.push_back(v);
    sum += v;
    h->WithLabels({"eu"})->Observe(v);
  }
  const std::string text = reg.Render();
  ExpectWellFormed(text);
  std::uint64_t previous = 0;
  for (double b : bounds) {
    const auto want = std::count_if(seen.begin(), seen.end(), [&](double v) { return v <= b; });
    auto got = Sample(text, "lat_seconds_bucket{backend=\"eu\",le=\"" + FormatValue(b) + "\"}");
    ASSERT_TRUE(got) << b;
    EXPECT_EQ(std::stoull(*got), static_cast<std::uint64_t>(want)) << b;
    EXPECT_GE(std::stoull(*got), previous);
    previous = std::stoull(*got);
  }
  EXPECT_EQ(Sample(text, "lat_seconds_bucket{backend=\"eu\",le=\"+Inf\"}"), std::to_string(seen.size()));
  EXPECT_EQ(Sample(text, "lat_seconds_count{backend=\"eu\"}"), std::to_string(seen.size()));
  EXPECT_NEAR(std::stod(*Sample(text, "lat_seconds_sum{backend=\"eu\"}")), sum, 1e-9);
  // Order within a series: buckets ascending, then _sum, then _count.
  EXPECT_LT(text.find("le=\"0.1\""), text.find("le=\"+Inf\""));
  EXPECT_LT(text.find("le=\"+Inf\""), text.find("lat_seconds_sum"));
  EXPECT_LT(text.find("lat_seconds_sum"), text.find("lat_seconds_count"));
}

TEST(RegistryTest, HistogramWithoutLabelsAndNaNIgnored) {
  Registry reg;
  auto* h = (*reg.AddHistogram("h", "H.", {}, {1}))->Get();
  h->Observe(3);
  h->Observe(std::nan(""));
  const std::string text = reg.Render();
  EXPECT_EQ(Sample(text, "h_bucket{le=\"1\"}"), "0");
  EXPECT_EQ(Sample(text, "h_bucket{le=\"+Inf\"}"), "1");
  EXPECT_EQ(Sample(text, "h_sum"), "3");
  EXPECT_EQ(Sample(text, "h_count"), "1");
}

TEST(RegistryTest, RejectsBadRegistrations) {
  Registry reg;
  ASSERT_TRUE(reg.AddCounter("ok_total", "x").ok());
  EXPECT_FALSE(reg.AddCounter("ok_total", "again").ok());
  EXPECT_FALSE(reg.AddGauge("ok_total", "other kind").ok());
  EXPECT_FALSE(reg.AddCounter("1bad", "x").ok());
  EXPECT_FALSE(reg.AddCounter("bad-name", "x").ok());
  EXPECT_FALSE(reg.AddCounter("c1", "x", {"__reserved"}).ok());
  EXPECT_FALSE(reg.AddCounter("c2", "x", {"bad-label"}).ok());
  EXPECT_FALSE(reg.AddCounter("c3", "x", {"a", "a"}).ok());
  EXPECT_FALSE(reg.AddHistogram("h1", "x", {"le"}, {1}).ok());
  EXPECT_FALSE(reg.AddHistogram("h2", "x", {}, {}).ok());
  EXPECT_FALSE(reg.AddHistogram("h3", "x", {}, {1, 1}).ok());
  EXPECT_FALSE(reg.AddHistogram("h4", "x", {}, {2, 1}).ok());
  EXPECT_FALSE(reg.AddHistogram("h5", "x", {}, {1, std::numeric_limits<double>::infinity()}).ok());
  auto bad = reg.AddCounter("c4", "x", {"a", "a"});
  EXPECT_NE(bad.status().message().find("repeated"), std::string::npos);
  EXPECT_TRUE(reg.AddCounter("ns:sub_total", "colons allowed").ok());
}

TEST(RegistryTest, WrongNumberOfLabelValuesGivesNull) {
  Registry reg;
  auto* f = *reg.AddCounter("n_total", "x", {"a", "b"});
  EXPECT_EQ(f->WithLabels({"only-one"}), nullptr);
  EXPECT_EQ(f->Get(), nullptr);
  EXPECT_NE(f->WithLabels({"x", "y"}), nullptr);
  EXPECT_EQ(f->WithLabels({"x", "y"}), f->WithLabels({"x", "y"}));  // same series, stable pointer
}

TEST(RegistryTest, SeriesCapSendsNewLabelSetsToOther) {
  Registry reg;
  auto* f = *reg.AddCounter("cap_total", "x", {"a", "b"}, FamilyOptions{3});
  const int kDistinct = 7;
  for (int i = 0; i < kDistinct; ++i) {
    const std::string v = "v" + std::to_string(i);
    f->WithLabels({v, v})->Inc(static_cast<std::uint64_t>(i + 1));
  }
  f->WithLabels({"v0", "v0"})->Inc();  // an existing series keeps counting on its own
  EXPECT_EQ(f->series_count(), 4u);
  const std::string text = reg.Render();
  EXPECT_EQ(Sample(text, "cap_total{a=\"v0\",b=\"v0\"}"), "2");
  EXPECT_EQ(Sample(text, "cap_total{a=\"v2\",b=\"v2\"}"), "3");
  EXPECT_FALSE(Sample(text, "cap_total{a=\"v3\",b=\"v3\"}"));
  EXPECT_EQ(Sample(text, "cap_total{a=\"other\",b=\"other\"}"), std::to_string(4 + 5 + 6 + 7));
}

TEST(RegistryTest, CallbackGaugeReadsAtScrapeTime) {
  Registry reg;
  auto* g = *reg.AddCallbackGauge("depth", "Queue depth.");
  EXPECT_EQ(reg.Render(), "# HELP depth Queue depth.\n# TYPE depth gauge\n");
  int depth = 3;
  g->SetCallback([&depth] { return static_cast<double>(depth); });
  EXPECT_EQ(Sample(reg.Render(), "depth"), "3");
  depth = 11;
  EXPECT_EQ(Sample(reg.Render(), "depth"), "11");
  g->SetCallback(nullptr);
  EXPECT_FALSE(Sample(reg.Render(), "depth"));
}

TEST(RegistryTest, ConcurrentIncrementsGiveExactTotals) {
  Registry reg;
  auto* shared = *reg.AddCounter("shared_total", "x", {"k"});
  auto* hist = (*reg.AddHistogram("conc_seconds", "x", {}, {0.5}))->Get();
  const int kThreads = 8, kPerThread = 50000;
  std::atomic<bool> stop{false};
  std::thread scraper([&] {  // renders while writers run: must neither crash nor block them
    while (!stop.load()) ExpectWellFormed(reg.Render());
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      const std::string own = "t" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        shared->WithLabels({"all"})->Inc();
        shared->WithLabels({own})->Inc(2);
        hist->Observe(i % 2 == 0 ? 0.25 : 1.0);
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  scraper.join();
  const std::string text = reg.Render();
  EXPECT_EQ(Sample(text, "shared_total{k=\"all\"}"), std::to_string(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(Sample(text, "shared_total{k=\"t" + std::to_string(t) + "\"}"), std::to_string(2 * kPerThread));
  EXPECT_EQ(Sample(text, "conc_seconds_count"), std::to_string(kThreads * kPerThread));
  EXPECT_EQ(Sample(text, "conc_seconds_bucket{le=\"0.5\"}"), std::to_string(kThreads * kPerThread / 2));
  EXPECT_EQ(std::stod(*Sample(text, "conc_seconds_sum")), kThreads * (kPerThread / 2) * 1.25);
}

}  // namespace
}  // namespace airlock::metrics
