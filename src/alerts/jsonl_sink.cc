#include "internal/sinks.h"

#include "internal/files.h"

namespace airlock::alerts::internal {

namespace {

class JsonlSink final : public Sink {
 public:
  explicit JsonlSink(std::string path) : path_(std::move(path)) {}
  std::string Describe() const override { return "jsonl " + path_; }
  Outcome Deliver(const std::vector<Alert>& batch, const StopSignal&) override {
    return Write(batch);
  }
  // A full queue or shutdown: the file is local, so write it now.
  Outcome Abandon(const std::vector<Alert>& batch) override { return Write(batch); }

 private:
  Outcome Write(const std::vector<Alert>& batch) {
    Outcome o;
    (AppendAlerts(path_, batch).ok() ? o.delivered : o.lost) = batch.size();
    return o;
  }
  std::string path_;
};

}  // namespace

std::unique_ptr<Sink> MakeJsonlSink(const config::AlertSinkConfig& cfg) {
  return std::make_unique<JsonlSink>(cfg.path);
}

}  // namespace airlock::alerts::internal
