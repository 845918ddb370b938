// Loopback stand-ins for the outside parties alerts go to: an HTTP webhook
// receiver (Beast) and syslog listeners (UDP, TCP), plus an RFC 5424 parser.
#pragma once

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <utility>  // before asio: Boost 1.74's awaitable.hpp needs std::exchange

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
  // With `tls`, the receiver speaks HTTPS with the context's certificate.
  explicit WebhookReceiver(unsigned short port = 0, unsigned status = 200,
                           boost::asio::ssl::context* tls = nullptr)
      : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), port}),
        status_(status),
        tls_(tls) {
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
    while (true) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket sock(ioc_);
      acceptor_.accept(sock, ec);
      if (stopping_) return;
      if (ec) continue;
      if (tls_ == nullptr) {
        Answer(sock);
        continue;
      }
      boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> stream(sock, *tls_);
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (!ec) Answer(stream);
    }
  }

  template <typename Stream>
  void Answer(Stream& stream) {
    namespace http = boost::beast::http;
    boost::system::error_code ec;
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(stream, buf, req, ec);
    if (ec) return;
    ReceivedRequest r{std::string(req.method_string()), std::string(req.target()), req.body(), {}};
    for (const auto& f : req) r.headers[std::string(f.name_string())] = std::string(f.value());
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(std::move(r));
    }
    http::response<http::string_body> res{static_cast<http::status>(status_), 11};
    res.body() = "{}";
    res.prepare_payload();
    http::write(stream, res, ec);
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned status_;
  boost::asio::ssl::context* tls_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

// A self-signed certificate for 127.0.0.1 (subjectAltName IP:127.0.0.1)
// and its P-256 key, in PEM.
struct TestCertificate {
  std::string cert_pem, key_pem;
};

inline TestCertificate MakeLoopbackCertificate() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("airlock test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  auto pem = [](auto write) {
    BIO* b = BIO_new(BIO_s_mem());
    write(b);
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return out;
  };
  TestCertificate c;
  c.cert_pem = pem([&](BIO* b) { PEM_write_bio_X509(b, x); });
  c.key_pem =
      pem([&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  X509_free(x);
  EVP_PKEY_free(key);
  return c;
}

inline std::unique_ptr<boost::asio::ssl::context> ServerTls(const TestCertificate& c) {
  auto ctx = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  ctx->use_certificate_chain(boost::asio::buffer(c.cert_pem));
  ctx->use_private_key(boost::asio::buffer(c.key_pem), boost::asio::ssl::context::pem);
  return ctx;
}

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
