// AuditLog: the writer of one instance's chain. The gateway calls Append for
// every event and answers its client only after Append returned OK.
//
//   auto store = audit::OpenStore("sqlite:/var/lib/airlock/audit.db");
//   auto key = audit::SigningKey::LoadPem("/etc/airlock/audit-signing.pem");
//   audit::AuditLogOptions opts;
//   opts.instance_id = "gw-1";
//   auto log = audit::AuditLog::Open(std::move(*store), std::move(*key), opts);
//   audit::Event e;  e.kind = ...;  e.principal = "crm-sync"; ...
//   Result<audit::EventId> id = (*log)->Append(std::move(e));  // durable on OK
//
// Group commit: Append enqueues the event and blocks; one writer thread takes
// everything queued, gives each event its sequence number and hash, adds a
// signed checkpoint when one is due, and commits the lot in one transaction
// (one fsync for many callers). Each caller wakes when its batch committed.
// If a commit fails, every Append in that batch returns the error and the
// writer re-reads the chain head from the store before the next batch.
//
// Thread-safety: Append may be called from any number of threads. Close (or
// the destructor) must not race with Append.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "airlock/audit/event.h"
#include "airlock/audit/keys.h"
#include "airlock/audit/store.h"
#include "airlock/core/status.h"

namespace airlock::audit {

struct AuditLogOptions {
  // Names this instance's chain. Required; an identifier (event.h). Two
  // writers must never share one: the second's commits fail (fail closed).
  std::string instance_id;
  // A signed checkpoint after this many events since the last one
  // (default 1000; clamped to >= 1) ...
  std::uint64_t checkpoint_every_events = 1000;
  // ... or when the oldest unsigned event is this old (default 10 s; 0 means
  // only by count). Bounds how much of the tail is unsigned after a crash.
  std::chrono::milliseconds checkpoint_every{10000};
  // Most events in one transaction (default 4096).
  std::size_t max_batch = 4096;
  // Most events waiting; Append returns ResourceExhausted beyond (default
  // 100000) rather than letting memory grow without bound.
  std::size_t max_queue = 100000;
};

class AuditLog {
 public:
  // Reads the chain head of opts.instance_id from `store` and starts the
  // writer thread. `key` must be able to sign.
  static Result<std::unique_ptr<AuditLog>> Open(std::unique_ptr<Store> store, SigningKey key,
                                                AuditLogOptions opts);
  ~AuditLog();  // Close()
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Validates `e`, fills instance, seq and (if 0) time_us, and returns once
  // the event is durably committed. InvalidArgument (naming the field) for an
  // event that fails Validate; the store's error if the commit failed;
  // FailedPrecondition-like Internal after Close.
  Result<EventId> Append(Event e);

  // The same without blocking, for callers that are coroutines rather than
  // threads (the gateway answers its client from `done`). `done` runs once:
  // on the writer thread after the commit, or on the calling thread before
  // AppendAsync returns when the event is invalid, the queue is full or the
  // log is closed. It must be quick and must not call Append.
  using AppendCallback = std::function<void(Result<EventId>)>;
  void AppendAsync(Event e, AppendCallback done);

  // Commits what is queued, writes a final checkpoint when events are
  // unsigned, stops the writer. Idempotent.
  Status Close();

  // Events committed by this log since Open, and the transactions that
  // carried them (their ratio is the group-commit batch size; for metrics).
  std::uint64_t committed() const;
  std::uint64_t transactions() const;
  // Events waiting for the writer now (for metrics).
  std::size_t queued() const;

 private:
  struct Pending;
  AuditLog(std::unique_ptr<Store> store, SigningKey key, AuditLogOptions opts);
  void WriterLoop();
  // REQUIRES: mu_ held. Validates and queues `p`; on error nothing is queued.
  Status Enqueue(Pending* p);
  Status LoadHead();
  // Builds and commits one batch. Returns the commit's status.
  Status CommitBatch(std::deque<Pending*>& batch, bool force_checkpoint);

  std::unique_ptr<Store> store_;  // used only by the writer thread after Open
  SigningKey key_;
  AuditLogOptions opts_;

  // Writer-thread state: the chain head as committed.
  ChainHead head_;
  bool head_valid_ = false;
  std::chrono::steady_clock::time_point oldest_unsigned_{};

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // writer waits for events
  std::condition_variable done_cv_;  // Append waits for its batch
  std::deque<Pending*> queue_;       // guarded by mu_
  bool closing_ = false;             // guarded by mu_
  bool closed_ = false;              // guarded by mu_
  std::uint64_t committed_ = 0;      // guarded by mu_
  std::uint64_t transactions_ = 0;   // guarded by mu_
  Status close_status_;              // guarded by mu_
  std::thread writer_;
};

}  // namespace airlock::audit
