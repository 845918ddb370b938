#include "airlock/alerts/sink.h"

#include "internal/sinks.h"

namespace airlock::alerts {

void StopSignal::Request() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
}

bool StopSignal::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

bool StopSignal::SleepFor(std::chrono::milliseconds d) const {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

Result<std::unique_ptr<Sink>> MakeSink(const config::AlertSinkConfig& cfg) {
  Result<std::unique_ptr<Sink>> r = Status::InvalidArgument("unknown alert sink type");
  if (cfg.type == "jsonl")
    r = internal::MakeJsonlSink(cfg);
  else if (cfg.type == "webhook")
    r = internal::MakeWebhookSink(cfg);
  else if (cfg.type == "syslog")
    r = internal::MakeSyslogSink(cfg);
  if (!r.ok() && !cfg.source.empty()) return r.status().WithContext(cfg.source);
  return r;
}

}  // namespace airlock::alerts
