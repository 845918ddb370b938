// CoroutineSignal: wakes a waiting coroutine from any thread.
//
// Work that runs off the event loop (the llama.cpp scheduler thread, an
// embedding worker, a detection pool thread) hands its result back to the
// coroutine that waits for it:
//
//   auto sig = std::make_shared<CoroutineSignal>();
//   worker.Post([sig, ...] { ...store the result...; sig->Notify(); });
//   co_await sig->Wait();   // resumes on the coroutine's own executor
//
// A Notify with no waiter is remembered (one pending wake), so a result
// stored before Wait() is never missed; the waiter re-checks its state after
// each wake. Close() is for shutdown: once the event loop has stopped, a
// waiting coroutine must not be posted to an executor that is about to go,
// so it is destroyed instead and later Notify calls do nothing.
//
// Thread-safety: Notify and Close from any thread; one Wait at a time.
#pragma once

#include <utility>  // before asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <mutex>

namespace airlock::backend {

class CoroutineSignal {
 public:
  boost::asio::awaitable<void> Wait() {
    namespace net = boost::asio;
    co_await net::async_initiate<const net::use_awaitable_t<>&, void()>(
        [this](auto handler) {
          std::unique_lock<std::mutex> lock(mu_);
          if (closed_) return;  // shutting down: the handler (and its frame) is dropped
          if (pending_) {
            pending_ = false;
            lock.unlock();
            auto ex = net::get_associated_executor(handler);
            net::post(ex, std::move(handler));
            return;
          }
          waiter_ = std::make_unique<Waiter<decltype(handler)>>(std::move(handler));
        },
        net::use_awaitable);
  }

  void Notify() {
    std::unique_ptr<WaiterBase> w;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
      if (!waiter_) {
        pending_ = true;
        return;
      }
      w = std::move(waiter_);
    }
    w->Fire();
  }

  void Close() {
    std::unique_ptr<WaiterBase> dropped;  // destroyed after the lock is released
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    dropped = std::move(waiter_);
  }

 private:
  struct WaiterBase {
    virtual ~WaiterBase() = default;
    virtual void Fire() = 0;
  };
  template <class H>
  struct Waiter final : WaiterBase {
    explicit Waiter(H&& h) : handler(std::move(h)) {}
    void Fire() override {
      auto ex = boost::asio::get_associated_executor(handler);
      boost::asio::post(ex, std::move(handler));
    }
    H handler;
  };

  std::mutex mu_;
  bool pending_ = false;                // guarded by mu_
  bool closed_ = false;                 // guarded by mu_
  std::unique_ptr<WaiterBase> waiter_;  // guarded by mu_
};

}  // namespace airlock::backend
