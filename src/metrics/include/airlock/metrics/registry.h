// Registry: a small Prometheus metrics registry and its text exposition.
//
//   metrics::Registry reg;
//   auto* requests = *reg.AddCounter("airlock_requests_total", "Requests seen.",
//                                    {"workflow", "decision"});
//   requests->WithLabels({"crm", "allow"})->Inc();       // lookup, then one atomic add
//   metrics::Counter* hot = requests->WithLabels({"crm", "block"});
//   hot->Inc();                                            // cache the pointer: no lookup
//   auto* depth = *reg.AddCallbackGauge("airlock_audit_queue_depth", "Events waiting.");
//   depth->SetCallback([&q] { return static_cast<double>(q.size()); });
//   std::string body = reg.Render();                      // serve with kContentType
//
// Kinds:
//   Counter    a monotonic unsigned integer (sharded over cache lines, so
//              threads incrementing the same series do not contend).
//   Gauge      a double that is set or added to.
//   Histogram  fixed upper bounds given at registration; Observe is one
//              atomic add on a bucket and one on the sum. Rendered cumulative,
//              with le="+Inf" equal to _count by construction.
//   Callback gauge
//              a double read by a function at scrape time (queue depths).
//
// Series (one per distinct set of label values) are created on first use and
// live as long as the registry, so a pointer returned by WithLabels stays
// valid and can be cached. Looking up an existing series allocates nothing
// (a shared lock and a map search over string_views); only the first use of a
// label set allocates. Each family has a series cap (FamilyOptions::max_series):
// past it, new label sets are counted in one overflow series whose every label
// value is "other", so a flood of distinct values cannot exhaust memory.
//
// Render() writes text exposition format 0.0.4: families sorted by name, each
// with "# HELP" (backslash and newline escaped) and "# TYPE" lines, series
// sorted by label values, label values escaped (backslash, double quote,
// newline). A family without series yet writes its HELP and TYPE lines only.
//
// Thread-safety: every method of every class here is safe to call
// concurrently. Callback functions run inside Render() on the scraping thread
// and must not call into the same registry.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"

namespace airlock::metrics {

// The Content-Type header value for Render()'s output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// The label value of the overflow series of a family past its cap.
inline constexpr std::string_view kOverflowLabel = "other";

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Inc(std::uint64_t n = 1);
  std::uint64_t Value() const;  // sum over shards; exact once writers are quiet

 private:
  static constexpr std::size_t kShards = 8;
  struct alignas(64) Shard {
    std::atomic<std::uint64_t> v{0};
  };
  std::array<Shard, kShards> shards_;
};

class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  void Add(double d) { v_.fetch_add(d, std::memory_order_relaxed); }
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  // REQUIRES: `bounds` strictly ascending, finite, and outlives this object
  // (the family owns it).
  explicit Histogram(const std::vector<double>* bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Counts `v` in the first bucket whose upper bound is >= v (+Inf if none).
  // NaN is ignored.
  void Observe(double v);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    std::uint64_t count = 0;                // == cumulative.back()
    double sum = 0;
  };
  Snapshot Snap() const;

 private:
  const std::vector<double>& bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

struct FamilyOptions {
  // Most distinct label sets before new ones go to the overflow series
  // ("other" in every label). Families without labels have one series.
  std::size_t max_series = 10000;
};

// Orders label-value tuples; compares owned tuples with borrowed ones so that
// lookups do not allocate.
struct LabelValuesLess {
  using is_transparent = void;
  bool operator()(std::span<const std::string> a, std::span<const std::string> b) const;
  bool operator()(std::span<const std::string> a, std::span<const std::string_view> b) const;
  bool operator()(std::span<const std::string_view> a, std::span<const std::string> b) const;
};

// What the registry needs of a family to render it.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends this family's HELP, TYPE and sample lines to `out`.
  void RenderTo(std::string* out) const;

 protected:
  virtual std::string_view type() const = 0;
  virtual void RenderSamples(std::string* out) const = 0;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// A metric family: one name, one help text, one list of label names, and a
// series per distinct tuple of label values.
template <typename M>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         FamilyOptions options, std::vector<double> bounds = {});

  // The series for `values` (one per label name, in order), created on first
  // use. Returns nullptr when the number of values does not match the number
  // of label names. The pointer stays valid for the family's lifetime.
  M* WithLabels(std::span<const std::string_view> values);
  M* WithLabels(std::initializer_list<std::string_view> values) {
    return WithLabels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  // The single series of a family without labels (nullptr if it has labels).
  M* Get() { return WithLabels(std::span<const std::string_view>()); }

  std::size_t series_count() const;

 protected:
  std::string_view type() const override;
  void RenderSamples(std::string* out) const override;

 private:
  std::unique_ptr<M> Make() const;

  FamilyOptions options_;
  std::vector<double> bounds_;  // histograms only
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>, LabelValuesLess> series_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// A gauge without labels whose value is read by a function at scrape time.
// Until a callback is set it renders HELP and TYPE only.
class CallbackGauge final : public FamilyBase {
 public:
  CallbackGauge(std::string name, std::string help);
  // Replaces the function (nullptr clears it). `read` must be thread-safe and
  // must not call into the registry that owns this gauge.
  void SetCallback(std::function<double()> read);

 protected:
  std::string_view type() const override { return "gauge"; }
  void RenderSamples(std::string* out) const override;

 private:
  mutable std::mutex mu_;
  std::function<double()> read_;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registration fails (InvalidArgument) on a name that is not
  // [a-zA-Z_:][a-zA-Z0-9_:]*, a label name that is not [a-zA-Z_][a-zA-Z0-9_]*
  // or starts with "__", a repeated label name, "le" on a histogram, bounds
  // that are empty, not finite or not strictly ascending, or a name already
  // registered. The returned pointer lives as long as the registry.
  Result<CounterFamily*> AddCounter(std::string name, std::string help,
                                    std::vector<std::string> label_names = {},
                                    FamilyOptions options = {});
  Result<GaugeFamily*> AddGauge(std::string name, std::string help,
                                std::vector<std::string> label_names = {},
                                FamilyOptions options = {});
  Result<HistogramFamily*> AddHistogram(std::string name, std::string help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> bounds, FamilyOptions options = {});
  Result<CallbackGauge*> AddCallbackGauge(std::string name, std::string help);

  // The text exposition of every family, sorted by name.
  std::string Render() const;

 private:
  static Status CheckNames(const FamilyBase& family);
  template <typename F>
  Result<F*> Register(std::unique_ptr<F> family);

  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>, std::less<>> families_;
};

// Exposition helpers, exposed for tests.
std::string EscapeLabelValue(std::string_view v);  // \ " newline
std::string EscapeHelp(std::string_view v);        // \ newline
std::string FormatValue(double v);                 // shortest round-trip; +Inf, -Inf, NaN

}  // namespace airlock::metrics
