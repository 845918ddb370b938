#include "health.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "runtime.h"

namespace airlock::server {

namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

// Whether a backend call failed in a way that says the backend is unwell.
bool UpstreamFailed(const Result<backend::Reply>& reply) {
  if (reply.ok()) return reply->status >= 500;
  switch (reply.status().code()) {
    case Status::Code::kIoError:
    case Status::Code::kCorruption:
    case Status::Code::kInternal:
      return true;
    default:
      return false;  // refusals of this request (400, busy, cancelled)
  }
}

net::awaitable<void> ProbeOne(HealthBoard& board, std::shared_ptr<backend::Backend> be, unsigned timeout_ms) {
  Status st = co_await be->Probe(std::chrono::milliseconds(timeout_ms));
  if (board.Probe(be->name(), st.ok())) {
    // The probe's message names the backend and the transport error; no payload exists here.
    if (st.ok()) std::fprintf(stderr, "airlock: backend %s is healthy\n", be->name().c_str());
    else std::fprintf(stderr, "airlock: backend %s is unhealthy: %s\n", be->name().c_str(), st.message().c_str());
  }
}

net::awaitable<void> ProbeLoop(Services& s) {
  auto ex = co_await net::this_coro::executor;
  net::steady_timer timer(ex);
  std::map<std::string, Clock::time_point> due;
  for (;;) {
    const auto rt = s.runtime();
    const auto now = Clock::now();
    auto next = now + std::chrono::seconds(1);  // also picks up reloads
    for (const auto& b : rt->config->backends) {
      if (b.type != "remote" || b.health_interval_ms == 0) continue;
      auto be = rt->backends.find(b.name);
      if (be == rt->backends.end()) continue;
      auto it = due.try_emplace(b.name, now).first;
      if (it->second <= now) {
        // On a strand, like a connection's coroutine (http_server.cc): a
        // probe that times out runs Beast's timeout handler beside its read.
        net::co_spawn(net::make_strand(ex), ProbeOne(s.health, be->second, b.health_timeout_ms), net::detached);
        it->second = now + std::chrono::milliseconds(b.health_interval_ms);
      }
      next = std::min(next, it->second);
    }
    timer.expires_at(next);
    boost::system::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

}  // namespace

bool HealthBoard::Probe(std::string_view backend, bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& e = entries_[std::string(backend)];
  const State before = e.state;
  e.state = ok ? State::kHealthy : State::kUnhealthy;
  e.failures = ok ? 0 : kFailuresToUnhealthy;
  return e.state != before;
}

bool HealthBoard::Request(std::string_view backend, bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& e = entries_[std::string(backend)];
  const State before = e.state;
  if (ok) {
    e.failures = 0;
    e.state = State::kHealthy;
  } else if (++e.failures >= kFailuresToUnhealthy) {
    e.failures = kFailuresToUnhealthy;
    e.state = State::kUnhealthy;
  }
  return e.state != before;
}

HealthBoard::State HealthBoard::state(std::string_view backend) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(backend);
  return it == entries_.end() ? State::kUnknown : it->second.state;
}

std::string_view HealthStateName(HealthBoard::State s) {
  switch (s) {
    case HealthBoard::State::kHealthy: return "healthy";
    case HealthBoard::State::kUnhealthy: return "unhealthy";
    case HealthBoard::State::kUnknown: break;
  }
  return "unknown";
}

void ReportOutcome(HealthBoard& board, std::string_view backend, const Result<backend::Reply>& reply) {
  const bool failed = UpstreamFailed(reply);
  const bool answered = reply.ok() && reply->status < 400;
  if (!failed && !answered) return;  // a refusal of this request says nothing about the backend
  if (board.Request(backend, answered)) {
    std::fprintf(stderr, "airlock: backend %.*s is %s (request outcomes)\n", static_cast<int>(backend.size()),
                 backend.data(), std::string(HealthStateName(board.state(backend))).c_str());
  }
}

policy::Decision PreferHealthy(policy::Decision d, const policy::Principal& principal,
                               const config::WorkflowConfig& workflow, const std::vector<detect::Finding>& findings,
                               const config::Config& config, const policy::Jurisdictions& jurisdictions,
                               const HealthBoard& board) {
  if (!d.allowed || d.backend == nullptr || !board.unhealthy(d.backend->name)) return d;
  config::WorkflowConfig healthy = workflow;
  std::erase_if(healthy.backends, [&](const std::string& b) { return board.unhealthy(b); });
  if (healthy.backends.empty()) return d;
  policy::Decision alt = policy::Decide(principal, healthy, findings, config, jurisdictions);
  if (!alt.allowed || alt.backend == nullptr) return d;
  alt.reasons.push_back("skipped unhealthy backend " + d.backend->name + " for " + alt.backend->name);
  return alt;
}

api::Json ReadyJson(const Runtime& runtime, const HealthBoard& board) {
  api::Json backends = api::Json::object();
  for (const auto& [name, be] : runtime.backends) {
    const config::BackendConfig* b = runtime.config->FindBackend(name);
    if (b != nullptr && b->type == "local") {
      backends[name] = be->Unavailable().empty() ? "ready" : "no_model";
    } else {
      backends[name] = std::string(HealthStateName(board.state(name)));
    }
  }
  return api::Json{{"status", "ready"}, {"backends", backends}};
}

void StartHealthProbes(boost::asio::io_context& ioc, Services& services) {
  net::co_spawn(ioc, ProbeLoop(services), net::detached);
}

}  // namespace airlock::server
