// What the server serves with: the parts rebuilt on reload (Runtime) and
// the parts that live as long as the process (Services). Internal.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "airlock/store/request_log.h"
#include "airlock/backend/backend.h"
#include "airlock/config/config.h"
#include "airlock/detect/analyzer.h"
#include "airlock/policy/policy.h"
#include "airlock/server/keys.h"
#include "airlock/server/server.h"
#include "airlock/transform/transform.h"
#include "rate_limits.h"
#include "detection_pool.h"  // (s3-local)
#include "health.h"          // (s3-local)

namespace airlock::server {

// Rebuilt from a config on start and on SIGHUP; immutable once built.
struct Runtime {
  std::shared_ptr<const config::Config> config;
  policy::Jurisdictions jurisdictions;
  std::map<std::string, std::shared_ptr<backend::Backend>, std::less<>> backends;
};

Result<std::shared_ptr<const Runtime>> BuildRuntime(std::shared_ptr<const config::Config> config,
                                                    const LocalBackendFactory& local);

// Process-wide services, created once at start.
struct Services {
  std::shared_ptr<const detect::Analyzer> analyzer;
  std::shared_ptr<store::Database> db;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<store::RequestLog> audit;
  std::unique_ptr<transform::Vault> vault;
  std::string hash_key;  // keyed digests of the `hash` action
  Limiter limiter;
  HealthBoard health;       // backend health (health.h)
  DetectionPool detection;  // request scanning under detection.timeout_ms (detection_pool.h)

  std::shared_ptr<const Runtime> runtime() const {
    std::lock_guard<std::mutex> lock(mu_);
    return runtime_;
  }
  void set_runtime(std::shared_ptr<const Runtime> r) {
    std::lock_guard<std::mutex> lock(mu_);
    runtime_ = std::move(r);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Runtime> runtime_;
};

// Opens the store and creates the audit log and vault from the config's
// secrets (audit key: configured, else var/audit.key next to the store,
// created on first start; vault key: configured, else random per process).
Result<std::unique_ptr<Services>> CreateServices(const config::Config& config,
                                                 std::shared_ptr<const detect::Analyzer> analyzer);

}  // namespace airlock::server
