#include "airlock/store/database.h"

#include <sqlite3.h>

#include <filesystem>

namespace airlock::store {

namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  hash BLOB NOT NULL,
  principal TEXT NOT NULL,
  tenant TEXT NOT NULL,
  roles TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  revoked_ms INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mapping_generations (
  path TEXT PRIMARY KEY,
  file_id TEXT NOT NULL,
  generation INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
)sql";

}  // namespace

Statement::~Statement() { sqlite3_finalize(st_); }

void Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(st_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}
void Statement::Bind(int index, int64_t value) { sqlite3_bind_int64(st_, index, value); }
void Statement::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(st_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

void Statement::Reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

Statement::Step Statement::Next() {
  const int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return Step::kRow;
  if (rc == SQLITE_DONE) return Step::kDone;
  return Step::kError;
}

Status Statement::Run() {
  Step s;
  while ((s = Next()) == Step::kRow) {
  }
  if (s == Step::kError) return Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db_));
  return Status::Ok();
}

std::string Statement::Text(int col) const {
  const auto* p = sqlite3_column_blob(st_, col);
  const int n = sqlite3_column_bytes(st_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}
int64_t Statement::Int(int col) const { return sqlite3_column_int64(st_, col); }

Result<std::shared_ptr<Database>> Database::Open(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) return Status::IoError(parent.string() + ": cannot create directory: " + ec.message());
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IoError(path + ": cannot open store: " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  std::shared_ptr<Database> out(new Database(db, path));
  if (Status s = out->Exec(kSchema); !s.ok()) return s.WithContext(path);
  return out;
}

Database::~Database() {
  cached_.clear();  // finalized before the connection closes
  sqlite3_close_v2(db_);
}

Result<Statement*> Database::Cached(std::string_view sql) {
  auto it = cached_.find(std::string(sql));
  if (it != cached_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  auto st = Prepare(sql);
  if (!st.ok()) return st.status();
  Statement* raw = st->get();
  cached_.emplace(std::string(sql), std::move(*st));
  return raw;
}

Result<std::unique_ptr<Statement>> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK)
    return Status::Internal(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
  return std::unique_ptr<Statement>(new Statement(db_, st));
}

Status Database::Exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IoError("sqlite: " + msg);
  }
  return Status::Ok();
}

}  // namespace airlock::store
