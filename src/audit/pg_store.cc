// PostgreSQL store over libpq. Several gateway instances write one trail;
// each writes only its own instance's rows, so their transactions never
// touch the same rows and need no locks beyond the primary key.
//
// Parameters go as text (integers, strings) or binary (bytea); results come
// back in binary and are decoded here.
#include <libpq-fe.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "airlock/audit/store.h"
#include "internal/sql.h"

namespace airlock::audit {
namespace {

struct ConnClose {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClear>;

// One statement's parameters, kept alive for PQexecParams.
class Params {
 public:
  Params& Text(std::string_view s) { return Add(std::string(s), 0); }
  Params& Int(std::int64_t v) { return Add(std::to_string(v), 0); }
  Params& Bytes(std::string_view s) { return Add(std::string(s), 1); }

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() {
    ptrs_.clear();
    for (const auto& v : values_) ptrs_.push_back(v.data());
    return ptrs_.data();
  }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  Params& Add(std::string v, int format) {
    lengths_.push_back(static_cast<int>(v.size()));
    formats_.push_back(format);
    values_.push_back(std::move(v));
    return *this;
  }
  std::vector<std::string> values_;
  std::vector<const char*> ptrs_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

std::int64_t GetInt(const PGresult* r, int row, int col) {
  // Binary int8 (BIGINT) is 8 bytes big-endian; MAX() over BIGINT too.
  const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col));
  std::uint64_t v = 0;
  int n = PQgetlength(r, row, col);
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n == 4) return static_cast<std::int32_t>(v);
  return static_cast<std::int64_t>(v);
}

std::string GetBytes(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
}

class PostgresStore final : public Store {
 public:
  PostgresStore(PGconn* conn, std::string describe) : conn_(conn), describe_(std::move(describe)) {}

  Status Init() {
    // Keep the server's notices (CREATE ... IF NOT EXISTS) off stderr.
    PQsetNoticeProcessor(
        conn_.get(), [](void*, const char*) {}, nullptr);
    // Two processes creating the tables at once would race in the catalog;
    // a transaction-scoped advisory lock serialises them.
    if (Status s = Exec("BEGIN"); !s.ok()) return s;
    Status s = Exec("SELECT pg_advisory_xact_lock(7318265)");
    for (std::string_view sql : internal::SchemaStatements(internal::Dialect::kPostgres)) {
      if (!s.ok()) break;
      s = Exec(std::string(sql));
    }
    if (s.ok()) return Exec("COMMIT");
    Exec("ROLLBACK");
    return s;
  }

  Status Commit(const std::vector<StoredEvent>& events,
                const std::vector<Checkpoint>& checkpoints) override {
    if (Status s = Exec("BEGIN"); !s.ok()) return s;
    Status s = InsertAll(events, checkpoints);
    if (s.ok()) s = Exec("COMMIT");  // synchronous_commit=on (the default): durable on return
    if (!s.ok()) Exec("ROLLBACK");
    return s;
  }

  Result<ChainHead> Head(std::string_view instance) override {
    ChainHead head;
    head.hash = internal::GenesisHashBytes();
    Params p;
    p.Text(instance);
    auto r = Query(
        "SELECT seq, hash, time_us FROM audit_events WHERE instance = $1 "
        "ORDER BY seq DESC LIMIT 1",
        p);
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 1) {
      head.seq = static_cast<std::uint64_t>(GetInt(r->get(), 0, 0));
      head.hash = GetBytes(r->get(), 0, 1);
      head.time_us = GetInt(r->get(), 0, 2);
    }
    auto c = Query(
        "SELECT seq, hash, time_us FROM audit_checkpoints WHERE instance = $1 "
        "ORDER BY seq DESC LIMIT 1",
        p);
    if (!c.ok()) return c.status();
    if (PQntuples(c->get()) == 1) {
      head.last_checkpoint_seq = static_cast<std::uint64_t>(GetInt(c->get(), 0, 0));
      if (head.seq == 0) {
        // Everything was pruned: the chain goes on from its anchor.
        head.seq = head.last_checkpoint_seq;
        head.hash = GetBytes(c->get(), 0, 1);
        head.time_us = GetInt(c->get(), 0, 2);
      }
    }
    return head;
  }

  Result<std::vector<std::string>> Instances() override {
    Params p;
    auto r = Query(std::string(internal::kInstancesQuery), p);
    if (!r.ok()) return r.status();
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(GetBytes(r->get(), i, 0));
    return out;
  }

  Status ScanChain(std::string_view instance, std::uint64_t from_seq,
                   const EventVisitor& visit) override {
    Params p;
    p.Text(instance).Int(static_cast<std::int64_t>(from_seq));
    return Stream(
        "SELECT instance, seq, time_us, principal, workflow, record, hash FROM audit_events "
        "WHERE instance = $1 AND seq >= $2 ORDER BY seq",
        p, visit);
  }

  Status ScanFiltered(const EventFilter& f, const EventVisitor& visit) override {
    Params p;
    p.Int(f.since_us).Int(f.until_us).Text(f.instance).Text(f.principal).Text(f.workflow);
    return Stream(
        std::string("SELECT instance, seq, time_us, principal, workflow, record, hash FROM audit_events "
                    "WHERE time_us >= $1 AND time_us < $2 AND ($3 = '' OR instance = $3) "
                    "AND ($4 = '' OR principal = $4) AND ($5 = '' OR workflow = $5) ") +
            (f.newest_first ? "ORDER BY time_us DESC, instance DESC, seq DESC" : "ORDER BY time_us, instance, seq"),
        p, visit);
  }

  Result<std::uint64_t> CountEvents(std::int64_t since_us, std::int64_t until_us) override {
    Params p;
    p.Int(since_us).Int(until_us);
    auto r = Query("SELECT COUNT(*) FROM audit_events WHERE time_us >= $1 AND time_us < $2", p);
    if (!r.ok()) return r.status();
    return static_cast<std::uint64_t>(GetInt(r->get(), 0, 0));
  }

  Result<std::vector<Checkpoint>> Checkpoints(std::string_view instance) override {
    Params p;
    p.Text(instance);
    auto r = Query(
        "SELECT instance, seq, time_us, hash, key_id, signature FROM audit_checkpoints "
        "WHERE instance = $1 ORDER BY seq",
        p);
    if (!r.ok()) return r.status();
    std::vector<Checkpoint> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      Checkpoint c;
      c.instance = GetBytes(r->get(), i, 0);
      c.seq = static_cast<std::uint64_t>(GetInt(r->get(), i, 1));
      c.time_us = GetInt(r->get(), i, 2);
      c.hash = GetBytes(r->get(), i, 3);
      c.key_id = GetBytes(r->get(), i, 4);
      c.signature = GetBytes(r->get(), i, 5);
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<PruneResult> Prune(std::int64_t before_us) override {
    if (Status s = Exec("BEGIN"); !s.ok()) return s;
    // Per instance: the last checkpoint below the first event that is not
    // old enough (or any checkpoint when every event is).
    Params p;
    p.Int(before_us);
    auto cuts = Query(
        "SELECT c.instance, MAX(c.seq) FROM audit_checkpoints c WHERE c.seq < COALESCE("
        "(SELECT MIN(e.seq) FROM audit_events e WHERE e.instance = c.instance "
        "AND e.time_us >= $1), 9223372036854775807) GROUP BY c.instance",
        p);
    PruneResult total;
    Status s = cuts.status();
    for (int i = 0; s.ok() && i < PQntuples(cuts->get()); ++i) {
      Params d;
      d.Text(GetBytes(cuts->get(), i, 0)).Int(GetInt(cuts->get(), i, 1));
      auto ev = Query("DELETE FROM audit_events WHERE instance = $1 AND seq <= $2", d);
      auto cp = ev.ok() ? Query("DELETE FROM audit_checkpoints WHERE instance = $1 AND seq < $2", d)
                        : Result<ResultPtr>(ev.status());
      s = cp.status();
      if (s.ok()) {
        total.events_deleted += std::stoull(PQcmdTuples(ev->get()));
        total.checkpoints_deleted += std::stoull(PQcmdTuples(cp->get()));
      }
    }
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) {
      Exec("ROLLBACK");
      return s;
    }
    return total;
  }

  Status ExecRaw(std::string_view sql, const std::vector<SqlParam>& params) override {
    Params p;
    for (const auto& x : params) {
      if (x.type == SqlParam::Type::kBlob) {
        p.Bytes(x.bytes);
      } else if (x.type == SqlParam::Type::kText) {
        p.Text(x.bytes);
      } else {
        p.Int(x.integer);
      }
    }
    return Query(std::string(sql), p).status();
  }

  std::string Describe() const override { return describe_; }

 private:
  Status InsertAll(const std::vector<StoredEvent>& events,
                   const std::vector<Checkpoint>& checkpoints) {
    // One multi-row INSERT per chunk: a round trip per event would cap a
    // remote server at a few thousand events per second.
    constexpr std::size_t kChunk = 500;
    for (std::size_t at = 0; at < events.size(); at += kChunk) {
      std::size_t end = std::min(events.size(), at + kChunk);
      std::string sql =
          "INSERT INTO audit_events (instance, seq, time_us, principal, workflow, record, hash) "
          "VALUES ";
      Params p;
      for (std::size_t i = at; i < end; ++i) {
        int b = static_cast<int>((i - at) * 7);
        if (i > at) sql += ",";
        sql += "($" + std::to_string(b + 1) + ",$" + std::to_string(b + 2) + "::bigint,$" +
               std::to_string(b + 3) + "::bigint,$" + std::to_string(b + 4) + ",$" +
               std::to_string(b + 5) + ",$" + std::to_string(b + 6) + "::bytea,$" +
               std::to_string(b + 7) + "::bytea)";
        const auto& e = events[i];
        p.Text(e.instance).Int(static_cast<std::int64_t>(e.seq)).Int(e.time_us);
        p.Text(e.principal).Text(e.workflow).Bytes(e.record).Bytes(e.hash);
      }
      if (auto r = Query(sql, p); !r.ok()) return r.status();
    }
    for (const auto& c : checkpoints) {
      Params p;
      p.Text(c.instance).Int(static_cast<std::int64_t>(c.seq)).Int(c.time_us);
      p.Bytes(c.hash).Text(c.key_id).Bytes(c.signature);
      auto r = Query(
          "INSERT INTO audit_checkpoints (instance, seq, time_us, hash, key_id, signature) "
          "VALUES ($1, $2::bigint, $3::bigint, $4::bytea, $5, $6::bytea)",
          p);
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }

  // Reads a scan in pages through a cursor so a million-event chain does
  // not sit in memory at once.
  Status Stream(const std::string& select, Params& p, const EventVisitor& visit) {
    if (Status s = Exec("BEGIN"); !s.ok()) return s;
    Status s = Query("DECLARE audit_scan BINARY NO SCROLL CURSOR FOR " + select, p).status();
    bool stopped = false;
    while (s.ok() && !stopped) {
      Params none;
      auto page = Query("FETCH 10000 FROM audit_scan", none);
      if (!page.ok()) {
        s = page.status();
        break;
      }
      const PGresult* r = page->get();
      int n = PQntuples(r);
      if (n == 0) break;
      StoredEvent e;
      for (int i = 0; i < n && !stopped; ++i) {
        e.instance = GetBytes(r, i, 0);
        e.seq = static_cast<std::uint64_t>(GetInt(r, i, 1));
        e.time_us = GetInt(r, i, 2);
        e.principal = GetBytes(r, i, 3);
        e.workflow = GetBytes(r, i, 4);
        e.record = GetBytes(r, i, 5);
        e.hash = GetBytes(r, i, 6);
        stopped = !visit(e);
      }
    }
    if (s.ok()) return Exec("COMMIT");
    Exec("ROLLBACK");
    return s;
  }

  Result<ResultPtr> Query(const std::string& sql, Params& p) {
    ResultPtr r(PQexecParams(conn_.get(), sql.c_str(), p.size(), nullptr, p.values(), p.lengths(),
                             p.formats(), /*resultFormat=*/1));
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error(r.get());
    return r;
  }

  Status Exec(const std::string& sql) {
    ResultPtr r(PQexec(conn_.get(), sql.c_str()));
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error(r.get());
    return Status::Ok();
  }

  // The primary message only: the DETAIL line of a key violation would
  // quote the key's values.
  Status Error(const PGresult* r) const {
    const char* msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string m = msg ? msg : PQerrorMessage(conn_.get());
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return Status::IoError("audit store " + describe_ + ": " + m);
  }

  std::unique_ptr<PGconn, ConnClose> conn_;
  std::string describe_;
};

// postgresql://user:secret@host/db -> postgresql://user@host/db
std::string WithoutPassword(const std::string& url) {
  std::size_t scheme = url.find("://");
  std::size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  std::size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

// Null when `conn` is connected; else why not, naming the store as `shown`.
std::optional<Status> ConnectFailure(PGconn* conn, const std::string& shown) {
  if (conn != nullptr && PQstatus(conn) == CONNECTION_OK) return std::nullopt;
  std::string m = conn ? PQerrorMessage(conn) : "out of memory";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return Status::IoError("audit store " + shown + ": cannot connect: " + m);
}

bool IsSqliteUrl(std::string_view url) { return url.starts_with("sqlite:"); }
bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}
Status UnknownStore(std::string_view url) {
  return Status::InvalidArgument("unknown audit store '" + std::string(url.substr(0, url.find(':'))) +
                                 "': use sqlite:PATH or postgresql://...");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  auto store = std::make_unique<PostgresStore>(conn, WithoutPassword(conninfo));  // owns conn
  if (auto failed = ConnectFailure(conn, store->Describe())) return *failed;
  if (Status s = store->Init(); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url) {
  if (IsSqliteUrl(url)) {
    std::string path(url.substr(7));
    if (path.empty()) return Status::InvalidArgument("--store sqlite:PATH needs a path");
    return OpenSqliteStore(path);
  }
  if (IsPostgresUrl(url)) return OpenPostgresStore(std::string(url));
  return UnknownStore(url);
}

Result<std::string> ProbeSqliteFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(path, ec)) {
    if (!fs::is_regular_file(path, ec)) return Status::InvalidArgument(path + ": not a regular file");
    if (access(path.c_str(), R_OK | W_OK) != 0) {
      return Status::IoError(path + ": not readable and writable: " + std::strerror(errno));
    }
    char header[16] = {};
    std::ifstream in(path, std::ios::binary);
    in.read(header, sizeof header);
    const auto got = in.gcount();
    if (got != 0 && (got < 16 || std::memcmp(header, "SQLite format 3", 16) != 0)) {
      return Status::Corruption(path + ": not an SQLite database");
    }
    return path + " (exists)";
  }
  // It will be created, with its missing directories, under the nearest
  // directory that exists.
  fs::path dir = fs::path(path).parent_path();
  while (!dir.empty() && !fs::exists(dir, ec) && dir.parent_path() != dir) dir = dir.parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) return Status::InvalidArgument(path + ": " + dir.string() + " is not a directory");
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return Status::IoError(path + ": cannot be created, " + dir.string() + " is not writable");
  }
  return path + " (will be created)";
}

Result<std::string> ProbeStore(std::string_view url) {
  if (IsSqliteUrl(url)) {
    std::string path(url.substr(7));
    if (path.empty()) return Status::InvalidArgument("sqlite:PATH needs a path");
    auto p = ProbeSqliteFile(path);
    if (!p.ok()) return p.status();
    return "sqlite:" + *p;
  }
  if (IsPostgresUrl(url)) {
    const std::string conninfo(url);
    const std::string shown = WithoutPassword(conninfo);
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
    if (auto failed = ConnectFailure(conn.get(), shown)) return *failed;
    return shown + " (reachable)";
  }
  return UnknownStore(url);
}

}  // namespace airlock::audit
