// Observability: the gateway's metrics (src/metrics) and alerts
// (src/alerts), fed by the audit trail. Both observe every committed event;
// the admin API's `alerts` call reads the latest alerts kept here; lockdown
// changes and chain-verification problems are raised as alerts.
//
// Lifetime: created after the services, before listening; Shutdown() after
// the trail is closed (flushes the alert sinks; undelivered webhook alerts
// go to their dead-letter file).
#pragma once

#include <memory>

#include "airlock/config/config.h"
#include "airlock/core/status.h"
#include "runtime.h"

namespace airlock::alerts {
class Engine;
}
namespace airlock::metrics {
class GatewayMetrics;
}

namespace airlock::server {

class Gateway;

class Observability {
 public:
  // Plugs metrics and alerts into `s` (trail observers and the hooks of
  // runtime.h). `in_flight` is read at scrape time.
  static Result<std::unique_ptr<Observability>> Start(Services& s, const config::Config& cfg,
                                                      std::function<double()> in_flight);
  ~Observability();
  void Shutdown();

 private:
  Observability() = default;
  std::shared_ptr<metrics::GatewayMetrics> metrics_;
  std::shared_ptr<alerts::Engine> alerts_;
};

}  // namespace airlock::server
