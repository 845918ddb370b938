#include "airlock/core/url.h"

#include <algorithm>

namespace airlock {

Status ParseHttpUrl(std::string_view url, HttpUrl* out) {
  HttpUrl u;
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    u.tls = true;
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument("must start with https:// or http://");
  }
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) u.path = std::string(rest.substr(slash));
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("unterminated IPv6 address");
    u.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::InvalidArgument("unexpected text after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return Status::InvalidArgument("has no host");
  if (port.empty()) {
    u.port = u.tls ? "443" : "80";
  } else {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoul(std::string(port)) > 65535) {
      return Status::InvalidArgument("port must be a number 0..65535");
    }
    u.port = std::string(port);
  }
  *out = std::move(u);
  return Status::Ok();
}

}  // namespace airlock
