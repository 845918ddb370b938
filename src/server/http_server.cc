// The HTTP layer: listener, connections, signals. The pipeline (what a
// request means) lives in pipeline.cc.
#include <utility>  // before asio: Boost 1.74's awaitable.hpp needs std::exchange
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "airlock/alerts/sink.h"
#include "airlock/api/openai.h"
#include "airlock/audit/store.h"
#include "airlock/detect/validators.h"
#include "airlock/server/audit_setup.h"
#include "airlock/server/server.h"
#include "observability.h"
#include "pipeline.h"
#include "health.h"  // (s3-local)

namespace airlock::server {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

void Log(const std::string& line) { std::fprintf(stderr, "airlock: %s\n", line.c_str()); }

constexpr std::size_t kReadReserve = 16384;  // per connection

Status Listen(tcp::acceptor& acceptor, const net::ip::address& addr, const std::string& host, uint16_t port) {
  beast::error_code ec;
  tcp::endpoint ep(addr, port);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::IoError("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  return Status::Ok();
}

void RecordSystem(Trail& trail, audit::Reason why) {
  audit::Event e;
  e.kind = audit::EventKind::kSystem;
  e.reasons.push_back(why);
  auto id = trail.RecordSync(std::move(e));
  if (!id.ok()) Log("audit: system event not committed: " + id.status().message());
}

// A round of background verification: every event again (`whole`), or what
// was appended since the round before.
void VerifyTrail(Services& s, bool whole) {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = whole ? s.trail->Verify() : s.trail->VerifyAppended();
  if (!r.ok()) {
    Log("audit verification could not read the trail: " + r.status().message());
    if (s.on_chain_failure) s.on_chain_failure("trail unreadable");
    return;
  }
  for (const auto& p : r->problems) {
    Log("AUDIT CHAIN PROBLEM: " + p.ToString());
    if (s.on_chain_failure) s.on_chain_failure(p.ToString());
  }
  if (r->ok()) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    Log(std::string("audit chain verified (") + (whole ? "whole" : "appended") + " round): " +
        std::to_string(r->events()) + " events in " + std::to_string(r->chains.size()) + " chains, " +
        std::to_string(ms.count()) + " ms");
  }
}

std::string ErrorJson(int status, const char* type, const char* code, std::string message) {
  api::ApiError e;
  e.http_status = status;
  e.type = type;
  e.code = code;
  e.message = std::move(message);
  return api::ErrorBody(e);
}

std::string BusyJson() {
  return ErrorJson(503, "service_unavailable", "server_busy",
                   "the gateway is at its concurrent-request limit; retry shortly");
}
Headers RetryAfter1() { return Headers{{"Retry-After", "1"}}; }

template <class Stream>
class StreamResponder final : public Responder {
 public:
  StreamResponder(Stream& s, bool keep_alive, unsigned write_timeout_ms)
      : s_(s), keep_alive_(keep_alive), timeout_(write_timeout_ms) {}

  awaitable<bool> Send(int status, std::string body, Headers headers) override {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::server, "airlock");
    res.set(http::field::content_type, "application/json");
    for (auto& [k, v] : headers) res.set(k, v);
    res.keep_alive(keep_alive_);
    res.body() = std::move(body);
    res.prepare_payload();
    beast::error_code ec;
    Lowest().expires_after(timeout_);
    co_await http::async_write(s_, res, net::redirect_error(use_awaitable, ec));
    sent_ = true;
    ok_ = !ec;
    co_return ok_;
  }

  awaitable<bool> StartStream(Headers headers) override {
    http::response<http::empty_body> res{http::status::ok, 11};
    res.set(http::field::server, "airlock");
    res.set(http::field::content_type, "text/event-stream");
    res.set(http::field::cache_control, "no-cache");
    for (auto& [k, v] : headers) res.set(k, v);
    res.keep_alive(keep_alive_);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    beast::error_code ec;
    Lowest().expires_after(timeout_);
    co_await http::async_write_header(s_, sr, net::redirect_error(use_awaitable, ec));
    sent_ = true;
    ok_ = !ec;
    co_return ok_;
  }

  awaitable<bool> Chunk(std::string data) override {
    if (!ok_) co_return false;
    beast::error_code ec;
    Lowest().expires_after(timeout_);
    co_await net::async_write(s_, http::make_chunk(net::buffer(data)), net::redirect_error(use_awaitable, ec));
    ok_ = !ec;
    co_return ok_;
  }

  awaitable<bool> EndStream() override {
    if (!ok_) co_return false;
    beast::error_code ec;
    Lowest().expires_after(timeout_);
    co_await net::async_write(s_, http::make_chunk_last(), net::redirect_error(use_awaitable, ec));
    ok_ = !ec;
    co_return ok_;
  }

  // Waits for the socket to turn readable; a hang-up then (the client's
  // FIN: POLLRDHUP, or an error) requests `gone`. Readable without a hang-up
  // (a pipelined request, a TLS close_notify ahead of the FIN) ends the
  // watch: those bytes are the next read's. The handler touches only the
  // descriptor's state and `gone`, so it may run on any I/O thread.
  void WatchForClose(std::stop_source gone) override {
    auto& sock = Lowest().socket();
    watching_ = true;
    sock.async_wait(tcp::socket::wait_read, [fd = sock.native_handle(), gone](const beast::error_code& ec) mutable {
      if (ec) return;  // StopWatching
      pollfd p{fd, POLLRDHUP, 0};
      if (::poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) gone.request_stop();
    });
  }

  void StopWatching() override {
    if (!watching_) return;
    watching_ = false;
    beast::error_code ec;
    Lowest().socket().cancel(ec);
  }

  bool sent() const { return sent_; }
  bool ok() const { return ok_; }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(s_); }
  Stream& s_;
  bool keep_alive_;
  std::chrono::milliseconds timeout_;
  bool sent_ = false;
  bool ok_ = true;
  bool watching_ = false;
};

struct Shared {
  Gateway* gateway;
  Services* services;
  bool admin = false;  // the admin listener (admin.listen)
  std::atomic<unsigned> active{0};
};

template <class Stream>
awaitable<void> ServeConnection(Stream& stream, Shared& sh) {
  // Beast reads at most the buffer's free space (512 bytes at first) per
  // receive: room for a typical request up front saves a receive and a
  // readiness wait per 512 bytes.
  beast::flat_buffer buffer;
  buffer.reserve(kReadReserve);
  const auto rt = sh.services->runtime();  // this connection keeps the config it started with
  const auto& cfg = rt->config->server;
  bool first = true;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(cfg.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(cfg.max_header_bytes));
    beast::error_code ec;
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(std::chrono::milliseconds(first ? cfg.read_timeout_ms : cfg.idle_timeout_ms));
    first = false;
    co_await http::async_read_header(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
    if (!ec) {
      lowest.expires_after(std::chrono::milliseconds(cfg.read_timeout_ms));
      co_await http::async_read(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted)
      co_return;
    if (ec) {
      int status = 400;
      const char* code = "bad_request";
      std::string msg = "malformed HTTP request: " + ec.message();
      if (ec == http::error::body_limit) {
        status = 413;
        code = "request_too_large";
        msg = "request body exceeds " + std::to_string(cfg.max_body_bytes) + " bytes";
      } else if (ec == http::error::header_limit) {
        status = 431;
        code = "headers_too_large";
        msg = "request headers exceed " + std::to_string(cfg.max_header_bytes) + " bytes";
      }
      StreamResponder<Stream> r(stream, false, cfg.write_timeout_ms);
      co_await r.Send(status, ErrorJson(status, "invalid_request_error", code, msg), Headers());
      co_return;
    }
    const auto& req = parser.get();
    const bool keep = req.keep_alive();
    StreamResponder<Stream> r(stream, keep, cfg.write_timeout_ms);
    const unsigned active = ++sh.active;
    if (active > cfg.max_concurrent_requests) {
      --sh.active;
      co_await r.Send(503, BusyJson(), RetryAfter1());
    } else {
      co_await sh.gateway->Handle(req, r, sh.admin);
      --sh.active;
    }
    if (!r.sent() || !r.ok() || !keep) co_return;
  }
}

awaitable<void> PlainSession(tcp::socket socket, Shared& sh) {
  beast::tcp_stream stream(std::move(socket));
  co_await ServeConnection(stream, sh);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

awaitable<void> TlsSession(tcp::socket socket, ssl::context& ctx, Shared& sh) {
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), ctx);
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  co_await stream.async_handshake(ssl::stream_base::server, net::redirect_error(use_awaitable, ec));
  if (ec) co_return;  // includes a missing or untrusted client certificate under mTLS
  co_await ServeConnection(stream, sh);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(net::redirect_error(use_awaitable, ec));
}

awaitable<void> Accept(tcp::acceptor& acceptor, ssl::context* tls, Shared& sh) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(net::redirect_error(use_awaitable, ec));
    if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    // Each connection's coroutine runs on a strand of its own. The I/O
    // threads share one io_context, and Beast's tcp_stream runs a timeout
    // handler beside the read or write it bounds, on the operation's
    // executor: without a strand the two may run at once on two threads
    // when a timeout meets a completion (Beast requires an implicit or
    // explicit strand per stream). This covers upstream connections too:
    // their operations run on the calling coroutine's executor.
    auto ex = net::make_strand(socket.get_executor());
    if (tls) net::co_spawn(ex, TlsSession(std::move(socket), *tls, sh), net::detached);
    else net::co_spawn(ex, PlainSession(std::move(socket), sh), net::detached);
  }
}

Result<std::unique_ptr<ssl::context>> MakeServerTls(const config::TlsListener& t) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  beast::error_code ec;
  ctx->use_certificate_chain_file(t.cert_file, ec);
  if (ec) return Status::IoError("server.tls.cert " + t.cert_file + ": " + ec.message());
  ctx->use_private_key_file(t.key_file, ssl::context::pem, ec);
  if (ec) return Status::IoError("server.tls.key " + t.key_file + ": " + ec.message());
  if (!t.client_ca_file.empty()) {
    ctx->load_verify_file(t.client_ca_file, ec);
    if (ec) return Status::IoError("server.tls.client_ca " + t.client_ca_file + ": " + ec.message());
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return ctx;
}

}  // namespace

Result<std::shared_ptr<const config::Config>> LoadConfig(const std::string& config_path) {
  if (config_path.empty()) return config::Default();
  return config::LoadFile(config_path);
}

Result<std::vector<std::string>> CheckConfig(const std::string& config_path, const LocalModelCheck& local) {
  auto cfg = LoadConfig(config_path);
  if (!cfg.ok()) return cfg.status();
  auto rt = BuildRuntime(*cfg, nullptr);  // local models are checked below, not loaded
  if (!rt.ok()) return rt.status();
  const config::Config& c = **cfg;
  // What Serve resolves from the config before it listens, without writing
  // anything: the keys given by reference (a default audit key is created
  // on first start, a default vault key is random), the TLS certificate and
  // key, and every alert sink (webhook secret, CA bundle, syslog address).
  if (!c.audit_hmac_key.empty()) {
    if (auto k = ConfiguredHmacKey(c); !k.ok()) return k.status();
  }
  if (auto v = MakeVault(c); !v.ok()) return v.status();
  if (!c.server.tls.cert_file.empty()) {
    if (auto t = MakeServerTls(c.server.tls); !t.ok()) return t.status();
  }
  for (const auto& sink : c.alerts.sinks) {
    if (auto made = alerts::MakeSink(sink); !made.ok()) return Status(made.status()).WithContext("alerts");
  }
  std::vector<std::string> found;
  auto store = audit::ProbeSqliteFile(c.store_path);
  if (!store.ok()) return Status(store.status()).WithContext("store.path");
  found.push_back("store: " + *store);
  auto trail = CheckAuditSetup(c);
  if (!trail.ok()) return trail.status();
  found.push_back("audit: " + *trail);
  for (const auto& b : c.backends) {
    if (b.type != "local") continue;
    if (!local) {
      found.push_back("backend " + b.name + ": local model not checked");
      continue;
    }
    auto line = local(b);
    if (!line.ok()) return Status(line.status()).WithContext(b.source + ": backend " + b.name);
    found.push_back("backend " + b.name + ": " + *line);
  }
  return found;
}

Status Serve(const ServeOptions& options) {
  if (!options.analyzer) return Status::InvalidArgument("no analyzer");
  auto cfg = LoadConfig(options.config_path);
  if (!cfg.ok()) return cfg.status();
  auto runtime = BuildRuntime(*cfg, options.local_backend);
  if (!runtime.ok()) return runtime.status();
  std::string host = (*cfg)->server.host;
  uint16_t port = (*cfg)->server.port;
  if (!options.listen.empty()) {
    if (Status s = config::ParseListen(options.listen, &host, &port); !s.ok()) return s.WithContext("--listen");
  }
  auto services = CreateServices(**cfg, options.analyzer, port);
  if (!services.ok()) return services.status();
  (*services)->set_runtime(std::move(*runtime));  // Services holds the only reference
  Gateway gateway(services->get());
  auto observability = Observability::Start(**services, **cfg, [&gateway] { return double(gateway.in_flight()); });
  if (!observability.ok()) return observability.status();
  Shared shared{&gateway, services->get()};
  Shared admin_shared{&gateway, services->get(), true};
  std::unique_ptr<ssl::context> tls;
  if (!(*cfg)->server.tls.cert_file.empty()) {
    auto t = MakeServerTls((*cfg)->server.tls);
    if (!t.ok()) return t.status();
    tls = std::move(*t);
  }

  unsigned threads = (*cfg)->server.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  net::io_context ioc(static_cast<int>(threads));
  beast::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("listen address " + host + " is not an IP address");
  tcp::acceptor acceptor(ioc);
  if (Status s = Listen(acceptor, addr, host, port); !s.ok()) return s;
  const auto& admin_cfg = (*cfg)->admin;
  tcp::acceptor admin_acceptor(ioc);
  if (admin_cfg.enabled && !admin_cfg.host.empty()) {
    auto admin_addr = net::ip::make_address(admin_cfg.host, ec);
    if (ec) return Status::InvalidArgument("admin.listen address " + admin_cfg.host + " is not an IP address");
    if (Status s = Listen(admin_acceptor, admin_addr, admin_cfg.host, admin_cfg.port); !s.ok())
      return s.WithContext("admin.listen");
  }
  const auto bound = acceptor.local_endpoint();
  const std::string shown_host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
  Log("config " + (*cfg)->source + ": " + std::to_string((*cfg)->workflows.size()) + " workflows, " +
      std::to_string((*cfg)->backends.size()) + " backends; store " + (*cfg)->store_path + "; " +
      std::to_string(threads) + " threads");
  Log(std::string("listening on ") + (tls ? "https://" : "http://") + shown_host + ":" + std::to_string(bound.port()));

  net::co_spawn(ioc, Accept(acceptor, tls.get(), shared), net::detached);
  if (admin_acceptor.is_open()) {
    const auto ab = admin_acceptor.local_endpoint();
    Log(std::string("admin API on ") + (tls ? "https://" : "http://") + ab.address().to_string() + ":" +
        std::to_string(ab.port()));
    net::co_spawn(ioc, Accept(admin_acceptor, tls.get(), admin_shared), net::detached);
  }
  // The phone validator's tables of the default region and the common
  // ones, compiled off the request path (else the first number of each
  // region pays 3-40 ms). Stopped between regions and joined when Serve
  // returns.
  std::jthread phone_warmup([region = (*cfg)->detection.region](std::stop_token stop) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t n = detect::WarmUpPhoneValidation(region, [&stop] { return stop.stop_requested(); });
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    Log("phone validation ready for " + std::to_string(n) + " regions (" + std::to_string(ms.count()) + " ms)");
  });
  Trail& trail = *shared.services->trail;
  Log("audit trail " + trail.Describe() + ", chain " + trail.instance() + "; lockdown " +
      std::string(LockdownName(shared.services->lockdown_state())));
  RecordSystem(trail, audit::Reason::kStarted);

  // Background verification of every chain in the store. A whole round
  // reads every event (about a second per million), so rounds run on the
  // admin reader thread, never on an I/O thread, and most of them read only
  // what was appended since the round before (audit::VerifyAppended); a
  // whole round comes at most every full_verify_every_seconds, the first
  // one first. The next round is armed when one ends. The timer and
  // last_whole are only touched on the strand.
  auto verify_strand = net::make_strand(ioc);
  net::steady_timer verify_timer(verify_strand);
  bool verify_stopped = false;  // on verify_strand
  std::optional<std::chrono::steady_clock::time_point> last_whole;  // on verify_strand
  std::function<void()> schedule_verify;
  const unsigned verify_every = (*cfg)->audit.verify_every_seconds;
  const unsigned whole_every = (*cfg)->audit.full_verify_every_seconds;
  schedule_verify = [&] {
    if (verify_every == 0 || verify_stopped) return;
    verify_timer.expires_after(std::chrono::seconds(verify_every));
    verify_timer.async_wait([&](const beast::error_code& vec) {
      if (vec) return;
      const auto now = std::chrono::steady_clock::now();
      const bool whole =
          whole_every == 0 || !last_whole.has_value() || now - *last_whole >= std::chrono::seconds(whole_every);
      if (whole) last_whole = now;
      const bool queued = shared.services->admin_reads.Start([&, whole] {
        VerifyTrail(*shared.services, whole);
        net::post(verify_strand, schedule_verify);
      });
      if (!queued) schedule_verify();
    });
  };
  net::post(verify_strand, schedule_verify);
  StartHealthProbes(ioc, *shared.services);  // (s3-local)

  // Signals: SIGHUP reloads; SIGTERM/SIGINT drain and stop.
  net::signal_set signals(ioc, SIGTERM, SIGINT, SIGHUP);
  net::steady_timer drain_timer(ioc);
  std::function<void()> wait_signal;
  std::chrono::steady_clock::time_point drain_deadline;
  std::mutex reload_commit;       // a reload's swap and trail event, against its abandonment
  bool reload_abandoned = false;  // guarded by reload_commit
  std::function<void()> poll_drain = [&] {
    if (gateway.in_flight() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      if (gateway.in_flight() != 0) Log("drain timeout: " + std::to_string(gateway.in_flight()) + " requests cut off");
      Log("stopped");
      ioc.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](const beast::error_code&) { poll_drain(); });
  };
  wait_signal = [&] {
    signals.async_wait([&](const beast::error_code& sec, int sig) {
      if (sec) return;
      if (sig == SIGHUP) {
        if (options.config_path.empty()) {
          Log("reload: running on the built-in default config; nothing to reload");
        } else {
          // On the reload thread: building the runtime reads files (the
          // adequacy list, index files of any size), which must not hold an
          // I/O thread. Reloads run one after another; requests keep the
          // runtime they started with until set_runtime swaps it.
          const bool queued = shared.services->reloads.Start([&] {
            auto next = config::LoadFile(options.config_path);
            auto rt = next.ok() ? BuildRuntime(*next, options.local_backend)
                                : Result<std::shared_ptr<const Runtime>>(next.status());
            if (!rt.ok()) {
              Log("reload rejected, keeping the running config: " + rt.status().message());
              return;
            }
            const std::lock_guard<std::mutex> commit(reload_commit);
            if (reload_abandoned) return;  // the gateway stopped without it
            shared.services->set_runtime(*rt);
            RecordSystem(*shared.services->trail, audit::Reason::kConfigChanged);
            Log("reloaded " + options.config_path + ": " + std::to_string((*next)->workflows.size()) +
                " workflows, " + std::to_string((*next)->backends.size()) + " backends");
          });
          if (!queued) Log("reload not started: the gateway is stopping");
        }
        wait_signal();
        return;
      }
      Log("draining " + std::to_string(gateway.in_flight()) + " in-flight requests");
      gateway.set_draining();
      beast::error_code cec;
      acceptor.close(cec);
      admin_acceptor.close(cec);
      net::post(verify_strand, [&] {
        verify_stopped = true;
        verify_timer.cancel();
      });
      drain_deadline = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(shared.services->runtime()->config->server.drain_timeout_ms);
      poll_drain();
    });
  };
  wait_signal();

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  shared.services->detection.Shutdown();  // (s3-local) late scans resume their requests into this loop
  shared.services->admin_reads.Shutdown();  // likewise for a trail read still running
  // A reload still running gets the drain's time to finish. One blocked on
  // a file (a FIFO, a hung network mount) must not keep the gateway from
  // stopping: it is abandoned (it will not swap the runtime or write to the
  // trail), the trail records the stop, and the process ends at once below,
  // since the reload's thread still uses what this function owns.
  const auto grace = std::chrono::milliseconds(shared.services->runtime()->config->server.drain_timeout_ms);
  const bool reload_finished = shared.services->reloads.ShutdownWithin(grace);
  if (!reload_finished) {
    const std::lock_guard<std::mutex> commit(reload_commit);
    reload_abandoned = true;
    Log("a reload is still reading its files after " + std::to_string(grace.count()) +
        " ms; stopping without it");
  }
  // Pooled upstream sockets belong to the io_context's services, which the
  // io_context destroys before Services goes: close them now.
  for (auto& [name, b] : shared.services->runtime()->backends) b->CloseIdle();
  RecordSystem(trail, audit::Reason::kStopped);
  if (Status s = trail.Close(); !s.ok()) Log("audit trail close failed: " + s.message());
  (*observability)->Shutdown();
  if (!reload_finished) {
    std::fflush(nullptr);
    std::_Exit(0);  // not return: the abandoned reload's thread uses this frame
  }
  return Status::Ok();
}

}  // namespace airlock::server
