#include <utility>  // before asio: Boost 1.74's awaitable.hpp needs std::exchange
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <stop_token>

#include "airlock/api/sse.h"
#include "airlock/backend/remote.h"
#include "airlock/core/url.h"

namespace airlock::backend {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

using Url = HttpUrl;

// The base path keeps no trailing slash: request paths are appended to it.
Result<Url> ParseUrl(const std::string& url) {
  Url u;
  if (Status s = ParseHttpUrl(url, &u); !s.ok()) return s.WithContext("backend url");
  while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
  return u;
}

// One upstream connection: plain TCP or TLS over TCP.
struct Connection {
  std::unique_ptr<beast::tcp_stream> tcp;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool reused = false;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
};

// Stops a call's upstream I/O when the gateway's client goes away
// (api::Request::cancel): the upstream sees its connection close and stops
// generating, instead of working for nobody. Touched only on the call's
// strand, which also runs the exchange, so cancelling never races the
// exchange's own use of the socket. (The I/O threads share one io_context;
// the backend does not rely on its caller's executor being a strand.)
struct CancelWatch {
  bool cancelled = false;
  Connection* active = nullptr;  // the connection the exchange is using

  void Cancel() {
    cancelled = true;
    if (active != nullptr) active->lowest().cancel();
  }
};

class RemoteBackend final : public Backend, public std::enable_shared_from_this<RemoteBackend> {
 public:
  RemoteBackend(RemoteOptions o, Url url, std::unique_ptr<ssl::context> ctx)
      : o_(std::move(o)), url_(std::move(url)), ssl_(std::move(ctx)) {}

  const std::string& name() const override { return o_.name; }

  awaitable<Result<Reply>> Complete(const api::Request& request) override {
    // (No `co_return co_await` and no co_await inside ?: — GCC 12 destroys
    // such temporaries twice.)
    Result<Reply> r = co_await CancellableExchange(request, nullptr);
    co_return r;
  }

  awaitable<Status> Probe(std::chrono::milliseconds timeout) override {
    http::request<http::empty_body> req{http::verb::get, url_.path + "/models", 11};
    req.set(http::field::host, url_.host);
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, "airlock");
    if (!o_.api_key.empty()) req.set(http::field::authorization, "Bearer " + o_.api_key);
    req.keep_alive(false);
    // Connecting is bounded by connect_timeout_ms, the exchange by `timeout`.
    auto c = co_await Connect();
    if (!c.ok()) co_return c.status();
    beast::error_code ec;
    http::response_parser<http::string_body> p;
    p.body_limit(1 << 20);
    (*c)->lowest().expires_after(timeout);
    if ((*c)->tls) {
      co_await http::async_write(*(*c)->tls, req, net::redirect_error(use_awaitable, ec));
      if (!ec) co_await http::async_read(*(*c)->tls, (*c)->buffer, p, net::redirect_error(use_awaitable, ec));
    } else {
      co_await http::async_write(*(*c)->tcp, req, net::redirect_error(use_awaitable, ec));
      if (!ec) co_await http::async_read(*(*c)->tcp, (*c)->buffer, p, net::redirect_error(use_awaitable, ec));
    }
    if (ec == beast::error::timeout) co_return Status::IoError("backend " + o_.name + ": probe timed out");
    if (ec) co_return Status::IoError("backend " + o_.name + ": probe failed: " + ec.message());
    const unsigned code = p.get().result_int();
    if (code < 200 || code >= 300)
      co_return Status::IoError("backend " + o_.name + ": probe answered HTTP " + std::to_string(code));
    co_return Status::Ok();
  }

  void CloseIdle() override {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.clear();
  }

  awaitable<Result<Reply>> Stream(const api::Request& request, EventSink sink) override {
    Result<Reply> r = co_await CancellableExchange(request, &sink);
    co_return r;
  }

 private:
  // An exchange that request.cancel can stop: the exchange runs on a strand
  // of its own, and a cancel is posted there (see CancelWatch). The sink,
  // if any, runs on that strand too, while the caller waits.
  awaitable<Result<Reply>> CancellableExchange(const api::Request& request, EventSink* sink) {
    if (!request.cancel.stop_possible()) {
      Result<Reply> r = co_await Exchange(request, sink, nullptr);
      co_return r;
    }
    auto strand = net::make_strand(co_await net::this_coro::executor);
    auto watch = std::make_shared<CancelWatch>();
    std::stop_callback on_cancel(request.cancel, [watch, strand] { net::post(strand, [watch] { watch->Cancel(); }); });
    std::optional<Result<Reply>> out;
    co_await net::co_spawn(strand, ExchangeInto(request, sink, watch.get(), &out), use_awaitable);
    co_return std::move(*out);
  }

  // (co_spawn with use_awaitable needs a default-constructible result; a
  // Result<Reply> is not, so it comes back through `out`.)
  awaitable<void> ExchangeInto(const api::Request& request, EventSink* sink, CancelWatch* watch,
                               std::optional<Result<Reply>>* out) {
    Result<Reply> r = co_await Exchange(request, sink, watch);
    out->emplace(std::move(r));
  }

  std::string Target(const api::Request& r) const { return url_.path + std::string(api::EndpointPath(r.endpoint)); }

  std::string Body(const api::Request& r) const {
    api::Json body = r.body;
    if (!o_.model.empty()) body["model"] = o_.model;
    return body.dump(-1, ' ', false, api::Json::error_handler_t::replace);
  }

  std::unique_ptr<Connection> TakeIdle() {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.empty()) return nullptr;
    auto c = std::move(idle_.back());
    idle_.pop_back();
    c->reused = true;
    return c;
  }

  void PutIdle(std::unique_ptr<Connection> c) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < o_.max_idle) idle_.push_back(std::move(c));
  }

  awaitable<Result<std::unique_ptr<Connection>>> Connect() {
    auto ex = co_await net::this_coro::executor;
    beast::error_code ec;
    tcp::resolver resolver(ex);
    auto endpoints = co_await resolver.async_resolve(url_.host, url_.port, net::redirect_error(use_awaitable, ec));
    if (ec) co_return Status::IoError("backend " + o_.name + ": cannot resolve host: " + ec.message());
    auto c = std::make_unique<Connection>();
    c->buffer.reserve(16384);  // a receive reads at most the free space (512 bytes at first)
    if (url_.tls) {
      c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, *ssl_);
    } else {
      c->tcp = std::make_unique<beast::tcp_stream>(ex);
    }
    c->lowest().expires_after(std::chrono::milliseconds(o_.connect_timeout_ms));
    co_await c->lowest().async_connect(endpoints, net::redirect_error(use_awaitable, ec));
    if (ec) co_return Status::IoError("backend " + o_.name + ": cannot connect: " + ec.message());
    c->lowest().socket().set_option(tcp::no_delay(true), ec);
    if (url_.tls) {
      if (!SSL_set_tlsext_host_name(c->tls->native_handle(), url_.host.c_str()))
        co_return Status::IoError("backend " + o_.name + ": cannot set TLS server name");
      if (o_.tls_verify) c->tls->set_verify_callback(ssl::host_name_verification(url_.host));
      co_await c->tls->async_handshake(ssl::stream_base::client, net::redirect_error(use_awaitable, ec));
      if (ec) co_return Status::IoError("backend " + o_.name + ": TLS handshake failed: " + ec.message());
    }
    c->lowest().expires_never();
    co_return std::move(c);
  }

  template <class S>
  awaitable<Result<Reply>> Run(S& s, Connection& c, const http::request<http::string_body>& req,
                               EventSink* sink, bool* keep, bool* sent_any) {
    beast::error_code ec;
    const auto timeout = std::chrono::milliseconds(o_.timeout_ms);
    c.lowest().expires_after(timeout);
    co_await http::async_write(s, req, net::redirect_error(use_awaitable, ec));
    if (ec) co_return Status::IoError("backend " + o_.name + ": write failed: " + ec.message());

    if (sink == nullptr) {
      http::response_parser<http::string_body> p;
      p.body_limit(o_.max_response_bytes);
      co_await http::async_read(s, c.buffer, p, net::redirect_error(use_awaitable, ec));
      if (ec == beast::error::timeout) co_return Status::IoError("backend " + o_.name + ": timed out");
      if (ec) co_return Status::IoError("backend " + o_.name + ": read failed: " + ec.message());
      *sent_any = true;
      auto& res = p.get();
      *keep = res.keep_alive();
      Reply reply;
      reply.status = static_cast<int>(res.result_int());
      reply.body = api::Json::parse(res.body(), nullptr, false);
      if (reply.body.is_discarded() || !reply.body.is_object())
        co_return Status::Corruption("backend " + o_.name + ": response (HTTP " + std::to_string(reply.status) +
                                     ") is not a JSON object");
      co_return reply;
    }

    http::response_parser<http::buffer_body> p;
    // No limit on the whole body (events are bounded one by one below). Not
    // boost::none: Boost 1.74 compares a Content-Length with the limit as
    // `len > optional`, which is true for an empty optional, so every answer
    // with a Content-Length (an error JSON, SSE sent whole) failed with
    // "body limit exceeded".
    p.body_limit(std::numeric_limits<std::uint64_t>::max());
    co_await http::async_read_header(s, c.buffer, p, net::redirect_error(use_awaitable, ec));
    if (ec == beast::error::timeout) co_return Status::IoError("backend " + o_.name + ": timed out");
    if (ec) co_return Status::IoError("backend " + o_.name + ": read failed: " + ec.message());
    *sent_any = true;
    Reply reply;
    reply.status = static_cast<int>(p.get().result_int());
    const bool is_sse = p.get()[http::field::content_type].find("text/event-stream") != beast::string_view::npos;
    std::string error_body;
    api::SseParser sse;
    char buf[16384];
    bool done = false;
    while (!p.is_done() && !done) {
      p.get().body().data = buf;
      p.get().body().size = sizeof buf;
      c.lowest().expires_after(timeout);
      co_await http::async_read_some(s, c.buffer, p, net::redirect_error(use_awaitable, ec));
      if (ec == http::error::need_buffer) ec = {};
      if (ec == beast::error::timeout) co_return Status::IoError("backend " + o_.name + ": stream timed out");
      if (ec) co_return Status::IoError("backend " + o_.name + ": stream read failed: " + ec.message());
      const std::size_t n = sizeof buf - p.get().body().size;
      if (reply.status != 200 || !is_sse) {
        if (error_body.size() + n > o_.max_response_bytes) co_return Status::Corruption("backend " + o_.name + ": response too large");
        error_body.append(buf, n);
        continue;
      }
      sse.Feed(std::string_view(buf, n));
      if (sse.buffered() > o_.max_response_bytes) co_return Status::Corruption("backend " + o_.name + ": SSE event too large");
      std::string data;
      while (sse.Next(&data)) {
        if (data == "[DONE]") {
          done = true;
          break;
        }
        if (!co_await (*sink)(std::move(data))) {
          *keep = false;  // abandon: the rest of the response is never read
          co_return reply;
        }
      }
    }
    if (reply.status == 200 && !is_sse) {
      co_return Status::Corruption("backend " + o_.name + ": streamed response is not text/event-stream");
    }
    if (reply.status != 200) {
      reply.body = api::Json::parse(error_body, nullptr, false);
      if (reply.body.is_discarded() || !reply.body.is_object())
        co_return Status::Corruption("backend " + o_.name + ": error response (HTTP " + std::to_string(reply.status) +
                                     ") is not a JSON object");
    }
    *keep = done && p.is_done() && p.get().keep_alive();
    co_return reply;
  }

  // `watch`, when given, is the call's CancelWatch, and the exchange runs on
  // its strand.
  awaitable<Result<Reply>> Exchange(const api::Request& request, EventSink* sink, CancelWatch* watch) {
    http::request<http::string_body> req{http::verb::post, Target(request), 11};
    req.set(http::field::host, url_.host);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, sink ? "text/event-stream" : "application/json");
    req.set(http::field::user_agent, "airlock");
    if (!o_.api_key.empty()) req.set(http::field::authorization, "Bearer " + o_.api_key);
    req.keep_alive(true);
    req.body() = Body(request);
    req.prepare_payload();

    // A reused connection may have been closed by the upstream while idle;
    // if it fails before any response byte, try once more on a fresh one.
    const auto cancelled = [&] { return Status::Cancelled("backend " + o_.name + ": the client went away"); };
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::unique_ptr<Connection> c = attempt == 0 ? TakeIdle() : nullptr;
      if (!c) {
        auto fresh = co_await Connect();
        if (!fresh.ok()) co_return fresh.status();
        c = std::move(*fresh);
      }
      if (watch != nullptr) {
        if (watch->cancelled) {
          PutIdle(std::move(c));  // nothing was sent on it
          co_return cancelled();
        }
        watch->active = c.get();
      }
      bool keep = false, sent_any = false;
      Result<Reply> r = Status::Internal("unreached");
      if (c->tls) {
        r = co_await Run(*c->tls, *c, req, sink, &keep, &sent_any);
      } else {
        r = co_await Run(*c->tcp, *c, req, sink, &keep, &sent_any);
      }
      if (watch != nullptr) {
        watch->active = nullptr;
        // The connection is mid-exchange: it closes here, which the
        // upstream sees.
        if (watch->cancelled) co_return cancelled();
      }
      if (!r.ok() && c->reused && !sent_any) continue;
      if (r.ok() && keep) {
        c->lowest().expires_never();
        PutIdle(std::move(c));
      }
      co_return r;
    }
    co_return Status::IoError("backend " + o_.name + ": connection failed");
  }

  RemoteOptions o_;
  Url url_;
  std::unique_ptr<ssl::context> ssl_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace

Result<std::shared_ptr<Backend>> CreateRemoteBackend(RemoteOptions options) {
  auto url = ParseUrl(options.url);
  if (!url.ok()) return Status(url.status()).WithContext("backend " + options.name);
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (options.tls_verify) {
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (!options.ca_bundle.empty()) {
      ctx->load_verify_file(options.ca_bundle, ec);
      if (ec) return Status::IoError("backend " + options.name + ": cannot load ca_bundle " + options.ca_bundle + ": " + ec.message());
    } else {
      ctx->set_default_verify_paths(ec);
      if (ec) return Status::IoError("backend " + options.name + ": cannot load the system trust store: " + ec.message());
    }
  } else {
    ctx->set_verify_mode(ssl::verify_none, ec);
  }
  return std::shared_ptr<Backend>(std::make_shared<RemoteBackend>(std::move(options), std::move(*url), std::move(ctx)));
}

}  // namespace airlock::backend
