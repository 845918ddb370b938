// Per-principal token buckets and concurrency counters, and the global
// concurrency limit. Internal to the server.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace airlock::server {

class Limiter {
 public:
  struct Settings {
    double rate = 20;     // tokens per second
    double burst = 40;
    unsigned max_concurrent = 16;
  };

  // Releases the concurrency slot it holds when destroyed.
  class Slot {
   public:
    Slot() = default;
    Slot(Limiter* l, std::string key) : l_(l), key_(std::move(key)) {}
    Slot(Slot&& o) noexcept : l_(o.l_), key_(std::move(o.key_)) { o.l_ = nullptr; }
    Slot& operator=(Slot&& o) noexcept;
    ~Slot();
    bool held() const { return l_ != nullptr; }

   private:
    Limiter* l_ = nullptr;
    std::string key_;
  };

  enum class Verdict { kOk, kRate, kConcurrency };

  // Takes a token and a concurrency slot for `principal`. On kRate,
  // *retry_after_s says when a token is available.
  Verdict Acquire(const std::string& principal, const Settings& s, Slot* slot, unsigned* retry_after_s);

 private:
  struct State {
    double tokens = -1;  // < 0: not initialised
    std::chrono::steady_clock::time_point last;
    unsigned in_flight = 0;
  };
  void Release(const std::string& key);
  std::mutex mu_;
  std::unordered_map<std::string, State> states_;
};

}  // namespace airlock::server
