// Sink: where alerts go. Each sink is driven by one worker thread of the
// Engine (engine.h), so a sink may block (network, fsync) without ever
// blocking the gateway thread that observed the event.
//
//   webhook  JSON POST over HTTPS (certificate and host name verified; an
//            optional CA bundle) or plain HTTP; with a secret, the header
//            X-Airlock-Signature: sha256=<hex HMAC-SHA256(secret, body)>.
//            Retries with exponential backoff; an alert not delivered after
//            the last retry, or still queued at shutdown, is appended to the
//            dead-letter JSONL file, so none is lost.
//   syslog   RFC 5424 over UDP (one datagram per alert) or TCP (RFC 6587
//            octet counting: "<length> <message>").
//   jsonl    one alert per line appended to a file, fsync'd per batch.
//
// Thread-safety: Deliver is called from the sink's worker thread only;
// Abandon may also be called from an observing thread (queue full), so it
// must be safe concurrently with Deliver.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "airlock/alerts/alert.h"
#include "airlock/config/config.h"
#include "airlock/core/status.h"

namespace airlock::alerts {

// Set when the engine shuts down; a sink waiting between retries wakes up.
class StopSignal {
 public:
  void Request();
  bool stopping() const;
  // Sleeps up to `d`; false when stop was requested (at once or meanwhile).
  bool SleepFor(std::chrono::milliseconds d) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool stop_ = false;
};

// What became of a batch. delivered + dead_lettered + lost == batch size.
struct Outcome {
  std::size_t delivered = 0;
  std::size_t dead_lettered = 0;  // kept in a dead-letter file for replay
  std::size_t lost = 0;           // neither (syslog unreachable, disk error)
  Outcome& operator+=(const Outcome& o) {
    delivered += o.delivered;
    dead_lettered += o.dead_lettered;
    lost += o.lost;
    return *this;
  }
};

class Sink {
 public:
  virtual ~Sink() = default;
  // "webhook https://soc.example/hook": for logs; never holds a secret.
  virtual std::string Describe() const = 0;
  // Delivers a batch and accounts for every alert in it. When `stop` is
  // requested it stops trying and abandons what is left (see Abandon).
  virtual Outcome Deliver(const std::vector<Alert>& batch, const StopSignal& stop) = 0;
  // Alerts that will not be attempted (queue full, shutdown): kept where the
  // sink can (dead-letter file), else counted lost. The default: lost.
  virtual Outcome Abandon(const std::vector<Alert>& batch) {
    Outcome o;
    o.lost = batch.size();
    return o;
  }
};

// Builds the sink a config entry describes (resolving the webhook secret,
// loading the CA bundle). Errors name the entry's file:line.
Result<std::unique_ptr<Sink>> MakeSink(const config::AlertSinkConfig& cfg);

}  // namespace airlock::alerts
