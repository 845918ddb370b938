// Verify: checks every chain of a trail and names the first event that is
// not what was written.
//
// Per instance, walking the stored events in seq order from the anchor
// (genesis, or after Prune the signed checkpoint just before the first
// remaining event):
//   kDeleted     an event is missing: a gap in the sequence, a chain that
//                starts after 1 without a checkpoint to anchor it, or a
//                signed checkpoint for an event that is no longer there
//                (truncation)
//   kInserted    a row that was not written in its place: the event that
//                was there sits further on (shifted) or it is a copy
//   kReordered   the event written at seq s is stored at another seq
//   kModified    the record, its hash, or a filter column differs from what
//                was written; or a rewritten stretch of chain that no longer
//                matches a signed checkpoint (named by the checkpoint)
//   kBadCheckpoint  a checkpoint whose signature does not verify with the
//                key given (forged), or signed by another key
// The first problem of each chain is reported; verification of the other
// chains goes on. Events after an instance's last checkpoint are counted as
// unsigned: an attacker with write access could have appended or cut them.
//
// Thread-safety: Verify uses `store` exclusively for its duration (from a
// reader thread of its own while it checks what was read).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "airlock/audit/keys.h"
#include "airlock/audit/store.h"
#include "airlock/core/status.h"

namespace airlock::audit {

enum class ProblemKind { kModified, kDeleted, kInserted, kReordered, kBadCheckpoint };
std::string_view ProblemKindName(ProblemKind k);  // "modified", ...

struct Problem {
  ProblemKind kind;
  std::string instance;
  std::uint64_t seq = 0;         // the event (or checkpoint) named
  std::string detail;            // what did not match; never field contents
  std::string ToString() const;  // "gw-1:42 modified: record hash mismatch"
};

struct ChainReport {
  std::string instance;
  std::uint64_t first_seq = 0;  // 0 when the chain is empty
  std::uint64_t last_seq = 0;
  std::uint64_t events = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t last_checkpoint_seq = 0;
  std::uint64_t unsigned_tail = 0;  // events after the last checkpoint
};

struct VerifyReport {
  std::vector<ChainReport> chains;
  std::vector<Problem> problems;  // at most one per chain
  bool ok() const { return problems.empty(); }
  std::uint64_t events() const;
};

// Where a verification left a chain that it found intact: its last
// verified event and that event's chain hash, from which VerifyAppended
// goes on.
struct VerifiedPoint {
  std::uint64_t first_seq = 0;  // the chain's first stored event at the last whole verification
  std::uint64_t seq = 0;        // the last verified event
  std::string hash;             // its chain hash
};
using VerifiedPoints = std::map<std::string, VerifiedPoint>;  // by instance

// Store errors (unreadable database) are returned as a Status; what the
// trail holds is reported in VerifyReport. With `points`, each chain found
// intact gets its point there (and a chain with a problem loses it).
Result<VerifyReport> Verify(Store& store, const SigningKey& key, VerifiedPoints* points = nullptr);

// Verifies what was appended since `*points`: each chain that has a point
// from its last verified event on (that event must still be stored with
// the hash it was verified with), the checkpoints signed from there on, and
// every other chain whole; then moves the points on. It reads only the new
// events, so a round costs what was appended, not the trail's size; a
// change to events before a point is left to the next whole Verify. Where
// the start does not hold (the event is gone or changed), that chain is
// verified whole instead, and a chain that now ends before its point is
// reported as truncated even where no checkpoint says so.
Result<VerifyReport> VerifyAppended(Store& store, const SigningKey& key, VerifiedPoints* points);

}  // namespace airlock::audit
