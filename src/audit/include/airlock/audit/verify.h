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

// Store errors (unreadable database) are returned as a Status; what the
// trail holds is reported in VerifyReport.
Result<VerifyReport> Verify(Store& store, const SigningKey& key);

}  // namespace airlock::audit
