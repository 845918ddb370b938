// Detection under a deadline: request scanning runs on a bounded pool of
// threads and the request waits for it at most detection.timeout_ms.
// Internal to the server.
//
//   DetectionPool pool(threads);
//   Result<T> r = co_await pool.Run<T>(timeout, [owned inputs] { return Scan(...); });
//   // r is kUnavailable ("... did not finish within N ms") when late
//
// Why a pool: a deadline can only be honest if the request stops waiting
// while the scan goes on elsewhere. A late scan is told to stop (the job
// runs under a detect::CancelScope on the race's flag, so Analyze returns
// kCancelled within milliseconds) and its result is discarded; a job still
// queued when its deadline passed is skipped. The request answers 503 and
// forwards nothing (fail closed). The job must own its inputs (the request
// may be gone when it runs).
//
// Thread-safety: Run may be called concurrently from any coroutine.
#pragma once

#include <utility>  // before asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "airlock/api/openai.h"
#include "airlock/backend/coroutine_signal.h"
#include "airlock/core/status.h"
#include "airlock/detect/analyzer.h"

namespace airlock::server {

class DetectionPool {
 public:
  // threads == 0: one per hardware thread. `what` names the work in the
  // messages of late or refused jobs ("detection did not finish within N ms").
  explicit DetectionPool(unsigned threads = 0, std::string what = "detection");
  ~DetectionPool();  // Shutdown()

  // Skips queued jobs, lets running ones finish (their waiters are posted
  // to their executors) and joins. The server calls it after its event
  // loop stopped and before the io_context goes. Idempotent.
  void Shutdown();
  // Shutdown that waits at most `grace` for the running jobs. False when
  // one is still running then (blocked on a file, say): its thread is
  // detached and still uses this pool, so the caller must end the process
  // (std::_Exit) without destroying the pool or what the job uses.
  bool ShutdownWithin(std::chrono::milliseconds grace);
  DetectionPool(const DetectionPool&) = delete;
  DetectionPool& operator=(const DetectionPool&) = delete;

  // kFirst jobs run before every queued kNormal one (in their own order):
  // the scan of an answer finishes a call that has already been forwarded
  // and paid for, so it does not wait behind new requests' scans.
  enum class Priority { kNormal, kFirst };

  template <class T>
  boost::asio::awaitable<Result<T>> Run(std::chrono::milliseconds timeout, std::function<Result<T>()> job,
                                        Priority priority = Priority::kNormal);

  // Runs `job` on the pool without waiting for it (no deadline). False when
  // the queue is full or the pool has shut down.
  bool Start(std::function<void()> job) { return Post(std::move(job), Priority::kNormal); }

 private:
  static constexpr std::size_t kMaxQueued = 4096;  // more waiting: refuse at once (503)
  bool Post(std::function<void()> job, Priority priority);  // false: queue full or shut down
  void StopTaking();  // drops queued jobs and wakes the threads to leave
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;          // running_ fell
  unsigned running_ = 0;                     // jobs being run; guarded by mu_
  std::deque<std::function<void()>> jobs_;   // guarded by mu_
  std::deque<std::function<void()>> first_;  // kFirst jobs; guarded by mu_
  bool stop_ = false;                       // guarded by mu_
  std::vector<std::thread> threads_;
  const std::string what_;
};

template <class T>
boost::asio::awaitable<Result<T>> DetectionPool::Run(std::chrono::milliseconds timeout, std::function<Result<T>()> job,
                                                     Priority priority) {
  // Whoever settles first (the job or the timer) writes the result.
  struct Race {
    std::atomic<bool> settled{false};
    std::optional<Result<T>> result;
    backend::CoroutineSignal signal;
  };
  auto race = std::make_shared<Race>();
  auto ex = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(ex, timeout);
  timer.async_wait([race, timeout, what = what_](const boost::system::error_code& ec) {
    if (ec || race->settled.exchange(true)) return;
    race->result.emplace(Status::Unavailable(what + " did not finish within " + std::to_string(timeout.count()) + " ms"));
    race->signal.Notify();
  });
  const bool queued = Post([race, job = std::move(job)] {
    if (race->settled.load()) return;  // its deadline passed while queued
    // Once the timer has answered, analysis on this thread stops early
    // (detect::CancelScope) instead of running on for nobody.
    detect::CancelScope cancel(&race->settled);
    Result<T> r = job();
    if (race->settled.exchange(true)) return;
    race->result.emplace(std::move(r));
    race->signal.Notify();
  }, priority);
  if (!queued) {
    timer.cancel();
    co_return Status::Unavailable(what_ + " is at capacity");
  }
  co_await race->signal.Wait();
  timer.cancel();
  Result<T> out = std::move(*race->result);
  co_return out;
}

// Request text slots copied so that a pool job owns them (TextSlot points
// into the request's JSON, which a late job must not touch).
struct OwnedSlots {
  std::vector<std::string> texts;
  std::vector<api::TextSlot> slots;  // point into `texts`
};
std::shared_ptr<const OwnedSlots> OwnSlots(const std::vector<api::TextSlot>& slots);

// The client's answer when scanning failed or ran late: 503
// detection_timeout / detection_failed, "...; <consequence>".
api::ApiError DetectionError(const Status& status, const std::string& consequence);

}  // namespace airlock::server
