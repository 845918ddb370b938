// What the server serves with: the parts rebuilt on reload (Runtime) and
// the parts that live as long as the process (Services). Internal.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "airlock/store/database.h"
#include "airlock/backend/backend.h"
#include "airlock/config/config.h"
#include "airlock/detect/analyzer.h"
#include "airlock/detect/index_loader.h"
#include "airlock/metrics/gateway_metrics.h"
#include "airlock/policy/policy.h"
#include "airlock/server/keys.h"
#include "airlock/server/server.h"
#include "airlock/transform/transform.h"
#include "rate_limits.h"
#include "stats_cache.h"
#include "trail.h"
#include "detection_pool.h"  // (s3-local)
#include "health.h"          // (s3-local)

namespace airlock::server {

// Rebuilt from a config on start and on SIGHUP; immutable once built.
struct Runtime {
  std::shared_ptr<const config::Config> config;
  policy::Jurisdictions jurisdictions;
  std::map<std::string, std::shared_ptr<backend::Backend>, std::less<>> backends;
  std::vector<detect::IndexScanner> indexes;  // detection.indexes, loaded with the config
};

Result<std::shared_ptr<const Runtime>> BuildRuntime(std::shared_ptr<const config::Config> config,
                                                    const LocalBackendFactory& local);

// Lockdown (docs/gateway.md): off; every workflow limited to local
// backends; or every model call refused. Persisted in the store's settings
// table so that a restart does not lift it.
enum class Lockdown : int { kOff = 0, kLocal = 1, kRefuse = 2 };
std::string_view LockdownName(Lockdown l);  // "off" | "local" | "refuse"

// Process-wide services, created once at start.
struct Services {
  std::shared_ptr<const detect::Analyzer> analyzer;
  std::shared_ptr<store::Database> db;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<Trail> trail;
  std::unique_ptr<transform::Vault> vault;
  std::string hash_key;  // keyed digests of the `hash` action
  Limiter limiter;
  std::atomic<int> lockdown{0};  // a Lockdown
  std::int64_t started_ms = 0;

  // Hooks the serve command plugs in (alerts, metrics); each may be empty.
  std::function<void(Lockdown, const std::string& principal)> on_lockdown;
  std::function<void(const std::string& problem)> on_chain_failure;
  std::function<std::string()> recent_alerts_json;  // a JSON array
  std::function<std::string()> render_metrics;      // Prometheus text
  // Time spent in one step of a model call (airlock_stage_duration_seconds).
  std::function<void(metrics::Stage, double seconds)> observe_stage;

  Lockdown lockdown_state() const { return static_cast<Lockdown>(lockdown.load()); }
  // Stores and applies a new lockdown state.
  Status SetLockdown(Lockdown l);
  HealthBoard health;       // backend health (health.h)
  DetectionPool detection;  // request scanning under detection.timeout_ms (detection_pool.h)
  // The admin calls that read the trail (admin.h, ReadsTrail), one at a
  // time, off the I/O threads.
  DetectionPool admin_reads{1, "the admin call"};
  // SIGHUP reloads (config file, adequacy list, index files), one at a time.
  DetectionPool reloads{1, "the config reload"};
  // /admin/v1/stats by hour (stats_cache.h).
  StatsCache stats_cache;

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

// Opens the store and the audit trail (trail.h says where its keys live)
// and creates the vault (vault key: configured, else random per process).
// `port` names the trail's default instance; the lockdown state is read back.
// The pseudonym vault of `vault.key` (a random key when unset); errors name
// the key. CreateServices uses it, and `serve --check`.
Result<std::unique_ptr<transform::Vault>> MakeVault(const config::Config& config);

Result<std::unique_ptr<Services>> CreateServices(const config::Config& config,
                                                 std::shared_ptr<const detect::Analyzer> analyzer, unsigned port);

}  // namespace airlock::server
