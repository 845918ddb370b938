#include "airlock/compliance/http_probe.h"

#include "airlock/core/url.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <openssl/ssl.h>

namespace airlock::compliance {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

}  // namespace

ProbeResult HttpCall(const std::string& base_url, const std::string& method, const std::string& target,
                     const std::string& bearer, const std::string& body, const std::string& ca_file,
                     int max_version) {
  ProbeResult r;
  HttpUrl url;
  if (!ParseHttpUrl(base_url, &url).ok()) {
    r.error = "the URL must start with http:// or https://";
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
    if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
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
      if (!ca_file.empty()) {
        ctx.load_verify_file(ca_file);
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


}  // namespace airlock::compliance
