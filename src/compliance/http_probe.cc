#include "airlock/compliance/http_probe.h"

#include "airlock/core/url.h"

#include <utility>  // before asio: Boost 1.74's awaitable.hpp needs std::exchange
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <openssl/ssl.h>

#include <chrono>
#include <exception>
#include <string>
#include <type_traits>

namespace airlock::compliance {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// One request and its answer on `stream` (a tcp_stream, or TLS over one),
// under a deadline of `timeout` from the connect on. Beast's deadlines apply
// to asynchronous operations only, so a gateway that accepts and never
// answers ends in beast::error::timeout, not a hang.
template <class Stream>
asio::awaitable<void> Exchange(Stream& stream, tcp::resolver& resolver, const HttpUrl& url,
                               http::request<http::string_body>& req, beast::flat_buffer& buf,
                               http::response<http::string_body>& res, std::chrono::milliseconds timeout,
                               std::string* tls_version) {
  constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  auto& low = beast::get_lowest_layer(stream);
  const auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::use_awaitable);
  low.expires_after(timeout);
  co_await low.async_connect(endpoints, asio::use_awaitable);
  if constexpr (kTls) {
    co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    *tls_version = SSL_get_version(stream.native_handle());
  }
  co_await http::async_write(stream, req, asio::use_awaitable);
  co_await http::async_read(stream, buf, res, asio::use_awaitable);
  if constexpr (kTls) {
    beast::error_code ec;
    low.expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace

ProbeResult HttpCall(const std::string& base_url, const std::string& method, const std::string& target,
                     const std::string& bearer, const std::string& body, const std::string& ca_file,
                     int max_version, std::chrono::milliseconds timeout) {
  ProbeResult r;
  HttpUrl url;
  if (!ParseHttpUrl(base_url, &url).ok()) {
    r.error = "the URL must start with http:// or https://";
    return r;
  }
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
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
    std::exception_ptr failure;
    auto run = [&](asio::awaitable<void> op) {
      asio::co_spawn(io, std::move(op), [&failure](std::exception_ptr e) { failure = e; });
      io.run();
      if (failure) std::rethrow_exception(failure);
    };
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
      run(Exchange(stream, resolver, url, req, buf, res, timeout, &r.tls_version));
    } else {
      beast::tcp_stream stream(io);
      run(Exchange(stream, resolver, url, req, buf, res, timeout, nullptr));
    }
    r.ok = true;
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
  } catch (const boost::system::system_error& e) {
    r.error = e.code() == beast::error::timeout
                  ? "no answer within " + std::to_string(timeout.count() / 1000) + " s"
                  : std::string(e.what());
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}


}  // namespace airlock::compliance
