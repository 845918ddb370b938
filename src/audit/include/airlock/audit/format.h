// The canonical bytes of an event, the hash chain over them, and the bytes a
// checkpoint signs. docs/audit-format.md spells out every byte; this header
// is the contract in code. Like LevelDB's db/log_format.h, changing anything
// here changes what old trails verify against: bump kRecordVersion instead.
//
// Record (all integers little-endian, "str8" = u8 length + that many bytes):
//   u8   version            = kRecordVersion (1)
//   u8   kind               EventKind
//   u8   decision           Decision
//   str8 instance
//   u64  seq                1-based position in the instance's chain
//   i64  time_us            Unix time, microseconds
//   str8 request_id
//   str8 principal
//   str8 workflow
//   str8 backend
//   u16  status
//   u64  latency_us
//   u64  request_bytes
//   u64  response_bytes
//   u32  prompt_tokens
//   u32  completion_tokens
//   u8   n_reasons,       n x u16 reason            (in the order given)
//   u16  n_findings,      n x {str8 entity_type, str8 data_class, u32 count}
//                                                    (sorted, unique by type+class)
//   u16  n_fingerprints,  n x {str8 entity_type, 32 bytes mac}
//                                                    (sorted, unique)
// Nothing follows; a decoder rejects trailing bytes.
//
// Chain: hash(0) = 32 zero bytes;
//        hash(n) = SHA-256( hash(n-1) || SHA-256(record(n)) ).
// Hashing the record's digest rather than the record lets an evidence bundle
// prove the chain across events it leaves out (other principals' events)
// with 32 bytes each, without disclosing them.
//
// Checkpoint message (what Ed25519 signs):
//   "airlock-audit-checkpoint-v1" (27 bytes, no terminator)
//   str8 instance, u64 seq, 32 bytes hash(seq), i64 time_us
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "airlock/audit/event.h"
#include "airlock/core/status.h"

namespace airlock::audit {

inline constexpr std::uint8_t kRecordVersion = 1;
inline constexpr std::size_t kHashBytes = 32;

// Canonical bytes of `e`. Finding counts and fingerprints are sorted (and
// duplicates merged / dropped) so that equal events encode equally.
// REQUIRES: Validate(e).ok()
std::string EncodeEvent(const Event& e);

// Parses a record. Corruption (naming the byte offset) on any deviation,
// including trailing bytes and unsorted lists: only canonical bytes decode.
Result<Event> DecodeEvent(std::string_view record);

// The leading fields of a record, parsed without decoding the rest: what
// Verify compares with the row's columns. Views into `record`.
struct RecordHeader {
  std::string_view instance;
  std::uint64_t seq = 0;
  std::int64_t time_us = 0;
  std::string_view principal;
  std::string_view workflow;
};
// Corruption when the prefix is malformed. Verify relies on the chain hash,
// not on this parse, for the integrity of the rest of the record.
Result<RecordHeader> DecodeHeader(std::string_view record);

// hash(n) from hash(n-1) and record(n).
std::string ChainHash(std::string_view prev_hash, std::string_view record);

// The 32 zero bytes that precede the first event of every chain.
const std::string& GenesisHash();

// The bytes a checkpoint signs.
std::string CheckpointMessage(std::string_view instance, std::uint64_t seq, std::string_view hash,
                              std::int64_t time_us);

}  // namespace airlock::audit
