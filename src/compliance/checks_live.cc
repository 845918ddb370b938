// --live: probes of a running instance over HTTP(S), and of the host.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <filesystem>
#include <openssl/ssl.h>

#include "internal/check_helpers.h"

namespace airlock::compliance::internal {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct Url {
  bool tls = false;
  std::string host, port;
};

bool ParseUrl(const std::string& url, Url* out) {
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    out->tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return false;
  }
  rest = rest.substr(0, rest.find('/'));
  out->host = ListenHost(rest);
  const auto colon = rest.rfind(':');
  const bool has_port = colon != std::string::npos && rest.find(']', colon) == std::string::npos;
  out->port = has_port ? rest.substr(colon + 1) : (out->tls ? "443" : "80");
  return !out->host.empty();
}

struct ProbeResult {
  bool ok = false;          // got an HTTP answer
  int status = 0;
  std::string error;        // transport error, when !ok
  std::string tls_version;  // negotiated, for TLS
  std::string body;
};

// One request; `max_version` caps the TLS version offered (0: library default).
ProbeResult Probe(const CheckOptions& opts, const std::string& method, const std::string& target,
                  const std::string& auth, const std::string& body, int max_version = 0) {
  ProbeResult r;
  Url url;
  if (!ParseUrl(opts.live_url, &url)) {
    r.error = "--live must be an http:// or https:// URL";
    return r;
  }
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(url.host, url.port);
    http::request<http::string_body> req{method == "POST" ? http::verb::post : http::verb::get,
                                         target, 11};
    req.set(http::field::host, url.host);
    req.set(http::field::user_agent, "airlock-check");
    if (!auth.empty()) req.set(http::field::authorization, "Bearer " + auth);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    if (url.tls) {
      ssl::context ctx(ssl::context::tls_client);
      ctx.set_verify_mode(ssl::verify_peer);
      if (!opts.ca_file.empty()) {
        ctx.load_verify_file(opts.ca_file);
      } else {
        ctx.set_default_verify_paths();
      }
      if (max_version != 0) {
        // Offer only old versions, and let the library speak them at all
        // (Debian's OpenSSL refuses below TLS 1.2 at its default level).
        SSL_CTX_set_security_level(ctx.native_handle(), 0);
        SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
        SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
        SSL_CTX_set_cipher_list(ctx.native_handle(), "DEFAULT:@SECLEVEL=0");
      }
      beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
      SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
      stream.set_verify_callback(ssl::host_name_verification(url.host));
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
      beast::get_lowest_layer(stream).connect(endpoints);
      stream.handshake(ssl::stream_base::client);
      r.tls_version = SSL_get_version(stream.native_handle());
      http::write(stream, req);
      http::read(stream, buf, res);
      beast::error_code ec;
      stream.shutdown(ec);
    } else {
      beast::tcp_stream stream(io);
      stream.expires_after(std::chrono::seconds(5));
      stream.connect(endpoints);
      http::write(stream, req);
      http::read(stream, buf, res);
    }
    r.ok = true;
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

// Passes when an unauthenticated call is refused (401/403) or the endpoint
// does not exist (404); fails on any 2xx.
void RequireRefusal(CheckContext& c, const std::string& subject, const std::string& method,
                    const std::string& target) {
  const ProbeResult r = Probe(*c.env().options, method, target, "", method == "POST" ? "{}" : "");
  if (!r.ok) {
    c.Error(subject, "could not reach " + target + ": " + r.error);
  } else if (r.status == 401 || r.status == 403 || r.status == 404) {
    c.Pass(subject, target + " answers " + std::to_string(r.status) + " without credentials",
           c.root(), "--live");
  } else {
    c.Fail(subject,
           target + " answers " + std::to_string(r.status) + " to a caller without credentials",
           c.root(), "--live");
  }
}

}  // namespace

void AddLiveChecks(std::map<std::string, CheckFn>& m) {
  m["AL-LIVE-001"] = [](CheckContext& c) {
    Url url;
    if (!ParseUrl(c.env().options->live_url, &url)) {
      c.Error("listener", "--live must be an http:// or https:// URL");
      return;
    }
    if (!url.tls) {
      if (IsLoopbackHost(url.host)) {
        c.Pass("listener", "plain HTTP on loopback", c.root(), "--live");
      } else {
        c.Fail("listener", "the instance answers plain HTTP on " + url.host, c.root(), "--live");
      }
      return;
    }
    const ProbeResult modern = Probe(*c.env().options, "GET", "/healthz", "", "");
    if (!modern.ok) {
      c.Error("listener", "TLS probe failed: " + modern.error);
      return;
    }
    const ProbeResult old = Probe(*c.env().options, "GET", "/healthz", "", "", TLS1_1_VERSION);
    if (old.ok) {
      c.Fail("listener", "the listener accepts " + old.tls_version + " (TLS 1.0/1.1 are broken)",
             c.root(), "--live");
    } else {
      c.Pass("listener", "negotiates " + modern.tls_version + " and refuses TLS 1.1 and older",
             c.root(), "--live");
    }
  };
  m["AL-LIVE-002"] = [](CheckContext& c) { RequireRefusal(c, "metrics", "GET", "/metrics"); };
  m["AL-LIVE-003"] = [](CheckContext& c) {
    RequireRefusal(c, "admin API", "GET", "/admin/v1/status");
  };
  m["AL-LIVE-004"] = [](CheckContext& c) {
    const ProbeResult r = Probe(*c.env().options, "POST", "/v1/chat/completions", "",
                                R"({"model":"probe","messages":[{"role":"user","content":"ping"}]})");
    if (!r.ok) {
      c.Error("chat", "could not reach /v1/chat/completions: " + r.error);
    } else if (r.status == 401) {
      c.Pass("chat", "unauthenticated chat requests are refused (401)", c.root(), "--live");
    } else {
      c.Fail("chat", "unauthenticated chat request answered " + std::to_string(r.status), c.root(),
             "--live");
    }
  };
  m["AL-LIVE-005"] = [](CheckContext& c) {
    const ProbeResult r = Probe(*c.env().options, "GET", "/readyz", "", "");
    if (!r.ok) {
      c.Error("instance", "could not reach /readyz: " + r.error);
    } else if (r.status == 200) {
      c.Pass("instance", "the instance reports ready", c.root(), "--live");
    } else {
      c.Fail("instance", "/readyz answers " + std::to_string(r.status), c.root(), "--live");
    }
  };
  m["AL-LIVE-006"] = [](CheckContext& c) {
    bool special = false;
    for (const auto& w : Entries(c.root(), "workflows")) {
      const std::string a = ActionFor(w.node, "special_category");
      special = special || (a != "block" && a != "redact");
    }
    if (!special) {
      c.NotApplicable("host", "no workflow processes special-category data");
      return;
    }
    const std::filesystem::path dev = c.env().options->dev_dir;
    std::error_code ec;
    for (const char* name : {"sev-guest", "tdx_guest", "tdx-guest"}) {
      if (std::filesystem::exists(dev / name, ec)) {
        c.Pass("host",
               std::string("runs as a confidential-computing guest (") + name +
                   "): special-category data is encrypted in use",
               c.root(), "--live");
        return;
      }
    }
    c.Fail("host",
           "special-category data is processed on a host that is not a confidential-computing "
           "guest (no AMD SEV-SNP or Intel TDX guest device)",
           c.root(), "--live");
  };
}

}  // namespace airlock::compliance::internal
