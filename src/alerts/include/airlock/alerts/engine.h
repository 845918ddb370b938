// Engine: the alerts module's entry point. Evaluates the rules (rules.h) on
// every committed audit event and hands the alerts to the sinks (sink.h),
// each on its own worker thread behind a bounded queue.
//
//   auto engine = alerts::Engine::Create(cfg->alerts, hmac_key);
//   if (!engine.ok()) { ...exit 2 with engine.status().message()... }
//   gateway.AddObserver([e = engine->get()](const audit::Event& ev, const audit::EventId& id) {
//     e->Observe(ev, id);
//   });
//   e->ReportLockdown(true, "admin");              // lockdown switched on
//   e->ReportChainFailure(id, "modified");         // verification found a problem
//   e->Flush(std::chrono::seconds(5));             // before exit: wait for delivery
//   e->Shutdown();                                 // (also done by the destructor)
//
// Observe never blocks on the network: it evaluates the rules in memory
// under one mutex and queues the alert. When a sink's queue is full,
// the alert goes straight to that sink's Abandon: the webhook's dead-letter
// file, the jsonl file itself (a local append on the caller's thread), or
// counted lost for syslog.
//
// Shutdown stops the workers: a webhook alert between retries and every
// alert still queued go to the dead-letter file.
//
// Thread-safety: Observe, ReportChainFailure, ReportLockdown, Flush and
// stats may be called concurrently. Shutdown once, after the last Observe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "airlock/alerts/alert.h"
#include "airlock/alerts/rules.h"
#include "airlock/alerts/sink.h"
#include "airlock/audit/event.h"
#include "airlock/audit/keys.h"
#include "airlock/config/config.h"
#include "airlock/core/status.h"

namespace airlock::alerts {

// Unix time in microseconds.
using Clock = std::function<std::int64_t()>;

struct EngineOptions {
  Clock clock;  // empty: the system clock
  // Sinks added after those in the config (tests, in-process consumers).
  std::vector<std::unique_ptr<Sink>> extra_sinks;
};

struct EngineStats {
  std::uint64_t raised = 0;     // alerts raised by rules
  std::uint64_t replayed = 0;   // events seen again at a warm start
  std::uint64_t delivered = 0;  // sink deliveries (one alert to two sinks counts two)
  std::uint64_t dead_lettered = 0;
  std::uint64_t lost = 0;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Create(const config::AlertsConfig& cfg,
                                                const audit::HmacKey& key,
                                                EngineOptions options = {});
  ~Engine();  // Shutdown()
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The observer: call after the event is committed to the trail.
  void Observe(const audit::Event& e, const audit::EventId& id);
  // Warm start: an event committed before this process started, in time
  // order, before the first Observe. The rules see it at its own time
  // (e.time_us), so windows, cool-downs and seen backends are as if the
  // process had run throughout; whatever it would raise is dropped (it
  // was raised before the restart, or its moment has passed). Returns the
  // number of alerts dropped.
  std::size_t Replay(const audit::Event& e, const audit::EventId& id);
  // How far back a warm start reads for `cfg`: alerts.warm_start, or for
  // "auto" the longest window or cool-down of its rules (milliseconds).
  static std::int64_t WarmStartMs(const config::AlertsConfig& cfg);
  // The audit chain failed verification at `at` ("modified", "deleted", ...).
  void ReportChainFailure(const audit::EventId& at, std::string_view problem);
  // Lockdown switched on/off by `principal`; always an alert (severity high).
  void ReportLockdown(bool on, std::string_view principal);

  // Waits until every queued alert has been delivered, dead-lettered or lost,
  // or `timeout` passed; true when the queues drained.
  bool Flush(std::chrono::milliseconds timeout);
  // Stops the workers; undelivered alerts go to the sinks' Abandon. Idempotent.
  void Shutdown();

  EngineStats stats() const;

 private:
  class Worker;
  Engine(std::unique_ptr<RuleSet> rules, std::vector<std::unique_ptr<Worker>> workers, Clock clock);
  void Emit(std::vector<Alert> alerts);

  std::unique_ptr<RuleSet> rules_;
  std::vector<std::unique_ptr<Worker>> workers_;
  Clock clock_;
  std::atomic<std::uint64_t> sequence_{0};
  std::atomic<std::uint64_t> raised_{0};
  std::atomic<std::uint64_t> replayed_{0};
  std::atomic<bool> shut_down_{false};
};

}  // namespace airlock::alerts
