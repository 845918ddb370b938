#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <utility>  // before asio: Boost 1.74's awaitable.hpp needs std::exchange

#include <unistd.h>

#include <chrono>

#include "internal/io.h"
#include "internal/sinks.h"

namespace airlock::alerts::internal {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using net::awaitable;
using net::use_awaitable;

constexpr auto kTcpTimeout = std::chrono::seconds(5);

// RFC 5424 section 6.2.1: critical -> 2 (crit), high -> 3 (err),
// medium -> 4 (warning), low -> 5 (notice), info -> 6 (informational).
int SyslogSeverity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return 2;
    case Severity::kHigh:
      return 3;
    case Severity::kMedium:
      return 4;
    case Severity::kLow:
      return 5;
    case Severity::kInfo:
      return 6;
  }
  return 4;
}

// PRINTUSASCII (33..126), at most `max` characters; "-" (NILVALUE) if empty.
std::string Header(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() == max) break;
    if (c > 32 && c < 127) out += c;
  }
  return out.empty() ? "-" : out;
}

// PARAM-VALUE escaping (section 6.3.3): '"', '\' and ']' get a backslash.
std::string Param(std::string_view name, std::string_view value) {
  std::string out = " " + std::string(name) + "=\"";
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "-";
  return Header(buf, 255);
}

class SyslogSink final : public Sink {
 public:
  SyslogSink(config::AlertSinkConfig cfg, std::string host, std::string port)
      : cfg_(std::move(cfg)),
        host_(std::move(host)),
        port_(std::move(port)),
        hostname_(Hostname()),
        procid_(static_cast<long>(::getpid())) {}

  std::string Describe() const override { return "syslog " + cfg_.transport + " " + cfg_.address; }

  Outcome Deliver(const std::vector<Alert>& batch, const StopSignal&) override {
    Outcome o;
    for (const Alert& a : batch) {
      const std::string msg = SyslogMessage(a, cfg_, hostname_, procid_);
      // One reconnect: a syslog server may have dropped an idle connection.
      bool sent = Send(msg).ok() || Send(msg).ok();
      (sent ? o.delivered : o.lost) += 1;
    }
    return o;
  }

 private:
  Status Send(const std::string& msg) {
    if (cfg_.transport == "udp") return SendUdp(msg);
    const std::string framed = std::to_string(msg.size()) + " " + msg;  // RFC 6587 octet counting
    Status st = RunToCompletion(ioc_, SendTcp(framed));
    if (!st.ok()) tcp_.reset();
    return st;
  }

  Status SendUdp(const std::string& msg) {
    boost::system::error_code ec;
    udp::resolver resolver(ioc_);
    const auto eps = resolver.resolve(host_, port_, ec);
    if (ec || eps.empty()) return Status::IoError("syslog: cannot resolve " + cfg_.address);
    const udp::endpoint ep = *eps.begin();
    if (!udp_) {
      udp_ = std::make_unique<udp::socket>(ioc_);
      udp_->open(ep.protocol(), ec);
      if (ec) return Status::IoError("syslog: cannot open a UDP socket: " + ec.message());
    }
    udp_->send_to(net::buffer(msg), ep, 0, ec);
    if (ec) {
      udp_.reset();
      return Status::IoError("syslog: send failed: " + ec.message());
    }
    return Status::Ok();
  }

  awaitable<Status> SendTcp(std::string framed) {
    auto ex = co_await net::this_coro::executor;
    beast::error_code ec;
    if (!tcp_) {
      tcp::resolver resolver(ex);
      const auto eps =
          co_await resolver.async_resolve(host_, port_, net::redirect_error(use_awaitable, ec));
      if (ec) co_return Status::IoError("syslog: cannot resolve " + cfg_.address);
      tcp_ = std::make_unique<beast::tcp_stream>(ex);
      tcp_->expires_after(kTcpTimeout);
      co_await tcp_->async_connect(eps, net::redirect_error(use_awaitable, ec));
      if (ec)
        co_return Status::IoError("syslog: cannot connect to " + cfg_.address + ": " +
                                  ec.message());
    }
    tcp_->expires_after(kTcpTimeout);
    co_await net::async_write(*tcp_, net::buffer(framed), net::redirect_error(use_awaitable, ec));
    if (ec) co_return Status::IoError("syslog: send failed: " + ec.message());
    co_return Status::Ok();
  }

  config::AlertSinkConfig cfg_;
  std::string host_, port_, hostname_;
  long procid_;
  net::io_context ioc_;  // the worker thread's only
  std::unique_ptr<udp::socket> udp_;
  std::unique_ptr<beast::tcp_stream> tcp_;
};

}  // namespace

std::string SyslogMessage(const Alert& a, const config::AlertSinkConfig& cfg,
                          const std::string& hostname, long procid) {
  const int pri = static_cast<int>(cfg.facility) * 8 + SyslogSeverity(a.severity);
  std::string sd = "[airlock@32473";  // 32473: the example enterprise number (RFC 5612)
  sd += Param("id", a.id);
  sd += Param("rule", a.rule);
  sd += Param("type", a.type);
  sd += Param("severity", SeverityName(a.severity));
  sd += Param("key", a.key);
  sd += Param("principal", a.principal);
  sd += Param("count", std::to_string(a.count));
  sd += "]";
  return "<" + std::to_string(pri) + ">1 " + FormatTime(a.time_us) + " " + Header(hostname, 255) +
         " " + Header(cfg.app_name, 48) + " " + std::to_string(procid) + " " + Header(a.rule, 32) +
         " " + sd + " " + ToJson(a);
}

Result<std::unique_ptr<Sink>> MakeSyslogSink(const config::AlertSinkConfig& cfg) {
  std::string host;
  uint16_t port = 0;
  Status st = config::ParseListen(cfg.address, &host, &port);
  if (!st.ok()) return st.WithContext("syslog address");
  if (cfg.transport != "udp" && cfg.transport != "tcp")
    return Status::InvalidArgument("syslog transport must be udp or tcp");
  return std::unique_ptr<Sink>(std::make_unique<SyslogSink>(cfg, host, std::to_string(port)));
}

}  // namespace airlock::alerts::internal
