// SQLite store: one database file in WAL mode. synchronous=FULL makes a
// committed transaction survive power loss, not only a process crash; group
// commit in AuditLog pays that fsync once per batch.
#include <sqlite3.h>

#include <memory>

#include "airlock/audit/store.h"
#include "internal/sql.h"

namespace airlock::audit {
namespace {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  Status Init() {
    // A second process (verify while the gateway writes) waits for the
    // writer's lock instead of failing at once.
    sqlite3_busy_timeout(db_.get(), 10000);
    // Two processes opening a new trail at once (two writers, or a writer
    // and `verify`) race on the journal-mode switch and the schema; SQLite
    // answers some of those races with SQLITE_BUSY at once, without the busy
    // handler (a read snapshot that must become a write). The schema is
    // created under BEGIN IMMEDIATE (the busy handler applies), and the
    // whole set-up is retried on BUSY for up to about 10 s.
    Status s = Status::Ok();
    for (int attempt = 0; attempt < 200; ++attempt) {
      int rc = SQLITE_OK;
      s = SetUp(&rc);
      if (s.ok()) return s;
      if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) return s;
      sqlite3_sleep(50);
    }
    return s;
  }

  // One attempt; *rc is SQLite's code of the statement that failed. (mmap:
  // a verification pass reads the whole file; mapping it saves a copy per
  // page.)
  Status SetUp(int* rc) {
    auto exec = [&](const std::string& sql) {
      Status st = Exec(sql);
      if (!st.ok()) *rc = sqlite3_extended_errcode(db_.get());
      return st;
    };
    for (const char* sql :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA mmap_size=1073741824"}) {
      if (Status st = exec(sql); !st.ok()) return st;
    }
    if (Status st = exec("BEGIN IMMEDIATE"); !st.ok()) return st;
    Status st = Status::Ok();
    for (std::string_view sql : internal::SchemaStatements(internal::Dialect::kSqlite)) {
      st = exec(std::string(sql));
      if (!st.ok()) break;
    }
    if (st.ok()) st = exec("COMMIT");
    if (!st.ok()) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }

  Status Commit(const std::vector<StoredEvent>& events,
                const std::vector<Checkpoint>& checkpoints) override {
    if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = InsertAll(events, checkpoints);
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) Exec("ROLLBACK");
    return s;
  }

  Result<ChainHead> Head(std::string_view instance) override {
    ChainHead head;
    head.hash = internal::GenesisHashBytes();
    auto st = Prepare(
        "SELECT seq, hash, time_us FROM audit_events WHERE instance = ?1 "
        "ORDER BY seq DESC LIMIT 1");
    if (!st.ok()) return st.status();
    BindText(st->get(), 1, instance);
    int rc = sqlite3_step(st->get());
    if (rc == SQLITE_ROW) {
      head.seq = static_cast<std::uint64_t>(sqlite3_column_int64(st->get(), 0));
      head.hash = ColumnBlob(st->get(), 1);
      head.time_us = sqlite3_column_int64(st->get(), 2);
    } else if (rc != SQLITE_DONE) {
      return Error("reading the chain head");
    }
    auto cp = Prepare(
        "SELECT seq, hash, time_us FROM audit_checkpoints WHERE instance = ?1 "
        "ORDER BY seq DESC LIMIT 1");
    if (!cp.ok()) return cp.status();
    BindText(cp->get(), 1, instance);
    rc = sqlite3_step(cp->get());
    if (rc == SQLITE_ROW) {
      head.last_checkpoint_seq = static_cast<std::uint64_t>(sqlite3_column_int64(cp->get(), 0));
      if (head.seq == 0) {
        // Everything was pruned: the chain goes on from its anchor.
        head.seq = head.last_checkpoint_seq;
        head.hash = ColumnBlob(cp->get(), 1);
        head.time_us = sqlite3_column_int64(cp->get(), 2);
      }
    } else if (rc != SQLITE_DONE) {
      return Error("reading the last checkpoint");
    }
    return head;
  }

  Result<std::vector<std::string>> Instances() override {
    auto st = Prepare(std::string(internal::kInstancesQuery));
    if (!st.ok()) return st.status();
    std::vector<std::string> out;
    int rc;
    while ((rc = sqlite3_step(st->get())) == SQLITE_ROW) out.push_back(ColumnText(st->get(), 0));
    if (rc != SQLITE_DONE) return Error("listing instances");
    return out;
  }

  Status ScanChain(std::string_view instance, std::uint64_t from_seq,
                   const EventVisitor& visit) override {
    auto st = Prepare(
        "SELECT instance, seq, time_us, principal, workflow, record, hash FROM audit_events "
        "WHERE instance = ?1 AND seq >= ?2 ORDER BY seq");
    if (!st.ok()) return st.status();
    BindText(st->get(), 1, instance);
    sqlite3_bind_int64(st->get(), 2, static_cast<sqlite3_int64>(from_seq));
    return Visit(st->get(), visit);
  }

  Status ScanFiltered(const EventFilter& f, const EventVisitor& visit) override {
    auto st = Prepare(
        std::string("SELECT instance, seq, time_us, principal, workflow, record, hash FROM audit_events "
                    "WHERE time_us >= ?1 AND time_us < ?2 AND (?3 = '' OR instance = ?3) "
                    "AND (?4 = '' OR principal = ?4) AND (?5 = '' OR workflow = ?5) ") +
            (f.newest_first ? "ORDER BY time_us DESC, instance DESC, seq DESC" : "ORDER BY time_us, instance, seq"));
    if (!st.ok()) return st.status();
    sqlite3_bind_int64(st->get(), 1, f.since_us);
    sqlite3_bind_int64(st->get(), 2, f.until_us);
    BindText(st->get(), 3, f.instance);
    BindText(st->get(), 4, f.principal);
    BindText(st->get(), 5, f.workflow);
    return Visit(st->get(), visit);
  }

  Result<std::uint64_t> CountEvents(std::int64_t since_us, std::int64_t until_us) override {
    auto st = Prepare("SELECT COUNT(*) FROM audit_events WHERE time_us >= ?1 AND time_us < ?2");
    if (!st.ok()) return st.status();
    sqlite3_bind_int64(st->get(), 1, since_us);
    sqlite3_bind_int64(st->get(), 2, until_us);
    if (sqlite3_step(st->get()) != SQLITE_ROW) return Error("counting events");
    return static_cast<std::uint64_t>(sqlite3_column_int64(st->get(), 0));
  }

  Result<std::vector<Checkpoint>> Checkpoints(std::string_view instance) override {
    auto st = Prepare(
        "SELECT instance, seq, time_us, hash, key_id, signature FROM audit_checkpoints "
        "WHERE instance = ?1 ORDER BY seq");
    if (!st.ok()) return st.status();
    BindText(st->get(), 1, instance);
    std::vector<Checkpoint> out;
    int rc;
    while ((rc = sqlite3_step(st->get())) == SQLITE_ROW) {
      Checkpoint c;
      c.instance = ColumnText(st->get(), 0);
      c.seq = static_cast<std::uint64_t>(sqlite3_column_int64(st->get(), 1));
      c.time_us = sqlite3_column_int64(st->get(), 2);
      c.hash = ColumnBlob(st->get(), 3);
      c.key_id = ColumnText(st->get(), 4);
      c.signature = ColumnBlob(st->get(), 5);
      out.push_back(std::move(c));
    }
    if (rc != SQLITE_DONE) return Error("reading checkpoints");
    return out;
  }

  Result<PruneResult> Prune(std::int64_t before_us) override {
    auto instances = Instances();
    if (!instances.ok()) return instances.status();
    if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    PruneResult total;
    Status s;
    for (const auto& inst : *instances) {
      s = PruneInstance(inst, before_us, &total);
      if (!s.ok()) break;
    }
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) {
      Exec("ROLLBACK");
      return s;
    }
    return total;
  }

  Status ExecRaw(std::string_view sql, const std::vector<SqlParam>& params) override {
    auto st = Prepare(std::string(sql));
    if (!st.ok()) return st.status();
    for (std::size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const SqlParam& p = params[i];
      if (p.type == SqlParam::Type::kBlob) {
        sqlite3_bind_blob(st->get(), idx, p.bytes.data(), static_cast<int>(p.bytes.size()),
                          SQLITE_TRANSIENT);
      } else if (p.type == SqlParam::Type::kText) {
        BindText(st->get(), idx, p.bytes);
      } else {
        sqlite3_bind_int64(st->get(), idx, p.integer);
      }
    }
    int rc;
    while ((rc = sqlite3_step(st->get())) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return Error("raw statement");
    return Status::Ok();
  }

  std::string Describe() const override { return "sqlite:" + path_; }

 private:
  Status PruneInstance(const std::string& inst, std::int64_t before_us, PruneResult* total) {
    // The cut: the last checkpoint below the first event that is not old
    // enough (or below the end of the chain when every event is).
    auto first_young =
        Prepare("SELECT MIN(seq) FROM audit_events WHERE instance = ?1 AND time_us >= ?2");
    if (!first_young.ok()) return first_young.status();
    BindText(first_young->get(), 1, inst);
    sqlite3_bind_int64(first_young->get(), 2, before_us);
    if (sqlite3_step(first_young->get()) != SQLITE_ROW) return Error("pruning");
    sqlite3_int64 limit = sqlite3_column_type(first_young->get(), 0) == SQLITE_NULL
                              ? INT64_MAX
                              : sqlite3_column_int64(first_young->get(), 0);
    auto cut = Prepare("SELECT MAX(seq) FROM audit_checkpoints WHERE instance = ?1 AND seq < ?2");
    if (!cut.ok()) return cut.status();
    BindText(cut->get(), 1, inst);
    sqlite3_bind_int64(cut->get(), 2, limit);
    if (sqlite3_step(cut->get()) != SQLITE_ROW) return Error("pruning");
    if (sqlite3_column_type(cut->get(), 0) == SQLITE_NULL) return Status::Ok();
    sqlite3_int64 cut_seq = sqlite3_column_int64(cut->get(), 0);
    for (auto [sql, counter] :
         {std::pair{"DELETE FROM audit_events WHERE instance = ?1 AND seq <= ?2",
                    &total->events_deleted},
          std::pair{"DELETE FROM audit_checkpoints WHERE instance = ?1 AND seq < ?2",
                    &total->checkpoints_deleted}}) {
      auto del = Prepare(sql);
      if (!del.ok()) return del.status();
      BindText(del->get(), 1, inst);
      sqlite3_bind_int64(del->get(), 2, cut_seq);
      if (sqlite3_step(del->get()) != SQLITE_DONE) return Error("pruning");
      *counter += static_cast<std::uint64_t>(sqlite3_changes(db_.get()));
    }
    return Status::Ok();
  }

  Status InsertAll(const std::vector<StoredEvent>& events,
                   const std::vector<Checkpoint>& checkpoints) {
    if (!insert_event_) {
      auto st = Prepare(
          "INSERT INTO audit_events (instance, seq, time_us, principal, workflow, record, hash) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      if (!st.ok()) return st.status();
      insert_event_ = std::move(*st);
    }
    if (!insert_checkpoint_) {
      auto st = Prepare(
          "INSERT INTO audit_checkpoints (instance, seq, time_us, hash, key_id, signature) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      if (!st.ok()) return st.status();
      insert_checkpoint_ = std::move(*st);
    }
    sqlite3_stmt* ie = insert_event_.get();
    for (const auto& e : events) {
      sqlite3_reset(ie);
      BindText(ie, 1, e.instance);
      sqlite3_bind_int64(ie, 2, static_cast<sqlite3_int64>(e.seq));
      sqlite3_bind_int64(ie, 3, e.time_us);
      BindText(ie, 4, e.principal);
      BindText(ie, 5, e.workflow);
      BindBlob(ie, 6, e.record);
      BindBlob(ie, 7, e.hash);
      if (sqlite3_step(ie) != SQLITE_DONE) return Error("appending an event");
    }
    sqlite3_stmt* ic = insert_checkpoint_.get();
    for (const auto& c : checkpoints) {
      sqlite3_reset(ic);
      BindText(ic, 1, c.instance);
      sqlite3_bind_int64(ic, 2, static_cast<sqlite3_int64>(c.seq));
      sqlite3_bind_int64(ic, 3, c.time_us);
      BindBlob(ic, 4, c.hash);
      BindText(ic, 5, c.key_id);
      BindBlob(ic, 6, c.signature);
      if (sqlite3_step(ic) != SQLITE_DONE) return Error("appending a checkpoint");
    }
    return Status::Ok();
  }

  Status Visit(sqlite3_stmt* st, const EventVisitor& visit) {
    int rc;
    StoredEvent e;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      e.instance = ColumnText(st, 0);
      e.seq = static_cast<std::uint64_t>(sqlite3_column_int64(st, 1));
      e.time_us = sqlite3_column_int64(st, 2);
      e.principal = ColumnText(st, 3);
      e.workflow = ColumnText(st, 4);
      e.record = ColumnBlob(st, 5);
      e.hash = ColumnBlob(st, 6);
      if (!visit(e)) return Status::Ok();
    }
    if (rc != SQLITE_DONE) return Error("reading events");
    return Status::Ok();
  }

  Result<StmtPtr> Prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) !=
        SQLITE_OK) {
      return Error("preparing a statement");
    }
    return StmtPtr(st);
  }

  Status Exec(const std::string& sql) {
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error("executing a statement");
    }
    return Status::Ok();
  }

  // SQLite's messages name tables and constraints, never bound values.
  Status Error(std::string_view what) const {
    return Status::IoError("audit store " + Describe() + ": " + std::string(what) + ": " +
                           sqlite3_errmsg(db_.get()));
  }

  static void BindText(sqlite3_stmt* st, int idx, std::string_view s) {
    sqlite3_bind_text(st, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  static void BindBlob(sqlite3_stmt* st, int idx, std::string_view s) {
    sqlite3_bind_blob(st, idx, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }
  static std::string ColumnText(sqlite3_stmt* st, int col) {
    const auto* p = sqlite3_column_text(st, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(st, col)))
             : std::string();
  }
  static std::string ColumnBlob(sqlite3_stmt* st, int col) {
    const void* p = sqlite3_column_blob(st, col);
    return p ? std::string(static_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(st, col)))
             : std::string();
  }

  std::unique_ptr<sqlite3, DbClose> db_;
  std::string path_;
  StmtPtr insert_event_;
  StmtPtr insert_checkpoint_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto store = std::make_unique<SqliteStore>(db, path);  // owns db even on failure
  if (rc != SQLITE_OK) {
    return Status::IoError("audit store sqlite:" + path +
                           ": cannot open: " + (db ? sqlite3_errmsg(db) : "out of memory"));
  }
  if (Status s = store->Init(); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace airlock::audit
