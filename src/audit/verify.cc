#include "airlock/audit/verify.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "airlock/audit/format.h"

namespace airlock::audit {
namespace {

// Where the event written as `seq` is stored now, if anywhere: the seq column
// of the first row at or after `from` whose record claims `seq`.
Result<std::optional<std::uint64_t>> FindStored(Store& store, const std::string& inst,
                                                std::uint64_t from, std::uint64_t seq,
                                                std::uint64_t skip_row) {
  std::optional<std::uint64_t> found;
  Status s = store.ScanChain(inst, from, [&](const StoredEvent& row) {
    if (row.seq == skip_row) return true;
    auto ev = DecodeEvent(row.record);
    if (ev.ok() && ev->instance == inst && ev->seq == seq) {
      found = row.seq;
      return false;
    }
    return true;
  });
  if (!s.ok()) return s;
  return found;
}

class ChainVerifier {
 public:
  // With `from`, verification starts after that point (VerifyAppended).
  ChainVerifier(Store& store, const SigningKey& key, std::string inst, const VerifiedPoint* from = nullptr)
      : store_(store), key_(key), inst_(std::move(inst)), from_(from) {}

  // VerifyAppended: the point's event was not stored as verified (gone or
  // changed); nothing was reported, the chain must be verified whole.
  bool start_failed() const { return start_failed_; }

  // Where the chain was verified up to, when Run found it intact.
  std::optional<VerifiedPoint> EndPoint() const {
    if (!started_ || pending_.has_value() || problem_.has_value() || start_failed_) return std::nullopt;
    return VerifiedPoint{from_ != nullptr ? from_->first_seq : first_seq_, next_ - 1,
                         std::string(HashAt(next_ - 1))};
  }

  Status Run(ChainReport* report, std::optional<Problem>* problem) {
    report->instance = inst_;
    auto cps = store_.Checkpoints(inst_);
    if (!cps.ok()) return cps.status();
    checkpoints_ = std::move(*cps);
    report->checkpoints = checkpoints_.size();

    if (Status s = ScanPipelined(); !s.ok()) return s;
    if (from_ != nullptr && !started_) start_failed_ = true;  // not even the point's event is there
    if (start_failed_) return Status::Ok();
    if (pending_.has_value()) {
      if (Status c = Classify(); !c.ok()) return c;
    }
    CheckCheckpoints();
    const std::uint64_t first = from_ != nullptr ? from_->first_seq : first_seq_;
    report->first_seq = started_ ? first : 0;
    report->last_seq = started_ ? next_ - 1 : 0;
    report->events = started_ ? next_ - first : 0;
    for (const auto& c : checkpoints_) {
      if (c.seq <= report->last_seq) report->last_checkpoint_seq = c.seq;
    }
    if (started_ && report->last_seq > report->last_checkpoint_seq) {
      report->unsigned_tail =
          report->last_seq - std::max(report->last_checkpoint_seq, first - 1);
    }
    *problem = std::move(problem_);
    return Status::Ok();
  }

 private:
  // Reading rows and checking them overlap: one thread scans the store
  // into batches, this one verifies them (a million-event chain verified in
  // about the time it takes to read it on two cores).
  Status ScanPipelined() {
    constexpr std::size_t kBatch = 2048, kMaxQueued = 8;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::vector<StoredEvent>> queue;
    bool finished = false;
    std::atomic<bool> stop{false};
    Status scan_status;
    std::thread reader([&] {
      std::vector<StoredEvent> batch;
      batch.reserve(kBatch);
      auto flush = [&] {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return queue.size() < kMaxQueued || stop; });
        queue.push_back(std::move(batch));
        cv.notify_all();
        batch = {};
        batch.reserve(kBatch);
      };
      Status st = store_.ScanChain(inst_, from_ != nullptr ? from_->seq : 0, [&](StoredEvent& row) {
        batch.push_back(std::move(row));
        if (batch.size() == kBatch) flush();
        return !stop;
      });
      if (!batch.empty()) flush();
      std::lock_guard lock(mu);
      scan_status = st;
      finished = true;
      cv.notify_all();
    });
    for (;;) {
      std::vector<StoredEvent> batch;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !queue.empty() || finished; });
        if (queue.empty()) break;
        batch = std::move(queue.front());
        queue.pop_front();
        cv.notify_all();
      }
      for (const auto& row : batch) {
        if (stop) break;
        if (!Visit(row)) {
          std::lock_guard lock(mu);
          stop = true;
          cv.notify_all();
        }
      }
    }
    reader.join();
    return scan_status;
  }

  // An anomaly seen during the scan, classified once the scan has ended
  // (a store cannot run a second scan inside the first).
  struct Anomaly {
    enum { kGap, kHashMismatch, kSeqMismatch } what;
    std::uint64_t row = 0;      // the seq column of the row
    std::uint64_t claimed = 0;  // the record's own seq (kSeqMismatch)
    std::string record_hash;    // ChainHash(hash(claimed - 1), record) for kSeqMismatch
    std::string stored_hash;
  };

  void Report(ProblemKind kind, std::uint64_t seq, std::string detail) {
    if (problem_.has_value() && problem_->seq <= seq) return;
    problem_ = Problem{kind, inst_, seq, std::move(detail)};
  }

  const Checkpoint* CheckpointAt(std::uint64_t seq) const {
    for (const auto& c : checkpoints_) {
      if (c.seq == seq) return &c;
    }
    return nullptr;
  }

  bool SignatureOk(const Checkpoint& c) const {
    return c.key_id == key_.KeyId() && c.hash.size() == kHashBytes &&
           key_.Verify(CheckpointMessage(c.instance, c.seq, c.hash, c.time_us), c.signature);
  }

  // hash(seq) as verified, for seq in [first_seq_ - 1, next_ - 1].
  std::string_view HashAt(std::uint64_t seq) const {
    return std::string_view(hashes_).substr((seq - (first_seq_ - 1)) * kHashBytes, kHashBytes);
  }

  bool Start(const StoredEvent& row) {
    started_ = true;
    first_seq_ = row.seq;
    next_ = row.seq;
    if (row.seq == 1) {
      hashes_ = GenesisHash();
      return true;
    }
    const Checkpoint* anchor = CheckpointAt(row.seq - 1);
    if (anchor == nullptr) {
      // No signed anchor for a chain that starts late: what was before it
      // is gone. The first missing event follows the last checkpoint below.
      std::uint64_t from = 1;
      for (const auto& c : checkpoints_) {
        if (c.seq < row.seq - 1) from = c.seq + 1;
      }
      Report(ProblemKind::kDeleted, from,
             "the chain starts at seq " + std::to_string(row.seq) +
                 " without a signed checkpoint at seq " + std::to_string(row.seq - 1));
      return false;
    }
    if (!SignatureOk(*anchor)) {
      Report(ProblemKind::kBadCheckpoint, anchor->seq,
             "the anchoring checkpoint's signature does not verify");
      return false;
    }
    hashes_ = anchor->hash;
    return true;
  }

  // VerifyAppended: the first row read must be the point's event, stored
  // with the hash it was verified with; the chain goes on from there.
  bool StartFrom(const StoredEvent& row) {
    if (row.seq != from_->seq || row.hash != from_->hash) {
      start_failed_ = true;
      return false;
    }
    started_ = true;
    first_seq_ = row.seq + 1;
    next_ = first_seq_;
    hashes_ = row.hash;
    return true;
  }

  bool Visit(const StoredEvent& row) {
    if (!started_ && from_ != nullptr) return StartFrom(row);
    if (!started_ && !Start(row)) return false;
    if (row.seq != next_) {
      pending_ = Anomaly{Anomaly::kGap, row.seq, 0, {}, {}};
      return false;
    }
    // The chain hash vouches for the whole record; only the fields the
    // row repeats as columns need parsing.
    auto ev = DecodeHeader(row.record);
    if (!ev.ok()) {
      Report(ProblemKind::kModified, row.seq, ev.status().message());
      return false;
    }
    if (ev->instance != inst_ || ev->seq != row.seq) {
      Anomaly a{Anomaly::kSeqMismatch, row.seq, ev->seq, {}, row.hash};
      if (ev->instance == inst_ && ev->seq >= first_seq_ && ev->seq < row.seq) {
        a.record_hash = ChainHash(HashAt(ev->seq - 1), row.record);
      }
      pending_ = std::move(a);
      return false;
    }
    std::string h = ChainHash(HashAt(row.seq - 1), row.record);
    if (h != row.hash) {
      pending_ = Anomaly{Anomaly::kHashMismatch, row.seq, 0, {}, {}};
      return false;
    }
    const char* column = nullptr;
    if (row.time_us != ev->time_us) column = "time_us";
    if (row.principal != ev->principal) column = "principal";
    if (row.workflow != ev->workflow) column = "workflow";
    if (column != nullptr) {
      Report(ProblemKind::kModified, row.seq,
             std::string("the ") + column + " column differs from the record");
      return false;
    }
    hashes_.append(h);
    ++next_;
    return true;
  }

  Status Classify() {
    const Anomaly& a = *pending_;
    const std::uint64_t e = next_;  // the first seq not verified
    if (a.what == Anomaly::kGap ||
        (a.what == Anomaly::kSeqMismatch && (a.claimed > a.row || a.claimed < first_seq_))) {
      // Event e is not at its place: moved elsewhere, or gone.
      auto at = FindStored(store_, inst_, 0, e, 0);
      if (!at.ok()) return at.status();
      if (at->has_value()) {
        Report(ProblemKind::kReordered, e, "stored at seq " + std::to_string(**at));
      } else if (a.what == Anomaly::kGap) {
        Report(ProblemKind::kDeleted, e,
               "missing; the chain goes on at seq " + std::to_string(a.row));
      } else {
        Report(ProblemKind::kDeleted, e,
               "missing; the record stored at seq " + std::to_string(a.row) +
                   " was written as seq " + std::to_string(a.claimed));
      }
      return Status::Ok();
    }
    if (a.what == Anomaly::kSeqMismatch) {
      // The record was written as an earlier seq that is already verified.
      if (!a.record_hash.empty() && a.record_hash == a.stored_hash &&
          HashAt(a.claimed) == a.stored_hash) {
        Report(ProblemKind::kInserted, a.row, "a copy of seq " + std::to_string(a.claimed));
      } else if (!a.record_hash.empty() && a.record_hash == a.stored_hash) {
        Report(ProblemKind::kInserted, a.claimed,
               "the event written as seq " + std::to_string(a.claimed) + " now sits at seq " +
                   std::to_string(a.row));
      } else {
        Report(ProblemKind::kModified, a.row, "the record claims seq " + std::to_string(a.claimed));
      }
      return Status::Ok();
    }
    // Hash mismatch: an event put in place of the one written there (which
    // then sits further on), or a modified one.
    auto at = FindStored(store_, inst_, a.row + 1, a.row, 0);
    if (!at.ok()) return at.status();
    if (at->has_value()) {
      Report(ProblemKind::kInserted, a.row,
             "the event written as seq " + std::to_string(a.row) + " now sits at seq " +
                 std::to_string(**at));
    } else {
      // Either this row changed, or the one before was rewritten together
      // with a freshly computed hash; the stored data cannot tell which.
      Report(ProblemKind::kModified, a.row,
             "hash(" + std::to_string(a.row) + ") does not follow from record " +
                 std::to_string(a.row) + " and hash(" + std::to_string(a.row - 1) +
                 "): this record or its hash was changed (or event " + std::to_string(a.row - 1) +
                 " together with its hash)");
    }
    return Status::Ok();
  }

  void CheckCheckpoints() {
    std::uint64_t verified_last = started_ ? next_ - 1 : 0;
    std::uint64_t last_good = started_ ? first_seq_ - 1 : 0;
    bool complete = !pending_.has_value() && !problem_.has_value();
    std::uint64_t end_of_chain = verified_last;
    for (const auto& c : checkpoints_) {
      if (from_ != nullptr && c.seq < from_->seq) continue;  // verified before the point
      if (!SignatureOk(c)) {
        Report(ProblemKind::kBadCheckpoint, c.seq,
               c.key_id == key_.KeyId() ? "signature does not verify"
                                        : "signed by key " + c.key_id + ", not " + key_.KeyId());
        continue;
      }
      if (!started_ || c.seq < first_seq_ - 1) continue;  // pruned region or nothing stored
      if (c.seq <= verified_last) {
        if (HashAt(c.seq) != c.hash) {
          Report(ProblemKind::kModified, last_good + 1,
                 "the chain from seq " + std::to_string(last_good + 1) + " to " +
                     std::to_string(c.seq) + " does not match the checkpoint signed at seq " +
                     std::to_string(c.seq) + " (rewritten)");
        } else {
          last_good = c.seq;
        }
      } else if (complete) {
        Report(ProblemKind::kDeleted, end_of_chain + 1,
               "truncated: the chain ends at seq " + std::to_string(end_of_chain) +
                   " but a checkpoint is signed at seq " + std::to_string(c.seq));
      }
    }
    if (!started_ && !checkpoints_.empty()) {
      // Every event gone. Legitimate after pruning everything: then exactly
      // one (anchoring) checkpoint remains.
      if (checkpoints_.size() > 1) {
        Report(ProblemKind::kDeleted, checkpoints_.front().seq + 1,
               "no events stored, but checkpoints up to seq " +
                   std::to_string(checkpoints_.back().seq));
      }
    }
  }

  Store& store_;
  const SigningKey& key_;
  std::string inst_;
  const VerifiedPoint* from_;
  bool start_failed_ = false;
  std::vector<Checkpoint> checkpoints_;
  bool started_ = false;
  std::uint64_t first_seq_ = 0;
  std::uint64_t next_ = 0;
  std::string hashes_;
  std::optional<Anomaly> pending_;
  std::optional<Problem> problem_;
};

}  // namespace

std::string_view ProblemKindName(ProblemKind k) {
  switch (k) {
    case ProblemKind::kModified:
      return "modified";
    case ProblemKind::kDeleted:
      return "deleted";
    case ProblemKind::kInserted:
      return "inserted";
    case ProblemKind::kReordered:
      return "reordered";
    case ProblemKind::kBadCheckpoint:
      return "bad-checkpoint";
  }
  return "unknown";
}

std::string Problem::ToString() const {
  return instance + ":" + std::to_string(seq) + " " + std::string(ProblemKindName(kind)) + ": " +
         detail;
}

std::uint64_t VerifyReport::events() const {
  std::uint64_t n = 0;
  for (const auto& c : chains) n += c.events;
  return n;
}

namespace {

// One chain: from its point when it has one (and the point's event still
// holds), else whole. Moves or drops the chain's point.
Status VerifyChain(Store& store, const SigningKey& key, const std::string& inst, VerifiedPoints* points,
                   bool appended, VerifyReport* report) {
  ChainReport chain;
  std::optional<Problem> problem;
  std::optional<VerifiedPoint> end;
  std::optional<VerifiedPoint> before;
  if (points != nullptr) {
    if (auto it = points->find(inst); it != points->end()) before = it->second;
  }
  bool whole = true;
  if (appended && before.has_value()) {
    ChainVerifier v(store, key, inst, &*before);
    if (Status s = v.Run(&chain, &problem); !s.ok()) return s;
    whole = v.start_failed();
    end = v.EndPoint();
  }
  if (whole) {
    chain = ChainReport{};
    problem.reset();
    ChainVerifier v(store, key, inst);
    if (Status s = v.Run(&chain, &problem); !s.ok()) return s;
    end = v.EndPoint();
    // Events at the end cut off without a checkpoint to say so: only the
    // point, from an earlier round, still knows they were there.
    if (appended && !problem.has_value() && before.has_value() && chain.last_seq < before->seq) {
      problem = Problem{ProblemKind::kDeleted, inst, chain.last_seq + 1,
                        "truncated: the chain ends at seq " + std::to_string(chain.last_seq) + " but seq " +
                            std::to_string(before->seq) + " was verified in an earlier round"};
      end.reset();
    }
  }
  if (points != nullptr) {
    if (end.has_value()) {
      (*points)[inst] = std::move(*end);
    } else {
      points->erase(inst);
    }
  }
  report->chains.push_back(std::move(chain));
  if (problem.has_value()) report->problems.push_back(std::move(*problem));
  return Status::Ok();
}

Result<VerifyReport> VerifyChains(Store& store, const SigningKey& key, VerifiedPoints* points, bool appended) {
  auto instances = store.Instances();
  if (!instances.ok()) return instances.status();
  VerifyReport report;
  for (const auto& inst : *instances) {
    if (Status s = VerifyChain(store, key, inst, points, appended, &report); !s.ok()) return s;
  }
  if (points != nullptr) {
    std::erase_if(*points, [&](const auto& kv) {
      return std::find(instances->begin(), instances->end(), kv.first) == instances->end();
    });
  }
  return report;
}

}  // namespace

Result<VerifyReport> Verify(Store& store, const SigningKey& key, VerifiedPoints* points) {
  return VerifyChains(store, key, points, false);
}

Result<VerifyReport> VerifyAppended(Store& store, const SigningKey& key, VerifiedPoints* points) {
  return VerifyChains(store, key, points, true);
}

}  // namespace airlock::audit
