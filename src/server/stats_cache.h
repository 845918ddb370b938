// What /admin/v1/stats counts, and a cache of it by hour, so that a
// dashboard asking for the last day (or month) every minute does not read
// every event of that range each time.
//
// Thread-safety: StatsCache is safe to share; Aggregate reads the trail
// through Trail's own lock.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "airlock/audit/event.h"
#include "airlock/core/status.h"

namespace airlock::server {

class Trail;

// Counts over a set of events (no payload: kinds, decisions, reasons,
// workflow and backend names, entity types, data classes, tokens).
struct StatsAgg {
  std::uint64_t events = 0, prompt_tokens = 0, completion_tokens = 0;
  std::map<std::string, std::uint64_t> kinds, decisions, workflows, backends, entities, classes, reasons;
  void Add(const audit::Event& e);
  void Merge(const StatsAgg& o);
};

class StatsCache {
 public:
  static constexpr std::int64_t kHourUs = std::int64_t{3600} * 1000000;
  static constexpr std::size_t kMaxHours = 24 * 400;  // then the oldest hours are dropped

  // The events with since_us <= time_us < until_us, all instances. Whole
  // hours that ended before `now_us` come from buckets kept here; before a
  // bucket is used, the store counts its hour's events from the time index
  // (no record is read) and the hour is read again when the count differs
  // (events pruned, or committed late by another instance). Days without
  // events are skipped by one count each. The partial hours at either end,
  // and the hour in progress, are read.
  Status Aggregate(Trail& trail, std::int64_t since_us, std::int64_t until_us, std::int64_t now_us, StatsAgg* out);

  // Hours read from the events since the cache was made (tests, metrics).
  std::uint64_t hours_read() const;

 private:
  mutable std::mutex mu_;
  std::map<std::int64_t, StatsAgg> hours_;  // by the hour's start
  std::uint64_t hours_read_ = 0;
};

}  // namespace airlock::server
