// HttpCall: one synchronous HTTP(S) request to a running gateway, for
// `airlock check --live` and `airlock lockdown`. TLS verifies the peer and
// its host name (system trust store, or `ca_file`); never disabled.
#pragma once

#include <chrono>
#include <string>

namespace airlock::compliance {

struct ProbeResult {
  bool ok = false;          // got an HTTP answer
  int status = 0;
  std::string error;        // transport error, when !ok
  std::string tls_version;  // negotiated, for TLS
  std::string body;
};

// `base_url` is "http(s)://host[:port][/...]" (only scheme, host and port
// are used); `target` the path and query. `max_version` caps the TLS version
// offered (0: the library's default), for probing old-protocol refusal.
// Connecting, the TLS handshake, sending and reading the answer together
// get `timeout`; past it the result is !ok with "no answer within N s".
ProbeResult HttpCall(const std::string& base_url, const std::string& method, const std::string& target,
                     const std::string& bearer, const std::string& body, const std::string& ca_file,
                     int max_version = 0, std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace airlock::compliance
