// The gateway server: `airlock serve`.
//
//   ServeOptions o;
//   o.config_path = "airlock.yaml";          // empty: the built-in default
//   o.listen = "127.0.0.1:0";                // overrides server.listen
//   o.analyzer = BuildAnalyzer(...);         // the detection engine
//   Status s = Serve(o);                     // blocks until SIGTERM/SIGINT
//
// One io_context, run by one thread per core (server.threads); each
// connection is a C++20 coroutine (boost::asio::awaitable) reading HTTP/1.1
// requests with keep-alive, header/body limits and timeouts. Each model
// request runs the pipeline of docs/gateway.md: auth → parse → workflow →
// minimise → detect → policy → transform → audit (committed) → backend →
// output scan → rehydrate → audit completion.
//
// Signals: SIGTERM/SIGINT stop accepting, let in-flight requests finish (up
// to server.drain_timeout_ms) and return. SIGHUP reloads the config file:
// a config that fails to load or validate is rejected with its reason on
// standard error and the old one keeps serving.
//
// Standard error gets one line per start, reload and stop, and the bound
// address ("airlock: listening on http://127.0.0.1:8080"); never payload.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "airlock/backend/backend.h"
#include "airlock/config/config.h"
#include "airlock/core/status.h"
#include "airlock/detect/analyzer.h"

namespace airlock::server {

// Makes the backend for a `type: local` entry (the llama.cpp engine). When
// unset, local backends answer 503 with how to add a model.
using LocalBackendFactory =
    std::function<Result<std::shared_ptr<backend::Backend>>(const config::BackendConfig&)>;

struct ServeOptions {
  std::string config_path;  // empty: config::Default()
  std::string listen;       // "HOST:PORT"; empty: the config's server.listen
  std::shared_ptr<const detect::Analyzer> analyzer;  // required
  LocalBackendFactory local_backend;
};

// Runs until a stop signal; returns the reason it could not start otherwise.
Status Serve(const ServeOptions& options);

// Loads and validates config_path (or returns the built-in default).
Result<std::shared_ptr<const config::Config>> LoadConfig(const std::string& config_path);

// Checks a `type: local` entry's model as serve would load it, without
// loading it (pin, structure, memory budget); returns one line saying what
// serve would load.
using LocalModelCheck = std::function<Result<std::string>(const config::BackendConfig&)>;

// Everything `serve` would do before listening, without listening or
// writing anything: the config, backend secrets and CA bundles, the
// adequacy file, the detection indexes, the audit and vault keys given by
// reference, the TLS certificate and key, every alert sink, the gateway's
// store file and the audit store (reachable, signing key loads), and each
// local backend's model through `local` (null: not checked). Returns one
// line per store and local backend saying what was found (no secrets).
// For `airlock serve --check`.
Result<std::vector<std::string>> CheckConfig(const std::string& config_path, const LocalModelCheck& local);

}  // namespace airlock::server
