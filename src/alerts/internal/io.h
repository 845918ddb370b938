// Running one Asio coroutine to completion on the calling (worker) thread.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>  // before asio: Boost 1.74's awaitable.hpp needs std::exchange

#include <exception>

#include "airlock/core/status.h"

namespace airlock::alerts::internal {

// Runs `op` on `ioc` until it finishes. Timeouts are the coroutine's own
// business (beast::tcp_stream::expires_after).
inline Status RunToCompletion(boost::asio::io_context& ioc, boost::asio::awaitable<Status> op) {
  Status result = Status::Internal("alert delivery did not run");
  boost::asio::co_spawn(ioc, std::move(op), [&result](std::exception_ptr ep, Status s) {
    result = ep ? Status::Internal("alert delivery failed with an exception") : std::move(s);
  });
  ioc.restart();
  ioc.run();
  return result;
}

}  // namespace airlock::alerts::internal
