#include "detection_pool.h"

#include "airlock/detect/catalog.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/detached.hpp>

#include <optional>
#include <thread>

#include <future>
#include <string>

namespace airlock::server {
namespace {

namespace net = boost::asio;

// Spawns pool.Run on `ioc`; the result lands in *out.
template <class T>
void Spawn(net::io_context& ioc, DetectionPool& pool, std::chrono::milliseconds timeout,
           std::function<Result<T>()> job, std::optional<Result<T>>* out,
           DetectionPool::Priority priority = DetectionPool::Priority::kNormal) {
  net::co_spawn(
      ioc,
      [&pool, timeout, job = std::move(job), out, priority]() mutable -> net::awaitable<void> {
        Result<T> r = co_await pool.Run<T>(timeout, std::move(job), priority);
        out->emplace(std::move(r));
      },
      net::detached);
}

template <class T>
Result<T> RunOn(DetectionPool& pool, std::chrono::milliseconds timeout, std::function<Result<T>()> job) {
  net::io_context ioc;
  std::optional<Result<T>> out;
  Spawn<T>(ioc, pool, timeout, std::move(job), &out);
  ioc.run();
  return std::move(*out);
}

TEST(DetectionPoolTest, ReturnsTheJobsResult) {
  DetectionPool pool(2);
  auto r = RunOn<int>(pool, std::chrono::seconds(30), [] { return Result<int>(42); });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, 42);
  auto e = RunOn<int>(pool, std::chrono::seconds(30), [] { return Result<int>(Status::Internal("scanner broke")); });
  EXPECT_EQ(e.status().code(), Status::Code::kInternal);
}

TEST(DetectionPoolTest, LateJobGivesUnavailableAndItsResultIsDropped) {
  DetectionPool pool(1);
  std::promise<void> started, release;
  auto released = release.get_future().share();
  std::atomic<bool> finished{false};
  net::io_context ioc;
  std::optional<Result<int>> out;
  // The job waits for the test, so it is late by construction.
  Spawn<int>(ioc, pool, std::chrono::milliseconds(500), [&started, released, &finished] {
    started.set_value();
    released.wait();
    finished = true;
    return Result<int>(7);
  }, &out);
  ioc.poll();                      // Run() arms its deadline and queues the job
  started.get_future().wait();     // the job runs before the deadline can be handled
  ioc.run();                       // the deadline passes
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status().code(), Status::Code::kUnavailable);
  EXPECT_NE(out->status().message().find("did not finish within 500 ms"), std::string::npos);
  release.set_value();
  pool.Shutdown();  // the late job still finishes on its thread; its result goes nowhere
  EXPECT_TRUE(finished);
}

// A pool for other work (the admin API's trail reads) names that work in
// its messages.
TEST(DetectionPoolTest, MessagesNameThePoolsWork) {
  DetectionPool pool(1, "the admin call");
  std::promise<void> release;
  auto released = release.get_future().share();
  auto late = RunOn<int>(pool, std::chrono::milliseconds(50), [released] {
    released.wait();
    return Result<int>(1);
  });
  EXPECT_EQ(late.status().message(), "the admin call did not finish within 50 ms");
  release.set_value();
  pool.Shutdown();
  auto refused = RunOn<int>(pool, std::chrono::seconds(30), [] { return Result<int>(2); });
  EXPECT_EQ(refused.status().message(), "the admin call is at capacity");
}

TEST(DetectionPoolTest, JobQueuedPastItsDeadlineIsSkipped) {
  DetectionPool pool(1);
  std::promise<void> release;
  auto released = release.get_future().share();
  net::io_context ioc;
  // Occupy the only thread, then queue a second job that must never run.
  std::optional<Result<int>> blocker, skipped;
  Spawn<int>(ioc, pool, std::chrono::seconds(60), [released] {
    released.wait();
    return Result<int>(1);
  }, &blocker);
  std::atomic<bool> ran{false};
  Spawn<int>(ioc, pool, std::chrono::milliseconds(1), [&ran] {
    ran = true;
    return Result<int>(2);
  }, &skipped);
  // Run the loop until the second one timed out, then let the first finish.
  while (!skipped) ioc.run_one();
  EXPECT_EQ(skipped->status().code(), Status::Code::kUnavailable);
  release.set_value();
  ioc.run();
  ASSERT_TRUE(blocker && blocker->ok());
  EXPECT_EQ(**blocker, 1);
  pool.Shutdown();
  EXPECT_FALSE(ran);
}

// Answer scans (kFirst) run before queued request scans, in their own order.
TEST(DetectionPoolTest, FirstPriorityJobsRunBeforeQueuedOnes) {
  DetectionPool pool(1);
  std::promise<void> started, release;
  auto released = release.get_future().share();
  net::io_context ioc;
  std::mutex mu;
  std::vector<int> order;
  std::optional<Result<int>> results[5];
  auto record = [&](int id) {
    return std::function<Result<int>()>([&, id] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(id);
      return Result<int>(id);
    });
  };
  Spawn<int>(ioc, pool, std::chrono::seconds(60), [&started, released] {
    started.set_value();
    released.wait();
    return Result<int>(0);
  }, &results[0]);
  // The blocker holds the only thread before the others are queued.
  auto is_started = started.get_future();
  while (is_started.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) ioc.poll_one();
  Spawn<int>(ioc, pool, std::chrono::seconds(60), record(1), &results[1]);
  Spawn<int>(ioc, pool, std::chrono::seconds(60), record(2), &results[2], DetectionPool::Priority::kFirst);
  Spawn<int>(ioc, pool, std::chrono::seconds(60), record(3), &results[3]);
  Spawn<int>(ioc, pool, std::chrono::seconds(60), record(4), &results[4], DetectionPool::Priority::kFirst);
  // Queue them all (each coroutine posts its job on its first step).
  ioc.poll();
  release.set_value();
  ioc.run();
  for (auto& r : results) ASSERT_TRUE(r && r->ok());
  EXPECT_EQ(order, (std::vector<int>{2, 4, 1, 3}));
}

// A late analysis is told to stop: the one detection thread is free again
// at once instead of after the scan. One-statement lines are the slowest
// text known for the built-in catalog (1 MiB takes about 10 s here).
TEST(DetectionPoolTest, LateAnalysisIsCancelledAndFreesItsThread) {
  auto catalog = detect::Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto analyzer = detect::Analyzer::Create(std::move(*catalog), {});
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  std::string slow;
  for (int i = 0; i < (1 << 19); ++i) slow += ";\n";
  DetectionPool pool(1);
  std::promise<Status> first_status;
  auto first = RunOn<int>(pool, std::chrono::milliseconds(50), [&, a = *analyzer] {
    auto r = a->Analyze(slow);
    first_status.set_value(r.ok() ? Status::Ok() : r.status());
    return Result<int>(0);
  });
  EXPECT_EQ(first.status().code(), Status::Code::kUnavailable);
  // The next job gets the thread well within its own deadline.
  auto second = RunOn<int>(pool, std::chrono::seconds(5), [] { return Result<int>(42); });
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(*second, 42);
  const Status s = first_status.get_future().get();
  EXPECT_EQ(s.code(), Status::Code::kCancelled) << s.ToString();
  // Outside a pool job nothing cancels: the same analyzer answers in full.
  auto plain = (*analyzer)->Analyze("IBAN DE89 3704 0044 0532 0130 00");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->size(), 1u);
}

TEST(DetectionPoolTest, ShutdownWithinJoinsJobsThatFinishInTime) {
  DetectionPool pool(1, "the test");
  std::atomic<bool> ran{false};
  std::promise<void> started;
  ASSERT_TRUE(pool.Start([&] {
    started.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ran = true;
  }));
  started.get_future().wait();  // (a job still queued would be dropped)
  EXPECT_TRUE(pool.ShutdownWithin(std::chrono::seconds(10)));
  EXPECT_TRUE(ran.load());
  EXPECT_FALSE(pool.Start([] {})) << "a stopped pool takes no more jobs";
}

TEST(DetectionPoolTest, ShutdownWithinGivesUpOnABlockedJob) {
  // The abandoned thread keeps using its pool, which therefore must never
  // be destroyed: it is reachable from here to the end of the process.
  static DetectionPool* const pool = new DetectionPool(1, "the test");
  static std::promise<void> release;
  static std::atomic<bool> finished{false};
  std::promise<void> started;
  ASSERT_TRUE(pool->Start([&started] {
    started.set_value();
    release.get_future().wait();  // blocked, like a read of a FIFO
    finished = true;
  }));
  started.get_future().wait();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(pool->ShutdownWithin(std::chrono::milliseconds(100)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "it did not wait for the job";
  EXPECT_FALSE(finished.load());
  release.set_value();  // the detached thread finishes its job and leaves
  for (int i = 0; i < 500 && !finished.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(finished.load());
}

TEST(DetectionPoolTest, OwnedSlotsSurviveTheRequest) {
  std::shared_ptr<const OwnedSlots> owned;
  {
    api::Json body = {{"messages", {{{"role", "user"}, {"content", "hello there"}}}}};
    auto slots = api::RequestTexts(api::Endpoint::kChat, body);
    owned = OwnSlots(slots);
  }
  ASSERT_EQ(owned->slots.size(), 1u);
  EXPECT_EQ(*owned->slots[0].text, "hello there");
  EXPECT_EQ(owned->slots[0].where, "messages[0].content");
}

TEST(DetectionPoolTest, ErrorsSayWhatHappened) {
  auto t = DetectionError(Status::Unavailable("detection did not finish within 5 ms"), "nothing was forwarded");
  EXPECT_EQ(t.http_status, 503);
  EXPECT_EQ(t.code, "detection_timeout");
  EXPECT_EQ(t.message, "detection did not finish within 5 ms; nothing was forwarded");
  auto f = DetectionError(Status::Internal("whatever the scanner said"), "nothing was forwarded");
  EXPECT_EQ(f.code, "detection_failed");
  EXPECT_EQ(f.message.find("scanner said"), std::string::npos);
}

}  // namespace
}  // namespace airlock::server
