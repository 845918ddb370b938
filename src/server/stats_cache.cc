#include "stats_cache.h"

#include <algorithm>

#include "trail.h"

namespace airlock::server {

void StatsAgg::Add(const audit::Event& e) {
  ++events;
  kinds[std::string(audit::EventKindName(e.kind))]++;
  decisions[std::string(audit::DecisionName(e.decision))]++;
  if (!e.workflow.empty()) workflows[e.workflow]++;
  if (!e.backend.empty()) backends[e.backend]++;
  for (auto r : e.reasons) reasons[std::string(audit::ReasonName(r))]++;
  for (const auto& c : e.findings) {
    entities[c.entity_type] += c.count;
    if (!c.data_class.empty()) classes[c.data_class] += c.count;
  }
  prompt_tokens += e.prompt_tokens;
  completion_tokens += e.completion_tokens;
}

void StatsAgg::Merge(const StatsAgg& o) {
  events += o.events;
  prompt_tokens += o.prompt_tokens;
  completion_tokens += o.completion_tokens;
  auto add = [](std::map<std::string, std::uint64_t>& into, const std::map<std::string, std::uint64_t>& from) {
    for (const auto& [k, v] : from) into[k] += v;
  };
  add(kinds, o.kinds);
  add(decisions, o.decisions);
  add(workflows, o.workflows);
  add(backends, o.backends);
  add(entities, o.entities);
  add(classes, o.classes);
  add(reasons, o.reasons);
}

namespace {

std::int64_t FloorHour(std::int64_t t) {
  const std::int64_t h = StatsCache::kHourUs;
  return t >= 0 ? t / h * h : -((-t + h - 1) / h) * h;
}

Status Read(Trail& trail, std::int64_t since_us, std::int64_t until_us, StatsAgg* agg) {
  if (since_us >= until_us) return Status::Ok();
  audit::EventFilter f;
  f.since_us = since_us;
  f.until_us = until_us;
  return trail.Scan(f, [&](const audit::Event& e) {
    agg->Add(e);
    return true;
  });
}

}  // namespace

Status StatsCache::Aggregate(Trail& trail, std::int64_t since_us, std::int64_t until_us, std::int64_t now_us,
                             StatsAgg* out) {
  if (since_us >= until_us) return Status::Ok();
  // Whole hours in [first, last): they start at or after since_us and end
  // at or before both until_us and now_us.
  const std::int64_t first =
      since_us > INT64_MIN + kHourUs ? FloorHour(since_us - 1) + kHourUs : FloorHour(now_us) - kMaxHours * kHourUs;
  const std::int64_t last = FloorHour(std::min(until_us, now_us));
  if (first >= last) return Read(trail, since_us, until_us, out);
  // An open start ("since the beginning"): what lies before the cached
  // range is read whole.
  if (Status s = Read(trail, since_us, first, out); !s.ok()) return s;
  constexpr std::int64_t kDay = 24 * kHourUs;
  for (std::int64_t day = first; day < last; day += kDay) {
    const std::int64_t day_end = std::min(day + kDay, last);
    auto in_day = trail.Count(day, day_end);
    if (!in_day.ok()) return in_day.status();
    if (*in_day == 0) continue;
    for (std::int64_t h = day; h < day_end; h += kHourUs) {
      auto n = trail.Count(h, h + kHourUs);
      if (!n.ok()) return n.status();
      if (*n == 0) continue;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = hours_.find(h);
        if (it != hours_.end() && it->second.events == *n) {
          out->Merge(it->second);
          continue;
        }
      }
      StatsAgg b;
      if (Status s = Read(trail, h, h + kHourUs, &b); !s.ok()) return s;
      out->Merge(b);
      std::lock_guard<std::mutex> lock(mu_);
      ++hours_read_;
      hours_[h] = std::move(b);
      while (hours_.size() > kMaxHours) hours_.erase(hours_.begin());
    }
  }
  return Read(trail, last, until_us, out);
}

std::uint64_t StatsCache::hours_read() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hours_read_;
}

}  // namespace airlock::server
