#include "detection_pool.h"

namespace airlock::server {

DetectionPool::DetectionPool(unsigned threads, std::string what) : what_(std::move(what)) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

DetectionPool::~DetectionPool() { Shutdown(); }

void DetectionPool::StopTaking() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    jobs_.clear();
    first_.clear();
  }
  cv_.notify_all();
}

void DetectionPool::Shutdown() {
  StopTaking();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

bool DetectionPool::ShutdownWithin(std::chrono::milliseconds grace) {
  StopTaking();
  bool idle = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    idle = idle_cv_.wait_for(lock, grace, [this] { return running_ == 0; });
  }
  for (auto& t : threads_) {
    if (idle) t.join();  // every thread is leaving its loop
    else t.detach();
  }
  threads_.clear();
  return idle;
}

bool DetectionPool::Post(std::function<void()> job, Priority priority) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || jobs_.size() + first_.size() >= kMaxQueued) return false;
    (priority == Priority::kFirst ? first_ : jobs_).push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void DetectionPool::Loop() {
  bool ran = false;  // a job of this thread finished since it last held mu_
  for (;;) {
    std::function<void()> job;  // (what a job holds goes before it counts as finished)
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (ran && --running_ == 0) idle_cv_.notify_all();
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty() || !first_.empty(); });
      if (stop_) return;
      auto& queue = first_.empty() ? jobs_ : first_;
      job = std::move(queue.front());
      queue.pop_front();
      ++running_;
    }
    job();
    ran = true;
  }
}

std::shared_ptr<const OwnedSlots> OwnSlots(const std::vector<api::TextSlot>& slots) {
  auto owned = std::make_shared<OwnedSlots>();
  owned->texts.reserve(slots.size());
  for (const auto& sl : slots) owned->texts.push_back(*sl.text);
  owned->slots = slots;
  for (std::size_t i = 0; i < slots.size(); ++i) owned->slots[i].text = &owned->texts[i];
  return owned;
}

api::ApiError DetectionError(const Status& status, const std::string& consequence) {
  api::ApiError e;
  e.http_status = 503;
  e.type = "service_unavailable";
  // Only the pool's own messages are passed on; an analyzer's are not client material.
  if (status.code() == Status::Code::kUnavailable) {
    e.code = "detection_timeout";
    e.message = status.message() + "; " + consequence;
  } else {
    e.code = "detection_failed";
    e.message = "detection failed; " + consequence;
  }
  return e;
}

}  // namespace airlock::server
