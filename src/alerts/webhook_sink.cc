#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <utility>  // before asio: Boost 1.74's awaitable.hpp needs std::exchange

#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>

#include "airlock/core/bytes.h"
#include "airlock/core/url.h"
#include "internal/files.h"
#include "internal/io.h"
#include "internal/sinks.h"

namespace airlock::alerts::internal {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

constexpr unsigned kMaxBackoffMs = 60000;

using Target = HttpUrl;

Result<Target> ParseTarget(const std::string& url) {
  Target t;
  if (Status s = ParseHttpUrl(url, &t); !s.ok()) return s.WithContext("webhook url");
  if (t.path.empty()) t.path = "/";
  return t;
}

std::string HmacSha256Hex(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

class WebhookSink final : public Sink {
 public:
  WebhookSink(config::AlertSinkConfig cfg, Target target, std::string secret,
              std::unique_ptr<ssl::context> ctx)
      : cfg_(std::move(cfg)),
        target_(std::move(target)),
        secret_(std::move(secret)),
        ssl_(std::move(ctx)) {}

  std::string Describe() const override { return "webhook " + cfg_.url; }

  Outcome Deliver(const std::vector<Alert>& batch, const StopSignal& stop) override {
    Outcome o;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (stop.stopping()) {
        o += Abandon({batch.begin() + static_cast<std::ptrdiff_t>(i), batch.end()});
        break;
      }
      if (DeliverOne(batch[i], stop)) {
        ++o.delivered;
      } else {
        o += Abandon({batch[i]});
      }
    }
    return o;
  }

  Outcome Abandon(const std::vector<Alert>& batch) override {
    Outcome o;
    (AppendAlerts(cfg_.dead_letter, batch).ok() ? o.dead_lettered : o.lost) = batch.size();
    return o;
  }

 private:
  // The first attempt and `retries` more, `backoff` doubling in between.
  bool DeliverOne(const Alert& a, const StopSignal& stop) {
    const std::string body = ToJson(a);
    unsigned delay = std::max(1u, cfg_.backoff_ms);
    for (unsigned attempt = 0;; ++attempt) {
      if (RunToCompletion(ioc_, Post(a.id, body)).ok()) return true;
      if (attempt >= cfg_.retries) return false;
      if (!stop.SleepFor(std::chrono::milliseconds(delay))) return false;
      delay = std::min(kMaxBackoffMs, delay * 2);
    }
  }

  http::request<http::string_body> Request(const std::string& id, const std::string& body) const {
    http::request<http::string_body> req{http::verb::post, target_.path, 11};
    const bool default_port = target_.port == (target_.tls ? "443" : "80");
    const std::string host =
        target_.host.find(':') == std::string::npos ? target_.host : "[" + target_.host + "]";
    req.set(http::field::host, default_port ? host : host + ":" + target_.port);
    req.set(http::field::user_agent, "airlock-alerts");
    req.set(http::field::content_type, "application/json");
    req.set("X-Airlock-Alert-Id", id);
    if (!secret_.empty()) req.set("X-Airlock-Signature", "sha256=" + HmacSha256Hex(secret_, body));
    req.keep_alive(false);
    req.body() = body;
    req.prepare_payload();
    return req;
  }

  template <typename Stream>
  awaitable<Status> Exchange(Stream& stream, const http::request<http::string_body>& req) {
    beast::error_code ec;
    co_await http::async_write(stream, req, net::redirect_error(use_awaitable, ec));
    if (ec) co_return Status::IoError("webhook: send failed: " + ec.message());
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, net::redirect_error(use_awaitable, ec));
    if (ec) co_return Status::IoError("webhook: no answer: " + ec.message());
    const unsigned code = res.result_int();
    if (code < 200 || code > 299)
      co_return Status::Unavailable("webhook answered HTTP " + std::to_string(code));
    co_return Status::Ok();
  }

  awaitable<Status> Post(std::string id, std::string body) {
    auto ex = co_await net::this_coro::executor;
    beast::error_code ec;
    tcp::resolver resolver(ex);
    const auto endpoints = co_await resolver.async_resolve(target_.host, target_.port,
                                                           net::redirect_error(use_awaitable, ec));
    if (ec) co_return Status::IoError("webhook: cannot resolve host: " + ec.message());
    const auto deadline = std::chrono::milliseconds(cfg_.timeout_ms);
    const auto req = Request(id, body);
    if (!target_.tls) {
      beast::tcp_stream stream(ex);
      stream.expires_after(deadline);
      co_await stream.async_connect(endpoints, net::redirect_error(use_awaitable, ec));
      if (ec) co_return Status::IoError("webhook: cannot connect: " + ec.message());
      co_return co_await Exchange(stream, req);
    }
    beast::ssl_stream<beast::tcp_stream> stream(ex, *ssl_);
    beast::get_lowest_layer(stream).expires_after(deadline);
    co_await beast::get_lowest_layer(stream).async_connect(endpoints,
                                                           net::redirect_error(use_awaitable, ec));
    if (ec) co_return Status::IoError("webhook: cannot connect: " + ec.message());
    if (!SSL_set_tlsext_host_name(stream.native_handle(), target_.host.c_str()))
      co_return Status::Internal("webhook: cannot set TLS server name");
    stream.set_verify_callback(ssl::host_name_verification(target_.host));
    co_await stream.async_handshake(ssl::stream_base::client,
                                    net::redirect_error(use_awaitable, ec));
    if (ec) co_return Status::IoError("webhook: TLS handshake failed: " + ec.message());
    Status st = co_await Exchange(stream, req);
    co_await stream.async_shutdown(net::redirect_error(use_awaitable, ec));  // best effort
    co_return st;
  }

  config::AlertSinkConfig cfg_;
  Target target_;
  std::string secret_;
  std::unique_ptr<ssl::context> ssl_;
  net::io_context ioc_;  // used by the worker thread only
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeWebhookSink(const config::AlertSinkConfig& cfg) {
  auto target = ParseTarget(cfg.url);
  if (!target.ok()) return target.status();
  std::string secret;
  if (!cfg.secret.empty()) {
    auto s = config::ResolveSecret(cfg.secret);
    if (!s.ok()) return s.status().WithContext("webhook secret");
    secret = std::move(*s);
  }
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  beast::error_code ec;
  ctx->set_verify_mode(ssl::verify_peer, ec);  // always: alerts leave the machine
  if (!cfg.ca_bundle.empty()) {
    ctx->load_verify_file(cfg.ca_bundle, ec);
    if (ec)
      return Status::IoError("webhook: cannot load ca_bundle " + cfg.ca_bundle + ": " +
                             ec.message());
  } else {
    ctx->set_default_verify_paths(ec);
  }
  return std::unique_ptr<Sink>(
      std::make_unique<WebhookSink>(cfg, std::move(*target), std::move(secret), std::move(ctx)));
}

}  // namespace airlock::alerts::internal
