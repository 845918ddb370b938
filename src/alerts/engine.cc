#include "airlock/alerts/engine.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace airlock::alerts {

// One sink, its bounded queue and the thread that drains it.
class Engine::Worker {
 public:
  Worker(std::unique_ptr<Sink> sink, std::size_t capacity)
      : sink_(std::move(sink)),
        capacity_(capacity == 0 ? 1 : capacity),
        thread_([this] { Run(); }) {}

  ~Worker() { Stop(); }

  // Caller's thread: never waits for the sink.
  void Push(const Alert& a) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopped_ && queue_.size() < capacity_) {
        queue_.push_back(a);
        cv_.notify_one();
        return;
      }
    }
    const Outcome o = sink_->Abandon({a});
    std::lock_guard<std::mutex> lock(mu_);
    totals_ += o;
  }

  bool WaitIdle(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return idle_cv_.wait_until(lock, deadline, [this] { return queue_.empty() && !busy_; });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    stop_.Request();
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::vector<Alert> rest;
    {
      std::lock_guard<std::mutex> lock(mu_);
      rest.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
    }
    const Outcome o = sink_->Abandon(rest);
    std::lock_guard<std::mutex> lock(mu_);
    totals_ += o;
    idle_cv_.notify_all();
  }

  Outcome totals() const {
    std::lock_guard<std::mutex> lock(mu_);
    return totals_;
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stopped_ || !queue_.empty(); });
      if (stopped_) return;  // Stop() abandons what is queued
      std::vector<Alert> batch(std::make_move_iterator(queue_.begin()),
                               std::make_move_iterator(queue_.end()));
      queue_.clear();
      busy_ = true;
      lock.unlock();
      const Outcome o = sink_->Deliver(batch, stop_);
      lock.lock();
      totals_ += o;
      busy_ = false;
      idle_cv_.notify_all();
    }
  }

  std::unique_ptr<Sink> sink_;
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;       // work or stop
  std::condition_variable idle_cv_;  // queue drained
  std::deque<Alert> queue_;
  bool busy_ = false;
  bool stopped_ = false;
  Outcome totals_;
  StopSignal stop_;
  std::thread thread_;  // last: starts after the members it uses
};

Engine::Engine(std::unique_ptr<RuleSet> rules, std::vector<std::unique_ptr<Worker>> workers,
               Clock clock)
    : rules_(std::move(rules)), workers_(std::move(workers)), clock_(std::move(clock)) {}

Engine::~Engine() { Shutdown(); }

Result<std::unique_ptr<Engine>> Engine::Create(const config::AlertsConfig& cfg,
                                               const audit::HmacKey& key, EngineOptions options) {
  auto rules = RuleSet::Create(cfg, key);
  if (!rules.ok()) return rules.status();
  std::vector<std::unique_ptr<Sink>> sinks;
  for (const auto& sc : cfg.sinks) {
    auto sink = MakeSink(sc);
    if (!sink.ok()) return sink.status();
    sinks.push_back(std::move(*sink));
  }
  for (auto& s : options.extra_sinks) sinks.push_back(std::move(s));
  std::vector<std::unique_ptr<Worker>> workers;
  for (auto& s : sinks) workers.push_back(std::make_unique<Worker>(std::move(s), cfg.queue_size));
  Clock clock = options.clock ? std::move(options.clock) : Clock([] {
    return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
  });
  return std::unique_ptr<Engine>(
      new Engine(std::move(*rules), std::move(workers), std::move(clock)));
}

void Engine::Emit(std::vector<Alert> alerts) {
  for (Alert& a : alerts) {
    a.id = std::to_string(a.time_us) + "-" + std::to_string(sequence_.fetch_add(1) + 1);
    raised_.fetch_add(1);
    if (shut_down_.load()) continue;
    for (auto& w : workers_) w->Push(a);
  }
}

void Engine::Observe(const audit::Event& e, const audit::EventId& id) {
  Emit(rules_->Observe(e, id, clock_()));
}

std::size_t Engine::Replay(const audit::Event& e, const audit::EventId& id) {
  replayed_.fetch_add(1);
  return rules_->Observe(e, id, e.time_us).size();
}

std::int64_t Engine::WarmStartMs(const config::AlertsConfig& cfg) {
  if (cfg.warm_start_ms != config::AlertsConfig::kWarmStartAuto) return cfg.warm_start_ms;
  std::int64_t ms = 0;
  for (const auto& r : cfg.rules) {
    if (r.type == "threshold") ms = std::max<std::int64_t>(ms, r.window_ms);
    ms = std::max<std::int64_t>(ms, r.cooldown_ms);
  }
  return ms;
}

void Engine::ReportChainFailure(const audit::EventId& at, std::string_view problem) {
  Emit(rules_->ChainFailure(at, problem, clock_()));
}

void Engine::ReportLockdown(bool on, std::string_view principal) {
  Emit({rules_->Lockdown(on, principal, clock_())});
}

bool Engine::Flush(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool drained = true;
  for (auto& w : workers_) drained = w->WaitIdle(deadline) && drained;
  return drained;
}

void Engine::Shutdown() {
  if (shut_down_.exchange(true)) return;
  for (auto& w : workers_) w->Stop();
}

EngineStats Engine::stats() const {
  EngineStats s;
  s.raised = raised_.load();
  s.replayed = replayed_.load();
  for (const auto& w : workers_) {
    const Outcome o = w->totals();
    s.delivered += o.delivered;
    s.dead_lettered += o.dead_lettered;
    s.lost += o.lost;
  }
  return s;
}

}  // namespace airlock::alerts
