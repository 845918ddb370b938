// Backend health: what the gateway knows about each backend's reachability,
// how routing uses it, and how it is learnt. Internal to the server.
//
// Learnt two ways:
//  - Probes: every backend's health_interval_ms (remote backends only), a
//    GET {url}/models with its credentials (Backend::Probe) bounded by
//    health_timeout_ms. A probe's answer decides at once.
//  - Passively, from requests: kFailuresToUnhealthy upstream failures in a
//    row (no answer, a broken answer, HTTP 5xx) mark a backend unhealthy;
//    one success marks it healthy. A refusal of the client's request (4xx,
//    the local engine's 400/503 answers) says nothing about health.
//
// Routing: an unhealthy backend is skipped only in favour of another
// backend that the policy also allows for this very request: the decision
// is re-made by policy::Decide over the workflow's backends without the
// unhealthy ones, so residency and every other rule hold as before. When
// no such backend exists the original decision stands (it may have
// recovered; the request fails as it would have if not).
//
// Thread-safety: HealthBoard is safe for concurrent use.
#pragma once

#include <utility>  // before asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/api/openai.h"
#include "airlock/backend/backend.h"
#include "airlock/policy/policy.h"

namespace airlock::server {

struct Runtime;
struct Services;

class HealthBoard {
 public:
  enum class State { kUnknown, kHealthy, kUnhealthy };
  static constexpr int kFailuresToUnhealthy = 2;

  // A probe's outcome. Returns true when the state changed.
  bool Probe(std::string_view backend, bool ok);
  // A forwarded request's outcome (passive). Returns true when the state changed.
  bool Request(std::string_view backend, bool ok);

  State state(std::string_view backend) const;
  bool unhealthy(std::string_view backend) const { return state(backend) == State::kUnhealthy; }

 private:
  struct Entry {
    State state = State::kUnknown;
    int failures = 0;  // consecutive failed requests
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;  // guarded by mu_
};

std::string_view HealthStateName(HealthBoard::State s);

// Records a backend call's outcome on the board (see above for what counts).
void ReportOutcome(HealthBoard& board, std::string_view backend, const Result<backend::Reply>& reply);

// The decision with unhealthy backends skipped where the policy allows
// another backend (see above); otherwise `d` unchanged.
policy::Decision PreferHealthy(policy::Decision d, const policy::Principal& principal,
                               const config::WorkflowConfig& workflow, const std::vector<detect::Finding>& findings,
                               const config::Config& config, const policy::Jurisdictions& jurisdictions,
                               const HealthBoard& board);

// /readyz's body: {"status": "ready", "backends": {"NAME": "healthy" |
// "unhealthy" | "unknown" | "ready" | "no_model"}}; names and states only.
api::Json ReadyJson(const Runtime& runtime, const HealthBoard& board);

// Starts the probe loop on `ioc` (it follows config reloads). It runs until
// the io_context stops. REQUIRES: `services` outlives the io_context's run.
void StartHealthProbes(boost::asio::io_context& ioc, Services& services);

}  // namespace airlock::server
