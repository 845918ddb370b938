// Database: the embedded SQLite store (WAL) that holds API keys, settings
// (the lockdown state) and the generations of sanitize mapping files
// (rollback detection, see transform::MappingGenerationLedger), one RAII
// owner per connection and statement. Audit
// events live in the tamper-evident trail (src/audit), not here.
//
//   auto db = Database::Open("var/airlock.db");      // creates the file and schema
//   auto st = (*db)->Prepare("SELECT ... WHERE id = ?");
//   st->Bind(1, id); while (st->Step() == Row::kRow) st->Text(0);
//
// Durability: WAL with synchronous=NORMAL, so a committed write survives a
// crash of the process; a power loss may lose the last commits.
//
// Thread-safety: a Database serialises its users with a mutex; take Lock()
// around a sequence of statements that belongs together.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "airlock/core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace airlock::store {

class Statement {
 public:
  enum class Step { kRow, kDone, kError };
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void Bind(int index, std::string_view text);
  void Bind(int index, int64_t value);
  void BindBlob(int index, std::string_view bytes);
  Step Next();
  // Back to before the first Next(), bindings cleared (for reuse).
  void Reset();
  // Runs to completion; error with the SQLite message (never bound values).
  Status Run();
  std::string Text(int col) const;
  int64_t Int(int col) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  sqlite3* db_;
  sqlite3_stmt* st_;
};

class Database {
 public:
  // Opens (creating the file, its parent directory and the schema when
  // missing).
  static Result<std::shared_ptr<Database>> Open(const std::string& path);
  ~Database();

  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql);
  // The same statement each time for the same SQL, prepared on first use and
  // kept until the database closes, reset and with its bindings cleared: for
  // queries on every request (API keys), where preparing cost more than
  // running. The caller holds Lock() from this call until it is done with
  // the statement, and resets it when done (a statement stopped on a row
  // keeps its read transaction open).
  Result<Statement*> Cached(std::string_view sql);
  Status Exec(std::string_view sql);
  std::unique_lock<std::mutex> Lock() { return std::unique_lock<std::mutex>(mu_); }
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cached_;
};

}  // namespace airlock::store
