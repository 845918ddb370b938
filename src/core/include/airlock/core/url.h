// http(s) URLs as the configuration names them: backends, webhooks, the
// gateway probed by `airlock check --live`.
//
//   HttpUrl u;
//   if (Status s = ParseHttpUrl("https://[::1]:8443/v1/", &u); !s.ok()) ...
//   // u.tls, u.host == "::1", u.port == "8443", u.path == "/v1/"
#pragma once

#include <string>
#include <string_view>

#include "airlock/core/status.h"

namespace airlock {

struct HttpUrl {
  bool tls = false;
  std::string host;  // without the brackets of an IPv6 address
  std::string port;  // as written, or 443 / 80 by scheme
  std::string path;  // from the first '/' after the host as written; "" when none
};

// "http(s)://host[:port][/path]", the host a name, IPv4 or [IPv6]. The
// error says what is wrong (never quotes the URL, which may carry a token).
Status ParseHttpUrl(std::string_view url, HttpUrl* out);

}  // namespace airlock
