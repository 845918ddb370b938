// Store: where the trail lives. Two implementations behind one interface:
//
//   sqlite:PATH               embedded default; WAL journal, synchronous=FULL
//   postgresql://... (or postgres://...)
//                             several gateway instances share one trail;
//                             each instance keeps its own chain
//
// Tables (both stores; see docs/audit-format.md):
//   audit_events(instance, seq, time_us, principal, workflow, record, hash)
//       primary key (instance, seq); `record` is the canonical bytes,
//       time_us/principal/workflow are copies for filtering that Verify
//       checks against the record.
//   audit_checkpoints(instance, seq, time_us, hash, key_id, signature)
//
// A Store does no chaining itself: AuditLog computes hashes and checkpoints,
// Verify checks them. A Store is not thread-safe: one owner at a time
// (AuditLog's writer thread, or a CLI command). Two Stores may be open on the
// same trail from different threads or processes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"

namespace airlock::audit {

struct StoredEvent {
  std::string instance;
  std::uint64_t seq = 0;
  std::int64_t time_us = 0;
  std::string principal;
  std::string workflow;
  std::string record;  // canonical bytes (format.h)
  std::string hash;    // 32 bytes: hash(seq) of the instance's chain
};

struct Checkpoint {
  std::string instance;
  std::uint64_t seq = 0;
  std::int64_t time_us = 0;
  std::string hash;       // 32 bytes: hash(seq)
  std::string key_id;     // SigningKey::KeyId() of the signer
  std::string signature;  // 64 bytes Ed25519 over CheckpointMessage(...)
};

// The end of one instance's chain as stored.
struct ChainHead {
  std::uint64_t seq = 0;  // 0: no events yet
  std::string hash;       // hash(seq); genesis when seq == 0
  std::int64_t time_us = 0;
  std::uint64_t last_checkpoint_seq = 0;
};

// Which events a range scan returns (empty strings: no filter).
struct EventFilter {
  std::int64_t since_us = INT64_MIN;  // inclusive
  std::int64_t until_us = INT64_MAX;  // exclusive
  std::string instance;
  std::string principal;
  std::string workflow;
  // Newest first (time, then instance and sequence number, descending), so
  // that "the last N" stops after N rows instead of reading the whole range.
  bool newest_first = false;
};

struct PruneResult {
  std::uint64_t events_deleted = 0;
  std::uint64_t checkpoints_deleted = 0;
};

// A parameter of Store::ExecRaw.
struct SqlParam {
  enum class Type { kInt, kText, kBlob } type = Type::kInt;
  std::int64_t integer = 0;
  std::string bytes;
  static SqlParam Int(std::int64_t v) { return {Type::kInt, v, {}}; }
  static SqlParam Text(std::string s) { return {Type::kText, 0, std::move(s)}; }
  static SqlParam Blob(std::string b) { return {Type::kBlob, 0, std::move(b)}; }
};

// Return false to stop a scan early. The visitor may move from the row:
// the store refills it for the next one.
using EventVisitor = std::function<bool(StoredEvent&)>;

class Store {
 public:
  virtual ~Store() = default;

  // Writes `events` and `checkpoints` in one transaction. Returns OK only
  // once the transaction is durable; on error nothing was written (or the
  // caller cannot know: it must re-read Head()).
  virtual Status Commit(const std::vector<StoredEvent>& events,
                        const std::vector<Checkpoint>& checkpoints) = 0;

  virtual Result<ChainHead> Head(std::string_view instance) = 0;
  virtual Result<std::vector<std::string>> Instances() = 0;

  // Events of one instance with seq >= from_seq, in seq order.
  virtual Status ScanChain(std::string_view instance, std::uint64_t from_seq,
                           const EventVisitor& visit) = 0;
  // Events matching `filter`, ordered by (time_us, instance, seq).
  virtual Status ScanFiltered(const EventFilter& filter, const EventVisitor& visit) = 0;
  // How many events have since_us <= time_us < until_us (all instances),
  // from the time index alone: no record is read.
  virtual Result<std::uint64_t> CountEvents(std::int64_t since_us, std::int64_t until_us) = 0;
  // Checkpoints of one instance, in seq order.
  virtual Result<std::vector<Checkpoint>> Checkpoints(std::string_view instance) = 0;

  // Deletes, per instance, the events up to and including the last
  // checkpoint whose event and all events before it are older than
  // `before_us`, and the checkpoints before that one. The checkpoint at the
  // cut stays: it anchors what remains.
  virtual Result<PruneResult> Prune(std::int64_t before_us) = 0;

  // Runs one statement with positional parameters $1..$n (each used once,
  // in order). For tamper tests and maintenance tools; not the data path.
  virtual Status ExecRaw(std::string_view sql, const std::vector<SqlParam>& params) = 0;

  virtual std::string Describe() const = 0;  // "sqlite:/path" (no passwords)
};

// Opens (and creates the tables of) the store named by `url`.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url);

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

// Whether the store named by `url` could be opened, without creating,
// changing or locking anything (`airlock serve --check`). SQLite: an
// existing file must be a readable and writable SQLite database, else the
// nearest existing directory above it must be writable; PostgreSQL: a
// connection must succeed. Returns what was found, e.g.
// "sqlite:var/audit.db (will be created)" or "postgresql://u@h/db
// (reachable)"; neither it nor an error shows a password.
Result<std::string> ProbeStore(std::string_view url);
// The SQLite part of ProbeStore for any SQLite file (the gateway's store).
Result<std::string> ProbeSqliteFile(const std::string& path);
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo);

}  // namespace airlock::audit
