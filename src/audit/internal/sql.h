// Schema shared by the SQLite and PostgreSQL stores (see store.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "airlock/audit/format.h"

namespace airlock::audit::internal {

enum class Dialect { kSqlite, kPostgres };

// SQLite tables are WITHOUT ROWID: rows are stored in (instance, seq) order,
// so walking a chain reads the file front to back (a rowid table made
// verification follow the primary-key index into random pages).
inline std::vector<std::string_view> SchemaStatements(Dialect d) {
  if (d == Dialect::kSqlite) {
    return {
        "CREATE TABLE IF NOT EXISTS audit_events (instance TEXT NOT NULL, seq INTEGER NOT NULL, "
        "time_us INTEGER NOT NULL, principal TEXT NOT NULL, workflow TEXT NOT NULL, "
        "record BLOB NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (instance, seq)) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS audit_events_time ON audit_events (time_us)",
        "CREATE TABLE IF NOT EXISTS audit_checkpoints (instance TEXT NOT NULL, "
        "seq INTEGER NOT NULL, time_us INTEGER NOT NULL, hash BLOB NOT NULL, "
        "key_id TEXT NOT NULL, signature BLOB NOT NULL, PRIMARY KEY (instance, seq)) WITHOUT ROWID",
    };
  }
  return {
      "CREATE TABLE IF NOT EXISTS audit_events (instance TEXT NOT NULL, seq BIGINT NOT NULL, "
      "time_us BIGINT NOT NULL, principal TEXT NOT NULL, workflow TEXT NOT NULL, "
      "record BYTEA NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (instance, seq))",
      "CREATE INDEX IF NOT EXISTS audit_events_time ON audit_events (time_us)",
      "CREATE TABLE IF NOT EXISTS audit_checkpoints (instance TEXT NOT NULL, "
      "seq BIGINT NOT NULL, time_us BIGINT NOT NULL, hash BYTEA NOT NULL, "
      "key_id TEXT NOT NULL, signature BYTEA NOT NULL, PRIMARY KEY (instance, seq))",
  };
}

inline std::string GenesisHashBytes() { return GenesisHash(); }

// The instances with events or checkpoints, in order. A skip scan over the
// primary key: one index probe per instance, where SELECT DISTINCT (or a
// UNION) reads every row, which cost a background verification round that
// reads only a few new events about 0.15 s per million events stored.
// Valid SQLite and PostgreSQL.
inline constexpr std::string_view kInstancesQuery =
    "WITH RECURSIVE e(x) AS (SELECT MIN(instance) FROM audit_events UNION ALL "
    "SELECT (SELECT MIN(instance) FROM audit_events WHERE instance > e.x) FROM e WHERE e.x IS NOT NULL), "
    "c(x) AS (SELECT MIN(instance) FROM audit_checkpoints UNION ALL "
    "SELECT (SELECT MIN(instance) FROM audit_checkpoints WHERE instance > c.x) FROM c WHERE c.x IS NOT NULL) "
    "SELECT x FROM e WHERE x IS NOT NULL UNION SELECT x FROM c WHERE x IS NOT NULL ORDER BY 1";

}  // namespace airlock::audit::internal
