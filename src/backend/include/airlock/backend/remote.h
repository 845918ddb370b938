// RemoteBackend: any OpenAI-compatible endpoint over HTTP/1.1 (HTTPS in
// production; plain HTTP is accepted for loopback stand-ins and inside a
// trusted network).
//
// - TLS: certificate and host-name verification are on; `ca_bundle` replaces
//   the system trust store; SNI is sent. Verification is off only with an
//   explicit insecure_skip_verify.
// - Connections are kept alive and reused (up to max_idle per backend); a
//   reused connection that the upstream had closed is replaced once,
//   transparently, on the same backend.
// - Timeouts: connect (DNS + TCP + TLS), and the response (whole response
//   when non-streamed; the gap between bytes when streamed).
// - The API key goes into the Authorization header only; it is never logged
//   or put in an error message.
#pragma once

#include <memory>
#include <string>

#include "airlock/backend/backend.h"

namespace airlock::backend {

struct RemoteOptions {
  std::string name;
  std::string url;           // base URL, e.g. https://api.example.eu/v1
  std::string model;         // replaces the request's model; empty: keep
  std::string api_key;       // empty: no Authorization header
  std::string ca_bundle;     // empty: system trust store
  bool tls_verify = true;
  unsigned connect_timeout_ms = 5000;
  unsigned timeout_ms = 60000;
  unsigned max_idle = 8;
  std::size_t max_response_bytes = 64 << 20;
};

// Fails on a malformed URL or an unreadable CA bundle.
Result<std::shared_ptr<Backend>> CreateRemoteBackend(RemoteOptions options);

}  // namespace airlock::backend
