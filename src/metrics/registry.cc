#include "airlock/metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace airlock::metrics {
namespace {

// Each thread adds to one shard of a counter; threads are dealt shards in
// turn, so up to kShards threads never share a cache line.
std::size_t ThisThreadShard(std::size_t shards) {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine % shards;
}

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool ValidMetricName(std::string_view n) {
  if (n.empty() || !(IsNameStart(n[0]) || n[0] == ':')) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return IsNameStart(c) || IsDigit(c) || c == ':'; });
}

bool ValidLabelName(std::string_view n) {
  if (n.empty() || !IsNameStart(n[0]) || n.rfind("__", 0) == 0) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return IsNameStart(c) || IsDigit(c); });
}

template <typename A, typename B>
bool LexLess(std::span<const A> a, std::span<const B> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](const auto& x, const auto& y) {
                                        return std::string_view(x) < std::string_view(y);
                                      });
}

// `name{l1="v1",l2="v2"}` (or just `name`), with an optional extra label
// (histogram `le`) appended last.
void AppendSeriesName(std::string* out, std::string_view name, const std::vector<std::string>& labels,
                      std::span<const std::string> values, std::string_view extra_label = {},
                      std::string_view extra_value = {}) {
  out->append(name);
  if (labels.empty() && extra_label.empty()) return;
  out->push_back('{');
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(labels[i]);
    out->append("=\"");
    out->append(EscapeLabelValue(values[i]));
    out->push_back('"');
  }
  if (!extra_label.empty()) {
    if (!labels.empty()) out->push_back(',');
    out->append(extra_label);
    out->append("=\"");
    out->append(extra_value);
    out->push_back('"');
  }
  out->push_back('}');
}

void AppendLine(std::string* out, std::string_view value) {
  out->push_back(' ');
  out->append(value);
  out->push_back('\n');
}

}  // namespace

// ---- exposition helpers ----

namespace {
// HELP text escapes backslash and newline; label values also the double quote.
std::string Escape(std::string_view v, bool quote) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out.push_back(c);
  }
  return out;
}
}  // namespace

std::string EscapeLabelValue(std::string_view v) { return Escape(v, true); }
std::string EscapeHelp(std::string_view v) { return Escape(v, false); }

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "NaN";  // cannot happen: 64 bytes hold any double
  return std::string(buf, end);
}

// ---- series kinds ----

void Counter::Inc(std::uint64_t n) {
  shards_[ThisThreadShard(kShards)].v.fetch_add(n, std::memory_order_relaxed);
}

std::uint64_t Counter::Value() const {
  std::uint64_t total = 0;
  for (const auto& s : shards_) total += s.v.load(std::memory_order_relaxed);
  return total;
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(*bounds), buckets_(new std::atomic<std::uint64_t>[bounds->size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  if (std::isnan(v)) return;
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Snap() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// ---- families ----

bool LabelValuesLess::operator()(std::span<const std::string> a, std::span<const std::string> b) const {
  return LexLess(a, b);
}
bool LabelValuesLess::operator()(std::span<const std::string> a,
                                 std::span<const std::string_view> b) const {
  return LexLess(a, b);
}
bool LabelValuesLess::operator()(std::span<const std::string_view> a,
                                 std::span<const std::string> b) const {
  return LexLess(a, b);
}

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void FamilyBase::RenderTo(std::string* out) const {
  out->append("# HELP ").append(name_).push_back(' ');
  out->append(EscapeHelp(help_)).push_back('\n');
  out->append("# TYPE ").append(name_).push_back(' ');
  out->append(type()).push_back('\n');
  RenderSamples(out);
}

template <typename M>
Family<M>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  FamilyOptions options, std::vector<double> bounds)
    : FamilyBase(std::move(name), std::move(help), std::move(label_names)),
      options_(options),
      bounds_(std::move(bounds)) {}

template <typename M>
std::unique_ptr<M> Family<M>::Make() const {
  if constexpr (std::is_same_v<M, Histogram>) {
    return std::make_unique<Histogram>(&bounds_);
  } else {
    return std::make_unique<M>();
  }
}

template <typename M>
M* Family<M>::WithLabels(std::span<const std::string_view> values) {
  if (values.size() != label_names().size()) return nullptr;
  {
    std::shared_lock lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return it->second.get();
  }
  std::unique_lock lock(mu_);
  auto it = series_.find(values);
  if (it != series_.end()) return it->second.get();
  std::vector<std::string> key(values.begin(), values.end());
  if (series_.size() >= std::max<std::size_t>(options_.max_series, 1)) {
    key.assign(values.size(), std::string(kOverflowLabel));
    it = series_.find(std::span<const std::string>(key));
    if (it != series_.end()) return it->second.get();
  }
  return series_.emplace(std::move(key), Make()).first->second.get();
}

template <typename M>
std::size_t Family<M>::series_count() const {
  std::shared_lock lock(mu_);
  return series_.size();
}

template <typename M>
std::string_view Family<M>::type() const {
  if constexpr (std::is_same_v<M, Counter>) return "counter";
  else if constexpr (std::is_same_v<M, Gauge>) return "gauge";
  else return "histogram";
}

template <typename M>
void Family<M>::RenderSamples(std::string* out) const {
  std::shared_lock lock(mu_);
  for (const auto& [values, series] : series_) {
    if constexpr (std::is_same_v<M, Histogram>) {
      const Histogram::Snapshot s = series->Snap();
      const std::string bucket = name() + "_bucket";
      for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
        const std::string le = i < bounds_.size() ? FormatValue(bounds_[i]) : "+Inf";
        AppendSeriesName(out, bucket, label_names(), values, "le", le);
        AppendLine(out, std::to_string(s.cumulative[i]));
      }
      AppendSeriesName(out, name() + "_sum", label_names(), values);
      AppendLine(out, FormatValue(s.sum));
      AppendSeriesName(out, name() + "_count", label_names(), values);
      AppendLine(out, std::to_string(s.count));
    } else if constexpr (std::is_same_v<M, Counter>) {
      AppendSeriesName(out, name(), label_names(), values);
      AppendLine(out, std::to_string(series->Value()));
    } else {
      AppendSeriesName(out, name(), label_names(), values);
      AppendLine(out, FormatValue(series->Value()));
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

CallbackGauge::CallbackGauge(std::string name, std::string help)
    : FamilyBase(std::move(name), std::move(help), {}) {}

void CallbackGauge::SetCallback(std::function<double()> read) {
  std::lock_guard lock(mu_);
  read_ = std::move(read);
}

void CallbackGauge::RenderSamples(std::string* out) const {
  std::lock_guard lock(mu_);
  if (!read_) return;
  out->append(name());
  AppendLine(out, FormatValue(read_()));
}

// ---- registry ----

Status Registry::CheckNames(const FamilyBase& f) {
  const std::string& name = f.name();
  if (!ValidMetricName(name)) return Status::InvalidArgument("metric name '" + name + "' is not valid");
  std::set<std::string_view> seen;
  for (const auto& l : f.label_names()) {
    if (!ValidLabelName(l))
      return Status::InvalidArgument("metric " + name + ": label name '" + l + "' is not valid");
    if (!seen.insert(l).second)
      return Status::InvalidArgument("metric " + name + ": label name '" + l + "' repeated");
  }
  return Status::Ok();
}

template <typename F>
Result<F*> Registry::Register(std::unique_ptr<F> family) {
  if (Status s = CheckNames(*family); !s.ok()) return s;
  std::unique_lock lock(mu_);
  auto [it, inserted] = families_.emplace(family->name(), nullptr);
  if (!inserted) return Status::InvalidArgument("metric " + family->name() + " is already registered");
  F* raw = family.get();
  it->second = std::move(family);
  return raw;
}

Result<CounterFamily*> Registry::AddCounter(std::string name, std::string help,
                                            std::vector<std::string> label_names,
                                            FamilyOptions options) {
  return Register(std::make_unique<CounterFamily>(std::move(name), std::move(help),
                                                  std::move(label_names), options));
}

Result<GaugeFamily*> Registry::AddGauge(std::string name, std::string help,
                                        std::vector<std::string> label_names,
                                        FamilyOptions options) {
  return Register(std::make_unique<GaugeFamily>(std::move(name), std::move(help),
                                                std::move(label_names), options));
}

Result<HistogramFamily*> Registry::AddHistogram(std::string name, std::string help,
                                                std::vector<std::string> label_names,
                                                std::vector<double> bounds, FamilyOptions options) {
  if (std::find(label_names.begin(), label_names.end(), "le") != label_names.end())
    return Status::InvalidArgument("histogram " + name + ": label name 'le' is reserved");
  if (bounds.empty()) return Status::InvalidArgument("histogram " + name + ": needs bucket bounds");
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
      return Status::InvalidArgument("histogram " + name +
                                     ": bucket bounds must be finite and strictly ascending");
  }
  return Register(std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                                    std::move(label_names), options,
                                                    std::move(bounds)));
}

Result<CallbackGauge*> Registry::AddCallbackGauge(std::string name, std::string help) {
  return Register(std::make_unique<CallbackGauge>(std::move(name), std::move(help)));
}

std::string Registry::Render() const {
  std::string out;
  std::shared_lock lock(mu_);
  for (const auto& [name, family] : families_) family->RenderTo(&out);
  return out;
}

}  // namespace airlock::metrics
