// The request pipeline: routes one HTTP request to its endpoint and runs
// the steps of docs/gateway.md. Internal to the server; the HTTP layer
// (http_server.cc) gives it a Responder to answer through.
#pragma once

#include <utility>  // before asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "runtime.h"

namespace airlock::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using Headers = std::vector<std::pair<std::string, std::string>>;

// How the pipeline answers; each call returns false once the client is gone.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual boost::asio::awaitable<bool> Send(int status, std::string body, Headers headers) = 0;  // JSON body
  virtual boost::asio::awaitable<bool> StartStream(Headers headers) = 0;  // 200 text/event-stream
  virtual boost::asio::awaitable<bool> Chunk(std::string data) = 0;
  virtual boost::asio::awaitable<bool> EndStream() = 0;
  // While an answer is prepared (a non-streamed one, or a stream before its
  // first event): `gone` is requested (from any thread) if the client
  // closes its connection; StopWatching() before writing anything (it
  // cancels every operation on the socket; a second call does nothing).
  // The default watches nothing.
  virtual void WatchForClose(std::stop_source gone) { (void)gone; }
  virtual void StopWatching() {}
};

class Gateway {
 public:
  explicit Gateway(Services* services) : s_(services) {}

  // `admin_listener`: the request came in on admin.listen, which serves
  // the admin API (and health, metrics) only.
  boost::asio::awaitable<void> Handle(const HttpRequest& req, Responder& out, bool admin_listener = false);

  void set_draining() { draining_ = true; }
  unsigned in_flight() const { return in_flight_.load(); }

 private:
  Services* s_;
  std::atomic<bool> draining_{false};
  std::atomic<unsigned> in_flight_{0};
};

}  // namespace airlock::server
