// Trail: the gateway's side of the tamper-evident audit trail (src/audit).
//
// Every request the pipeline handles becomes an audit::Event, appended to
// this instance's hash chain (group commit, signed checkpoints). The
// pipeline awaits Record() before it forwards anything or answers 2xx, so a
// 2xx never exists without its committed event; completion events and
// refusals are recorded without waiting (RecordDetached). Once an event is
// committed it is handed to the observers (metrics, alerts) on the trail's
// writer thread: observers must be quick and must not block.
//
// Where things live (docs/gateway.md, "Audit trail"):
//   store        audit.store, else "sqlite:<dir of store.path>/audit.db"
//   instance     audit.instance, else "gw-<hostname>-<port>"
//   signing key  audit.signing_key, else <dir>/audit-signing.pem (created once, 0600)
//   HMAC key     audit.hmac_key, else <dir>/audit.key (64 hex characters, created once, 0600)
//
// Thread-safety: all methods may be called concurrently, except AddObserver
// (before serving) and Close (after serving).
#pragma once

#include <utility>  // before asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/audit/audit_log.h"
#include "airlock/audit/event.h"
#include "airlock/audit/keys.h"
#include "airlock/audit/store.h"
#include "airlock/audit/verify.h"
#include "airlock/config/config.h"
#include "airlock/core/status.h"

namespace airlock::server {

using EventObserver = std::function<void(const audit::Event&, const audit::EventId&)>;

// The key `audit.hmac_key` names (REQUIRES: it is set); errors name the key.
// Trail::Open uses it, and `serve --check` to check the key without opening
// the trail.
Result<audit::HmacKey> ConfiguredHmacKey(const config::Config& cfg);

class Trail {
 public:
  // Opens the store (twice: one connection for the writer, one for reads),
  // loads or creates the keys and starts the writer. `port` names the
  // default instance.
  static Result<std::unique_ptr<Trail>> Open(const config::Config& cfg, unsigned port);
  ~Trail();

  // Appends `e` and resumes once it is committed (or failed).
  boost::asio::awaitable<Result<audit::EventId>> Record(audit::Event e);
  // Appends without waiting; a failure is reported on stderr (the event's
  // kind and reason only).
  void RecordDetached(audit::Event e);
  // Blocking append, for start/stop and administrative events.
  Result<audit::EventId> RecordSync(audit::Event e);

  void AddObserver(EventObserver o) { observers_.push_back(std::move(o)); }

  // The keyed fingerprint of a detected value (never the value).
  audit::ValueFingerprint Fingerprint(std::string_view entity_type, std::string_view value) const;
  // Entity-independent digest, for in-memory comparisons within a request.
  std::string Digest(std::string_view value) const;
  const audit::HmacKey& hmac_key() const { return *hmac_; }
  const std::string& hmac_bytes() const { return hmac_->bytes(); }

  // Reads events matching `filter` (newest last) through the read connection.
  Status Scan(const audit::EventFilter& filter, const std::function<bool(const audit::Event&)>& visit);
  // How many events of any instance have since_us <= time_us < until_us.
  Result<std::uint64_t> Count(std::int64_t since_us, std::int64_t until_us);
  // Verifies every chain in the store (all instances sharing it), whole.
  Result<audit::VerifyReport> Verify();
  // Verifies what was appended to each chain since the last verification
  // (audit::VerifyAppended); chains never verified whole are verified whole.
  Result<audit::VerifyReport> VerifyAppended();

  const std::string& instance() const { return instance_; }
  std::string Describe() const { return describe_; }
  std::uint64_t committed() const { return log_->committed(); }
  std::uint64_t transactions() const { return log_->transactions(); }
  std::size_t queued() const { return log_->queued(); }
  std::uint64_t failures() const { return failures_.load(); }

  // Commits what is queued and writes a final checkpoint.
  Status Close();

 private:
  Trail() = default;
  void Publish(const audit::Event& e, const audit::EventId& id) const;

  std::string instance_;
  std::string describe_;
  std::optional<audit::HmacKey> hmac_;
  std::optional<audit::SigningKey> verify_key_;
  std::unique_ptr<audit::AuditLog> log_;
  std::mutex read_mu_;
  std::unique_ptr<audit::Store> reader_;
  audit::VerifiedPoints verified_;  // guarded by read_mu_
  std::vector<EventObserver> observers_;
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace airlock::server
