// Backend: where a request goes once policy has allowed it.
//
// A Backend answers OpenAI-shaped requests (chat completions, completions,
// embeddings; api::Request) with OpenAI-shaped responses. The gateway only
// calls a backend after detection, policy, transformation and the audit
// event are done: what it receives is what may leave.
//
//   co_await backend->Complete(request)          // whole response
//   co_await backend->Stream(request, sink)      // SSE events to sink
//
// Both are coroutines on the caller's executor (boost::asio::awaitable), so a
// request waiting on a model does not hold a thread. A backend that blocks
// (the in-process llama.cpp engine) adapts by running its work elsewhere
// (a thread of its own, a token callback that posts to the caller's
// executor) and resuming the coroutine when done; see docs/gateway.md.
//
// Errors: a Status (IoError for connection, TLS and timeout failures,
// Corruption for a response that is not OpenAI-shaped JSON) means nothing
// usable came back, and the gateway answers 502. An upstream HTTP error is
// not a Status: it comes back as a Reply with its status and body.
// Backends never retry on another backend; the policy alone picks backends.
//
// Thread-safety: a Backend is shared by all requests and must be safe for
// concurrent calls.
#pragma once

#include <utility>  // before asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "airlock/api/openai.h"
#include "airlock/core/status.h"

namespace airlock::backend {

struct Reply {
  int status = 0;   // upstream HTTP status (200 for success)
  api::Json body;   // the parsed response (non-streamed), or the error body
};

// Receives each SSE event's data ("{...}" chunks; "[DONE]" is not passed on).
// Returns false to stop the stream (the client went away); the backend then
// abandons the upstream request.
using EventSink = std::function<boost::asio::awaitable<bool>(std::string data)>;

class Backend {
 public:
  virtual ~Backend() = default;

  virtual const std::string& name() const = 0;

  // Not ready to serve (e.g. a local backend without a model): the reason,
  // which the gateway returns as a 503 message. Empty when ready.
  virtual std::string Unavailable() const { return {}; }

  // For a local model: the file served, the SHA-256 pin from the config and
  // the SHA-256 verified when the file was loaded (lower-case hex; empty when
  // the model runs unpinned). All empty for remote and modelless backends. The admin API reports it; `airlock check --live`
  // compares pin and served hash.
  struct ModelIdentity {
    std::string file, pinned_sha256, served_sha256;
  };
  virtual ModelIdentity Model() const { return {}; }
  // Requests waiting for this backend's own capacity (the local engine's
  // queue); 0 for backends without one. For metrics.
  virtual std::size_t Waiting() const { return 0; }

  // The whole response to a non-streamed request (any endpoint).
  virtual boost::asio::awaitable<Result<Reply>> Complete(const api::Request& request) = 0;

  // A health probe (remote: GET {url}/models with the credentials, on a
  // fresh connection, within `timeout`). OK when the backend answers 2xx;
  // otherwise why not (no payload ever). Backends with nothing to probe
  // answer OK.
  virtual boost::asio::awaitable<Status> Probe(std::chrono::milliseconds timeout) {
    (void)timeout;
    co_return Status::Ok();
  }

  // Closes pooled idle connections. The server calls it once its event loop
  // has stopped and before the loop is destroyed, so no socket outlives it.
  virtual void CloseIdle() {}

  // A streamed chat or completion request: events go to `sink` in order.
  // Returns the upstream status: 200 once the stream ended ([DONE] or
  // end of body) or the sink stopped it; an upstream error as a Reply
  // with its body and no events.
  virtual boost::asio::awaitable<Result<Reply>> Stream(const api::Request& request, EventSink sink) = 0;
};

}  // namespace airlock::backend
