#include "airlock/audit/audit_log.h"

#include <chrono>
#include <vector>

#include "airlock/audit/format.h"

namespace airlock::audit {

struct AuditLog::Pending {
  Event event;
  AppendCallback callback;  // set for AppendAsync: the writer owns and deletes it
  bool done = false;        // for Append: guarded by mu_
  Result<EventId> result = Status::Internal("not committed");
};

namespace {

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

AuditLog::AuditLog(std::unique_ptr<Store> store, SigningKey key, AuditLogOptions opts)
    : store_(std::move(store)), key_(std::move(key)), opts_(std::move(opts)) {}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(std::unique_ptr<Store> store, SigningKey key,
                                                 AuditLogOptions opts) {
  if (!IsIdentifier(opts.instance_id, false)) {
    return Status::InvalidArgument(
        "audit log: instance id must be 1 to 64 characters of [A-Za-z0-9._:@/+-]");
  }
  if (!key.can_sign())
    return Status::InvalidArgument("audit log: the signing key has no private half");
  if (opts.checkpoint_every_events == 0) opts.checkpoint_every_events = 1;
  if (opts.max_batch == 0) opts.max_batch = 1;
  if (opts.max_queue == 0) opts.max_queue = 1;
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(store), std::move(key), std::move(opts)));
  if (Status s = log->LoadHead(); !s.ok()) return s;
  log->writer_ = std::thread([l = log.get()] { l->WriterLoop(); });
  return log;
}

AuditLog::~AuditLog() { Close(); }

Status AuditLog::LoadHead() {
  auto head = store_->Head(opts_.instance_id);
  if (!head.ok()) {
    head_valid_ = false;
    return head.status();
  }
  head_ = std::move(*head);
  head_valid_ = true;
  // Events left unsigned by a crash count as old: the next batch signs them.
  oldest_unsigned_ = std::chrono::steady_clock::now() - opts_.checkpoint_every;
  return Status::Ok();
}

Status AuditLog::Enqueue(Pending* p) {
  p->event.instance = opts_.instance_id;
  if (Status s = Validate(p->event); !s.ok()) return s;
  if (closing_) return Status::Internal("audit log is closed");
  if (queue_.size() >= opts_.max_queue) {
    return Status::ResourceExhausted("audit log: queue full (" + std::to_string(queue_.size()) +
                                     " events waiting)");
  }
  queue_.push_back(p);
  work_cv_.notify_one();
  return Status::Ok();
}

Result<EventId> AuditLog::Append(Event e) {
  Pending p;
  p.event = std::move(e);
  std::unique_lock lock(mu_);
  if (Status s = Enqueue(&p); !s.ok()) return s;
  done_cv_.wait(lock, [&] { return p.done; });
  return std::move(p.result);
}

void AuditLog::AppendAsync(Event e, AppendCallback done) {
  auto p = std::make_unique<Pending>();
  p->event = std::move(e);
  p->callback = std::move(done);
  Status s;
  {
    std::lock_guard lock(mu_);
    s = Enqueue(p.get());
    if (s.ok()) p.release();  // the writer deletes it after the callback
  }
  if (!s.ok()) p->callback(std::move(s));
}

std::size_t AuditLog::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

std::uint64_t AuditLog::committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

std::uint64_t AuditLog::transactions() const {
  std::lock_guard lock(mu_);
  return transactions_;
}

Status AuditLog::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return close_status_;
    closing_ = true;
    work_cv_.notify_one();
  }
  if (writer_.joinable()) writer_.join();
  std::lock_guard lock(mu_);
  closed_ = true;
  return close_status_;
}

void AuditLog::WriterLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (queue_.empty() && !closing_) {
      if (head_.seq > head_.last_checkpoint_seq && opts_.checkpoint_every.count() > 0) {
        work_cv_.wait_until(lock, oldest_unsigned_ + opts_.checkpoint_every);
      } else {
        work_cv_.wait(lock);
      }
    }
    bool closing = closing_;
    std::deque<Pending*> batch;
    while (!queue_.empty() && batch.size() < opts_.max_batch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    bool time_due = opts_.checkpoint_every.count() > 0 &&
                    std::chrono::steady_clock::now() >= oldest_unsigned_ + opts_.checkpoint_every;
    bool unsigned_events = head_.seq > head_.last_checkpoint_seq;
    bool more = !queue_.empty();
    if (batch.empty() && !(unsigned_events && (time_due || closing))) {
      if (closing) return;
      continue;
    }
    lock.unlock();
    Status s = CommitBatch(batch, closing && !more);
    std::vector<Pending*> waiters;
    for (Pending* p : batch) {
      if (p->callback) {
        p->callback(std::move(p->result));
        delete p;
      } else {
        waiters.push_back(p);
      }
    }
    lock.lock();
    if (batch.empty() && closing && !more) close_status_ = s;
    for (Pending* p : waiters) p->done = true;
    if (!waiters.empty()) done_cv_.notify_all();
    if (closing && queue_.empty() && (!s.ok() || head_.seq == head_.last_checkpoint_seq)) {
      if (!s.ok()) close_status_ = s;
      return;
    }
  }
}

Status AuditLog::CommitBatch(std::deque<Pending*>& batch, bool force_checkpoint) {
  if (!head_valid_) {
    if (Status s = LoadHead(); !s.ok()) {
      oldest_unsigned_ = std::chrono::steady_clock::now();
      for (Pending* p : batch) p->result = s;
      return s;
    }
  }
  const ChainHead before = head_;
  std::vector<StoredEvent> rows;
  std::vector<Checkpoint> checkpoints;
  rows.reserve(batch.size());
  auto now = std::chrono::steady_clock::now();
  if (head_.seq == head_.last_checkpoint_seq && !batch.empty()) oldest_unsigned_ = now;

  auto sign = [&](std::int64_t time_us) -> Status {
    Checkpoint c;
    c.instance = opts_.instance_id;
    c.seq = head_.seq;
    c.time_us = time_us;
    c.hash = head_.hash;
    c.key_id = key_.KeyId();
    auto sig = key_.Sign(CheckpointMessage(c.instance, c.seq, c.hash, c.time_us));
    if (!sig.ok()) return sig.status();
    c.signature = std::move(*sig);
    checkpoints.push_back(std::move(c));
    head_.last_checkpoint_seq = head_.seq;
    oldest_unsigned_ = now;
    return Status::Ok();
  };

  Status s;
  for (Pending* p : batch) {
    Event& e = p->event;
    e.seq = head_.seq + 1;
    if (e.time_us == 0) e.time_us = NowMicros();
    StoredEvent row;
    row.instance = e.instance;
    row.seq = e.seq;
    row.time_us = e.time_us;
    row.principal = e.principal;
    row.workflow = e.workflow;
    row.record = EncodeEvent(e);
    row.hash = ChainHash(head_.hash, row.record);
    head_.seq = e.seq;
    head_.hash = row.hash;
    head_.time_us = e.time_us;
    rows.push_back(std::move(row));
    if (head_.seq - head_.last_checkpoint_seq >= opts_.checkpoint_every_events) {
      if (!(s = sign(head_.time_us)).ok()) break;
    }
  }
  bool time_due =
      opts_.checkpoint_every.count() > 0 && now >= oldest_unsigned_ + opts_.checkpoint_every;
  if (s.ok() && head_.seq > head_.last_checkpoint_seq && (force_checkpoint || time_due)) {
    s = sign(std::max(head_.time_us, NowMicros()));
  }
  if (s.ok()) s = store_->Commit(rows, checkpoints);
  if (!s.ok()) {
    // The store may or may not hold the batch (a lost connection during
    // COMMIT): re-read the head before writing again.
    head_ = before;
    head_valid_ = false;
    oldest_unsigned_ = now;  // retry a due checkpoint after a period, not in a busy loop
    for (Pending* p : batch) p->result = s;
    return s;
  }
  for (Pending* p : batch) p->result = EventId{p->event.instance, p->event.seq};
  std::lock_guard lock(mu_);
  committed_ += batch.size();
  ++transactions_;
  return s;
}

}  // namespace airlock::audit
