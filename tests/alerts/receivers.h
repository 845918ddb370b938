// Loopback stand-ins for the outside parties alerts go to: an HTTP webhook
// receiver (Beast) and syslog listeners (UDP, TCP), plus an RFC 5424 parser.
#pragma once

#include <utility>  // before asio: Boost 1.74's awaitable.hpp needs std::exchange
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace airlock::alerts::testing {

// A port nothing listens on (bound once, then released): connection refused.
inline unsigned short FreePort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

struct ReceivedRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;
};

// Answers every POST with `status`, recording it.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(unsigned short port = 0, unsigned status = 200)
      : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), port}), status_(status) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~WebhookReceiver() {
    stopping_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket s(ioc_);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);  // wakes accept()
    thread_.join();
  }
  unsigned short port() const { return port_; }
  std::vector<ReceivedRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (true) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket sock(ioc_);
      acceptor_.accept(sock, ec);
      if (stopping_) return;
      if (ec) continue;
      boost::beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(sock, buf, req, ec);
      if (ec) continue;
      ReceivedRequest r{std::string(req.method_string()), std::string(req.target()), req.body(), {}};
      for (const auto& f : req) r.headers[std::string(f.name_string())] = std::string(f.value());
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(std::move(r));
      }
      http::response<http::string_body> res{static_cast<http::status>(status_), 11};
      res.body() = "{}";
      res.prepare_payload();
      http::write(sock, res, ec);
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned status_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

// A POSIX socket bound to 127.0.0.1:0 with a receive timeout, so a test
// that gets nothing fails instead of hanging.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(int type) : fd_(::socket(AF_INET, type, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (type == SOCK_STREAM) ::listen(fd_, 4);
    SetTimeout(fd_);
  }
  ~LoopbackSocket() { ::close(fd_); }
  unsigned short port() const { return port_; }

  // UDP: one datagram.
  std::string ReceiveDatagram() {
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

  // TCP: accepts one connection and reads `frames` RFC 6587 octet-counted
  // frames ("LEN SP MSG"); an empty optional when the framing is wrong.
  std::optional<std::vector<std::string>> ReceiveFrames(std::size_t frames) {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return std::nullopt;
    SetTimeout(c);
    std::string data;
    std::vector<std::string> out;
    while (out.size() < frames) {
      const auto space = data.find(' ');
      if (space != std::string::npos) {
        if (space == 0 || space > 9 || data.find_first_not_of("0123456789") != space) break;
        const std::size_t len = std::stoul(data.substr(0, space));
        if (data.size() >= space + 1 + len) {
          out.push_back(data.substr(space + 1, len));
          data.erase(0, space + 1 + len);
          continue;
        }
      }
      char buf[4096];
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
    }
    ::close(c);
    if (out.size() != frames) return std::nullopt;
    return out;
  }

 private:
  static void SetTimeout(int fd) {
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  int fd_;
  unsigned short port_ = 0;
};

// RFC 5424 section 6: HEADER SP STRUCTURED-DATA [SP MSG].
struct SyslogMessage {
  int pri = -1;
  std::string version, timestamp, hostname, app_name, procid, msgid, structured_data, msg;
};

inline std::optional<SyslogMessage> ParseRfc5424(const std::string& text) {
  static const std::regex k(
      R"(^<([0-9]{1,3})>([1-9][0-9]{0,2}) ([!-~]+) ([!-~]{1,255}) ([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) )"
      R"((-|(?:\[[^\]\s=]+(?: [^\s=\]"]+="(?:[^"\\\]]|\\.)*")*\])+)(?: ([\s\S]*))?$)");
  std::smatch m;
  if (!std::regex_match(text, m, k)) return std::nullopt;
  SyslogMessage s;
  s.pri = std::stoi(m[1]);
  s.version = m[2];
  s.timestamp = m[3];
  s.hostname = m[4];
  s.app_name = m[5];
  s.procid = m[6];
  s.msgid = m[7];
  s.structured_data = m[8];
  s.msg = m[9];
  return s;
}

}  // namespace airlock::alerts::testing
