// The trail end to end on both stores: AuditLog (group commit, checkpoints,
// restart), Verify, Prune, and tamper tests in the style of LevelDB's
// db/log_test.cc: small verbs corrupt the stored trail on purpose and each
// test asserts the exact problem Verify names.
//
// The PostgreSQL instances run when AIRLOCK_TEST_PG_URL names a server
// (scripts/with-postgres.sh starts one; ctest's audit.postgresql does so) and
// skip otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "airlock/audit/audit_log.h"
#include "airlock/audit/format.h"
#include "airlock/audit/store.h"
#include "airlock/audit/verify.h"

namespace airlock::audit {
namespace {

constexpr std::int64_t kT0 = 1764300000000000;  // 2025-11-28, microseconds

Event MakeEvent(int i) {
  Event e;
  e.kind = i % 3 == 0 ? EventKind::kCompletion : EventKind::kRequest;
  e.request_id = "req-" + std::to_string(i);
  e.principal = i % 2 == 0 ? "alice" : "bob";
  e.workflow = "hr-summary";
  e.backend = "local";
  e.decision = Decision::kRedact;
  e.reasons = {Reason::kDataClassNotAllowed};
  e.status = 200;
  e.latency_us = 1000 + static_cast<std::uint64_t>(i);
  e.findings = {{"IBAN_CODE", "financial", 1}};
  return e;
}

class TrailTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    std::string tag = std::to_string(::getpid()) + "_" + std::to_string(counter++);
    if (GetParam() == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() / ("airlock-trail-" + tag);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "audit.db").string();
    } else {
      const char* base = std::getenv("AIRLOCK_TEST_PG_URL");
      if (base == nullptr || *base == '\0') {
        GTEST_SKIP() << "AIRLOCK_TEST_PG_URL not set (scripts/with-postgres.sh sets it)";
      }
      // One schema per test, so that tests never see each other's chains.
      auto admin = OpenStore(base);
      ASSERT_TRUE(admin.ok()) << admin.status().ToString();
      schema_ = "t_" + tag;
      ASSERT_TRUE((*admin)->ExecRaw("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE", {}).ok());
      ASSERT_TRUE((*admin)->ExecRaw("CREATE SCHEMA " + schema_, {}).ok());
      std::string b = base;
      url_ =
          b + (b.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
    }
    store_ = Open();
    auto k = SigningKey::Generate();
    ASSERT_TRUE(k.ok());
    key_ = std::make_unique<SigningKey>(std::move(*k));
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!schema_.empty()) {
      auto admin = OpenStore(std::getenv("AIRLOCK_TEST_PG_URL"));
      if (admin.ok()) (void)(*admin)->ExecRaw("DROP SCHEMA " + schema_ + " CASCADE", {});
    }
  }

  std::unique_ptr<Store> Open() {
    auto s = OpenStore(url_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  SigningKey KeyCopy() const { return SigningKey::FromPem(*key_->PrivatePem()).value(); }

  std::unique_ptr<AuditLog> OpenLog(const std::string& instance, std::uint64_t every = 10) {
    AuditLogOptions o;
    o.instance_id = instance;
    o.checkpoint_every_events = every;
    o.checkpoint_every = std::chrono::milliseconds(0);
    auto log = AuditLog::Open(Open(), KeyCopy(), o);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }

  // Writes `n` events (event i at kT0 + i seconds) and closes the log, which
  // signs the tail.
  void Write(int n, const std::string& instance = "gw-1", std::uint64_t every = 10) {
    auto log = OpenLog(instance, every);
    ASSERT_NE(log, nullptr);
    for (int i = 1; i <= n; ++i) {
      Event e = MakeEvent(i);
      e.time_us = kT0 + i * 1000000LL;
      auto id = log->Append(std::move(e));
      ASSERT_TRUE(id.ok()) << id.status().ToString();
    }
    ASSERT_TRUE(log->Close().ok());
  }

  VerifyReport Check() {
    auto r = Verify(*store_, *key_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : VerifyReport{};
  }

  // "gw-1:5 deleted" for the one problem found, "OK" when none.
  std::string FirstProblem() {
    VerifyReport r = Check();
    if (r.ok()) return "OK";
    const Problem& p = r.problems.front();
    return p.instance + ":" + std::to_string(p.seq) + " " + std::string(ProblemKindName(p.kind));
  }

  StoredEvent Row(const std::string& inst, std::uint64_t seq) {
    StoredEvent out;
    EXPECT_TRUE(store_
                    ->ScanChain(inst, seq,
                                [&](const StoredEvent& e) {
                                  out = e;
                                  return false;
                                })
                    .ok());
    EXPECT_EQ(out.seq, seq);
    return out;
  }

  // --- Tamper verbs --------------------------------------------------------
  void Exec(const std::string& sql, std::vector<SqlParam> params) {
    Status s = store_->ExecRaw(sql, params);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void SetRecord(const std::string& inst, std::uint64_t seq, const std::string& record) {
    Exec("UPDATE audit_events SET record = $1 WHERE instance = $2 AND seq = $3",
         {SqlParam::Blob(record), SqlParam::Text(inst),
          SqlParam::Int(static_cast<std::int64_t>(seq))});
  }
  void FlipByte(const std::string& inst, std::uint64_t seq, std::size_t offset) {
    std::string rec = Row(inst, seq).record;
    rec[offset] = static_cast<char>(rec[offset] ^ 0x01);
    SetRecord(inst, seq, rec);
  }
  void Delete(const std::string& inst, std::uint64_t seq) {
    Exec("DELETE FROM audit_events WHERE instance = $1 AND seq = $2",
         {SqlParam::Text(inst), SqlParam::Int(static_cast<std::int64_t>(seq))});
  }
  void MoveRow(const std::string& inst, std::int64_t from, std::int64_t to) {
    Exec("UPDATE audit_events SET seq = $1 WHERE instance = $2 AND seq = $3",
         {SqlParam::Int(to), SqlParam::Text(inst), SqlParam::Int(from)});
  }
  // Rows at seq >= from move by `delta`, through negative seqs so that the
  // primary key never collides midway.
  void Shift(const std::string& inst, std::int64_t from, std::int64_t delta) {
    Exec("UPDATE audit_events SET seq = -(seq + $1) WHERE instance = $2 AND seq >= $3",
         {SqlParam::Int(delta), SqlParam::Text(inst), SqlParam::Int(from)});
    Exec("UPDATE audit_events SET seq = -seq WHERE instance = $1 AND seq < 0",
         {SqlParam::Text(inst)});
  }
  void InsertRow(const std::string& inst, std::uint64_t seq, const Event& e,
                 const std::string& hash) {
    Exec(
        "INSERT INTO audit_events (instance, seq, time_us, principal, workflow, record, hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {SqlParam::Text(inst), SqlParam::Int(static_cast<std::int64_t>(seq)),
         SqlParam::Int(e.time_us), SqlParam::Text(e.principal), SqlParam::Text(e.workflow),
         SqlParam::Blob(EncodeEvent(e)), SqlParam::Blob(hash)});
  }
  void Truncate(const std::string& inst, std::uint64_t keep) {
    Exec("DELETE FROM audit_events WHERE instance = $1 AND seq > $2",
         {SqlParam::Text(inst), SqlParam::Int(static_cast<std::int64_t>(keep))});
  }
  void InsertCheckpoint(const Checkpoint& c) {
    Exec(
        "INSERT INTO audit_checkpoints (instance, seq, time_us, hash, key_id, signature) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {SqlParam::Text(c.instance), SqlParam::Int(static_cast<std::int64_t>(c.seq)),
         SqlParam::Int(c.time_us), SqlParam::Blob(c.hash), SqlParam::Text(c.key_id),
         SqlParam::Blob(c.signature)});
  }

  std::filesystem::path dir_;
  std::string schema_;
  std::string url_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SigningKey> key_;
};

TEST_P(TrailTest, EmptyTrailVerifies) { EXPECT_EQ(FirstProblem(), "OK"); }

TEST_P(TrailTest, AppendChainsAndCheckpoints) {
  Write(95);
  VerifyReport r = Check();
  ASSERT_TRUE(r.ok()) << r.problems.front().ToString();
  ASSERT_EQ(r.chains.size(), 1u);
  EXPECT_EQ(r.chains[0].first_seq, 1u);
  EXPECT_EQ(r.chains[0].last_seq, 95u);
  EXPECT_EQ(r.chains[0].checkpoints, 10u);  // every 10 events, and the tail on Close
  EXPECT_EQ(r.chains[0].last_checkpoint_seq, 95u);
  EXPECT_EQ(r.chains[0].unsigned_tail, 0u);
  auto ev = DecodeEvent(Row("gw-1", 7).record);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->request_id, "req-7");
  EXPECT_EQ(ev->time_us, kT0 + 7000000);
}

TEST_P(TrailTest, ConcurrentAppendsAreAllCommittedOnce) {
  auto log = OpenLog("gw-1", 100);
  ASSERT_NE(log, nullptr);
  constexpr int kThreads = 8, kEach = 250;
  std::vector<std::vector<std::uint64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto id = log->Append(MakeEvent(i));
        if (id.ok()) ids[t].push_back(id->seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(log->Close().ok());
  std::set<std::uint64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_EQ(log->committed(), static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_EQ(FirstProblem(), "OK");
}

TEST_P(TrailTest, AsyncAppendsCompleteOnceEach) {
  auto log = OpenLog("gw-1", 100);
  ASSERT_NE(log, nullptr);
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::uint64_t> seqs;
  int failures = 0;
  constexpr int kN = 1000;
  for (int i = 0; i < kN; ++i) {
    log->AppendAsync(MakeEvent(i), [&](Result<EventId> id) {
      std::lock_guard lock(mu);
      if (id.ok())
        seqs.insert(id->seq);
      else
        ++failures;
      cv.notify_one();
    });
  }
  // An invalid event completes at once, on this thread, with the reason.
  Event bad = MakeEvent(0);
  bad.principal = "not an id";
  Status bad_status;
  log->AppendAsync(bad, [&](Result<EventId> id) { bad_status = id.status(); });
  EXPECT_EQ(bad_status.code(), Status::Code::kInvalidArgument);
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return seqs.size() + failures == kN; });
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(*seqs.rbegin(), static_cast<std::uint64_t>(kN));
  EXPECT_LE(log->transactions(), static_cast<std::uint64_t>(kN));
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(FirstProblem(), "OK");
}

TEST_P(TrailTest, ReopenedLogContinuesTheChain) {
  Write(15);
  Write(15);  // a restart: the second log reads the head
  VerifyReport r = Check();
  ASSERT_TRUE(r.ok()) << r.problems.front().ToString();
  EXPECT_EQ(r.chains[0].last_seq, 30u);
}

TEST_P(TrailTest, UnsignedTailIsCounted) {
  Write(14);
  // What a crash leaves: the events after the last count-based checkpoint,
  // without the one Close would have signed.
  Exec("DELETE FROM audit_checkpoints WHERE instance = $1 AND seq = $2",
       {SqlParam::Text("gw-1"), SqlParam::Int(14)});
  VerifyReport r = Check();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.chains[0].unsigned_tail, 4u);
  Write(1);  // the next writer signs it again
  EXPECT_EQ(Check().chains[0].unsigned_tail, 0u);
}

TEST_P(TrailTest, IdleLogSignsItsTailAfterAPeriod) {
  AuditLogOptions o;
  o.instance_id = "gw-1";
  o.checkpoint_every_events = 1000;
  o.checkpoint_every = std::chrono::milliseconds(20);
  auto log = AuditLog::Open(Open(), KeyCopy(), o);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->Append(MakeEvent(i)).ok());
  // No Close: the writer must sign on its own once the period is over.
  // Polled, not timed: the bound only keeps a broken build from hanging.
  std::uint64_t tail = 3;
  for (int i = 0; i < 500 && tail != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    tail = Check().chains[0].unsigned_tail;
  }
  EXPECT_EQ(tail, 0u);
  EXPECT_EQ(Check().chains[0].last_checkpoint_seq, 3u);
}

TEST_P(TrailTest, RejectsFreeTextAndWritesNothing) {
  auto log = OpenLog("gw-1");
  Event e = MakeEvent(1);
  e.workflow = "summarise: Max Mustermann, IBAN DE89...";
  auto id = log->Append(std::move(e));
  EXPECT_EQ(id.status().code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(Check().events(), 0u);
}

TEST_P(TrailTest, FlippedByteInRecordIsModified) {
  Write(30);
  FlipByte("gw-1", 17, 40);
  EXPECT_EQ(FirstProblem(), "gw-1:17 modified");
}

TEST_P(TrailTest, FlippedByteInEveryPositionIsNamed) {
  Write(3, "gw-1", 1);
  std::string original = Row("gw-1", 2).record;
  for (std::size_t off = 0; off < original.size(); ++off) {
    FlipByte("gw-1", 2, off);
    std::string got = FirstProblem();
    // A flip in the record's own seq field makes it claim another place.
    EXPECT_TRUE(got == "gw-1:2 modified" || got == "gw-1:2 deleted" || got == "gw-1:2 reordered")
        << "offset " << off << ": " << got;
    SetRecord("gw-1", 2, original);
  }
  EXPECT_EQ(FirstProblem(), "OK");
}

TEST_P(TrailTest, ChangedFilterColumnIsModified) {
  Write(20);
  Exec("UPDATE audit_events SET principal = $1 WHERE instance = $2 AND seq = $3",
       {SqlParam::Text("mallory"), SqlParam::Text("gw-1"), SqlParam::Int(12)});
  EXPECT_EQ(FirstProblem(), "gw-1:12 modified");
}

TEST_P(TrailTest, DeletedEventIsNamed) {
  Write(30);
  Delete("gw-1", 13);
  EXPECT_EQ(FirstProblem(), "gw-1:13 deleted");
}

TEST_P(TrailTest, DeletedAndRenumberedIsNamed) {
  Write(30);
  Delete("gw-1", 13);
  Shift("gw-1", 14, -1);
  EXPECT_EQ(FirstProblem(), "gw-1:13 deleted");
}

TEST_P(TrailTest, DeletedFirstEventIsNamed) {
  Write(30);
  Delete("gw-1", 1);
  EXPECT_EQ(FirstProblem(), "gw-1:1 deleted");
}

TEST_P(TrailTest, InsertedEventIsNamed) {
  Write(30);
  // The attacker's best: a well-formed event with a correct chain hash,
  // slotted in at seq 8 with the rest shifted up.
  Shift("gw-1", 8, 1);
  Event fake = MakeEvent(99);
  fake.instance = "gw-1";
  fake.seq = 8;
  fake.time_us = kT0 + 7500000;
  InsertRow("gw-1", 8, fake, ChainHash(Row("gw-1", 7).hash, EncodeEvent(fake)));
  EXPECT_EQ(FirstProblem(), "gw-1:8 inserted");
}

TEST_P(TrailTest, InsertedEventWithBadHashIsNamed) {
  Write(30);
  Shift("gw-1", 8, 1);
  Event fake = MakeEvent(99);
  fake.instance = "gw-1";
  fake.seq = 8;
  InsertRow("gw-1", 8, fake, std::string(32, 'x'));
  EXPECT_EQ(FirstProblem(), "gw-1:8 inserted");
}

TEST_P(TrailTest, CopiedEventIsNamed) {
  Write(30);
  StoredEvent r = Row("gw-1", 4);
  Shift("gw-1", 21, 1);
  auto ev = DecodeEvent(r.record);
  InsertRow("gw-1", 21, *ev, r.hash);
  EXPECT_EQ(FirstProblem(), "gw-1:21 inserted");
}

TEST_P(TrailTest, ReorderedEventsAreNamed) {
  Write(30);
  MoveRow("gw-1", 11, -1);
  MoveRow("gw-1", 12, 11);
  MoveRow("gw-1", -1, 12);
  EXPECT_EQ(FirstProblem(), "gw-1:11 reordered");
}

TEST_P(TrailTest, TruncatedChainIsNamed) {
  Write(30);  // checkpoint at 30
  Truncate("gw-1", 26);
  EXPECT_EQ(FirstProblem(), "gw-1:27 deleted");
}

TEST_P(TrailTest, ForgedCheckpointIsNamed) {
  Write(30);
  // A checkpoint over a made-up head, signed with another key.
  auto other = SigningKey::Generate();
  Checkpoint c;
  c.instance = "gw-1";
  c.seq = 35;
  c.time_us = kT0;
  c.hash = std::string(32, 'f');
  c.key_id = key_->KeyId();  // claims to be ours
  c.signature = *other->Sign(CheckpointMessage(c.instance, c.seq, c.hash, c.time_us));
  InsertCheckpoint(c);
  EXPECT_EQ(FirstProblem(), "gw-1:35 bad-checkpoint");
}

TEST_P(TrailTest, AlteredCheckpointIsNamed) {
  Write(30);
  Exec("UPDATE audit_checkpoints SET time_us = time_us + 1 WHERE instance = $1 AND seq = $2",
       {SqlParam::Text("gw-1"), SqlParam::Int(20)});
  EXPECT_EQ(FirstProblem(), "gw-1:20 bad-checkpoint");
}

TEST_P(TrailTest, RewrittenChainIsCaughtByTheCheckpoint) {
  Write(30);
  // Rewrite events 15..30 consistently (new principal, fresh hashes): only
  // the signed checkpoints can tell.
  std::string prev = Row("gw-1", 14).hash;
  for (std::uint64_t s = 15; s <= 30; ++s) {
    auto ev = DecodeEvent(Row("gw-1", s).record);
    ev->principal = "mallory";
    std::string rec = EncodeEvent(*ev);
    prev = ChainHash(prev, rec);
    Exec(
        "UPDATE audit_events SET record = $1, hash = $2, principal = $3 WHERE instance = $4 AND "
        "seq = $5",
        {SqlParam::Blob(rec), SqlParam::Blob(prev), SqlParam::Text("mallory"),
         SqlParam::Text("gw-1"), SqlParam::Int(static_cast<std::int64_t>(s))});
  }
  VerifyReport r = Check();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].kind, ProblemKind::kModified);
  EXPECT_EQ(r.problems[0].seq, 11u);  // after the last checkpoint that still matches (10)
  EXPECT_NE(r.problems[0].detail.find("checkpoint signed at seq 20"), std::string::npos);
}

TEST_P(TrailTest, WrongKeyReportsEveryCheckpoint) {
  Write(10);
  auto other = SigningKey::Generate();
  auto r = Verify(*store_, *other);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->problems[0].kind, ProblemKind::kBadCheckpoint);
  EXPECT_NE(r->problems[0].detail.find("signed by key"), std::string::npos);
}

TEST_P(TrailTest, SeveralInstancesKeepTheirOwnChains) {
  auto a = OpenLog("gw-a", 50);
  auto b = OpenLog("gw-b", 50);
  std::thread ta([&] {
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(a->Append(MakeEvent(i)).ok());
  });
  std::thread tb([&] {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(b->Append(MakeEvent(i)).ok());
  });
  ta.join();
  tb.join();
  ASSERT_TRUE(a->Close().ok());
  ASSERT_TRUE(b->Close().ok());
  VerifyReport r = Check();
  ASSERT_TRUE(r.ok()) << r.problems.front().ToString();
  ASSERT_EQ(r.chains.size(), 2u);
  EXPECT_EQ(r.chains[0].last_seq, 300u);
  EXPECT_EQ(r.chains[1].last_seq, 200u);
  FlipByte("gw-b", 150, 30);
  r = Check();
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].instance, "gw-b");
  EXPECT_EQ(r.problems[0].seq, 150u);
}

TEST_P(TrailTest, PruneKeepsTheRestVerifiable) {
  Write(100);  // event i at kT0 + i s, checkpoints every 10
  auto pr = store_->Prune(kT0 + 55 * 1000000LL);
  ASSERT_TRUE(pr.ok()) << pr.status().ToString();
  EXPECT_EQ(pr->events_deleted, 50u);      // up to the checkpoint at 50
  EXPECT_EQ(pr->checkpoints_deleted, 4u);  // 10..40; 50 anchors what is left
  VerifyReport r = Check();
  ASSERT_TRUE(r.ok()) << r.problems.front().ToString();
  EXPECT_EQ(r.chains[0].first_seq, 51u);
  EXPECT_EQ(r.chains[0].events, 50u);
  // Pruning is idempotent, and appending goes on after it.
  EXPECT_EQ(store_->Prune(kT0 + 55 * 1000000LL)->events_deleted, 0u);
  Write(5);
  EXPECT_EQ(FirstProblem(), "OK");
  // Without its anchor the remaining chain is not verifiable.
  Exec("DELETE FROM audit_checkpoints WHERE instance = $1 AND seq = $2",
       {SqlParam::Text("gw-1"), SqlParam::Int(50)});
  EXPECT_EQ(FirstProblem(), "gw-1:1 deleted");
}

TEST_P(TrailTest, PruneEverything) {
  Write(20);
  auto pr = store_->Prune(kT0 + 1000 * 1000000LL);
  ASSERT_TRUE(pr.ok());
  EXPECT_EQ(pr->events_deleted, 20u);
  EXPECT_EQ(FirstProblem(), "OK");
  Write(3);
  VerifyReport r = Check();
  ASSERT_TRUE(r.ok()) << r.problems.front().ToString();
  EXPECT_EQ(r.chains[0].first_seq, 21u);
}

// VerifyAppended: rounds that read what was appended since the last one.
std::string Describe(const Result<VerifyReport>& r) {
  if (!r.ok()) return r.status().ToString();
  if (r->ok()) return "OK";
  const Problem& p = r->problems.front();
  return p.instance + ":" + std::to_string(p.seq) + " " + std::string(ProblemKindName(p.kind));
}

TEST_P(TrailTest, AppendedRoundReadsOnlyWhatIsNew) {
  Write(30);
  VerifiedPoints points;
  ASSERT_EQ(Describe(Verify(*store_, *key_, &points)), "OK");
  ASSERT_EQ(points.count("gw-1"), 1u);
  EXPECT_EQ(points["gw-1"].seq, 30u);
  EXPECT_EQ(points["gw-1"].hash, Row("gw-1", 30).hash);
  Write(20);  // 31..50
  // A change before the point is not read by an appended round (that is
  // its saving), and is found by the next whole verification.
  FlipByte("gw-1", 5, 40);
  auto r = VerifyAppended(*store_, *key_, &points);
  ASSERT_EQ(Describe(r), "OK");
  EXPECT_EQ(r->chains[0].first_seq, 1u);
  EXPECT_EQ(r->chains[0].last_seq, 50u);
  EXPECT_EQ(r->chains[0].events, 50u);
  EXPECT_EQ(points["gw-1"].seq, 50u);
  EXPECT_EQ(Describe(VerifyAppended(*store_, *key_, &points)), "OK");  // nothing new
  EXPECT_EQ(Describe(Verify(*store_, *key_, &points)), "gw-1:5 modified");
  EXPECT_EQ(points.count("gw-1"), 0u);
}

TEST_P(TrailTest, AppendedRoundNamesTamperingAfterThePoint) {
  Write(30);
  VerifiedPoints points;
  ASSERT_EQ(Describe(Verify(*store_, *key_, &points)), "OK");
  Write(20);
  FlipByte("gw-1", 45, 40);
  EXPECT_EQ(Describe(VerifyAppended(*store_, *key_, &points)), "gw-1:45 modified");
  EXPECT_EQ(points.count("gw-1"), 0u);  // the next round verifies it whole, and names it again
  EXPECT_EQ(Describe(VerifyAppended(*store_, *key_, &points)), "gw-1:45 modified");
}

TEST_P(TrailTest, AppendedRoundVerifiesWholeWhenThePointChanged) {
  Write(30);
  VerifiedPoints points;
  ASSERT_EQ(Describe(Verify(*store_, *key_, &points)), "OK");
  Write(5);
  // The point's event rewritten with a fresh hash: the appended round
  // cannot start from it and verifies the chain whole.
  Exec("UPDATE audit_events SET hash = $1 WHERE instance = $2 AND seq = $3",
       {SqlParam::Blob(std::string(32, 'x')), SqlParam::Text("gw-1"), SqlParam::Int(30)});
  EXPECT_EQ(Describe(VerifyAppended(*store_, *key_, &points)), "gw-1:30 modified");
}

TEST_P(TrailTest, AppendedRoundNamesATruncationNoCheckpointShows) {
  Write(25);  // checkpoints at 10, 20 and the tail's at 25
  VerifiedPoints points;
  ASSERT_EQ(Describe(Verify(*store_, *key_, &points)), "OK");
  Truncate("gw-1", 22);
  Exec("DELETE FROM audit_checkpoints WHERE instance = $1 AND seq = $2",
       {SqlParam::Text("gw-1"), SqlParam::Int(25)});
  EXPECT_EQ(FirstProblem(), "OK");  // a whole verification cannot tell: 21 and 22 were unsigned
  EXPECT_EQ(Describe(VerifyAppended(*store_, *key_, &points)), "gw-1:23 deleted");
}

TEST_P(TrailTest, AppendedRoundAfterPruningThePoint) {
  Write(20);
  VerifiedPoints points;
  ASSERT_EQ(Describe(Verify(*store_, *key_, &points)), "OK");
  ASSERT_TRUE(store_->Prune(kT0 + 1000 * 1000000LL).ok());  // every event, the point's too
  Write(3);
  auto r = VerifyAppended(*store_, *key_, &points);
  ASSERT_EQ(Describe(r), "OK");
  EXPECT_EQ(r->chains[0].first_seq, 21u);
  EXPECT_EQ(points["gw-1"].seq, 23u);
  EXPECT_EQ(points["gw-1"].first_seq, 21u);
}

TEST_P(TrailTest, AppendedRoundChecksNewCheckpoints) {
  Write(30);
  VerifiedPoints points;
  ASSERT_EQ(Describe(Verify(*store_, *key_, &points)), "OK");
  Write(20);  // checkpoints at 40 and 50
  Exec("UPDATE audit_checkpoints SET signature = $1 WHERE instance = $2 AND seq = $3",
       {SqlParam::Blob(std::string(64, 'x')), SqlParam::Text("gw-1"), SqlParam::Int(40)});
  EXPECT_EQ(Describe(VerifyAppended(*store_, *key_, &points)), "gw-1:40 bad-checkpoint");
}

TEST_P(TrailTest, CountEventsByTime) {
  Write(30);  // event i at kT0 + i s
  Write(5, "gw-2");
  auto n = store_->CountEvents(kT0 + 5 * 1000000LL, kT0 + 15 * 1000000LL);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 11u);  // gw-1: 5..14; gw-2 (1..5): 5
  EXPECT_EQ(*store_->CountEvents(kT0 + 100 * 1000000LL, kT0 + 200 * 1000000LL), 0u);
  EXPECT_EQ(*store_->CountEvents(INT64_MIN, INT64_MAX), 35u);
}

TEST_P(TrailTest, FilteredScan) {
  Write(20);
  EventFilter f;
  f.principal = "alice";
  f.since_us = kT0 + 5 * 1000000LL;
  f.until_us = kT0 + 15 * 1000000LL;
  std::vector<std::uint64_t> seqs;
  ASSERT_TRUE(store_
                  ->ScanFiltered(f,
                                 [&](const StoredEvent& e) {
                                   seqs.push_back(e.seq);
                                   return true;
                                 })
                  .ok());
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{6, 8, 10, 12, 14}));
}

// "The last N" reads newest first and stops after N rows; ties in time are
// ordered by instance and sequence number, descending.
TEST_P(TrailTest, FilteredScanNewestFirstStopsEarly) {
  Write(20);
  Write(3, "gw-0");  // the same seconds as gw-1's first three events
  EventFilter f;
  f.newest_first = true;
  std::vector<std::string> rows;
  ASSERT_TRUE(store_
                  ->ScanFiltered(f,
                                 [&](const StoredEvent& e) {
                                   rows.push_back(e.instance + ":" + std::to_string(e.seq));
                                   return rows.size() < 3;
                                 })
                  .ok());
  EXPECT_EQ(rows, (std::vector<std::string>{"gw-1:20", "gw-1:19", "gw-1:18"}));
  rows.clear();
  f.until_us = kT0 + 3 * 1000000LL + 1;
  ASSERT_TRUE(store_
                  ->ScanFiltered(f,
                                 [&](const StoredEvent& e) {
                                   rows.push_back(e.instance + ":" + std::to_string(e.seq));
                                   return true;
                                 })
                  .ok());
  EXPECT_EQ(rows, (std::vector<std::string>{"gw-1:3", "gw-0:3", "gw-1:2", "gw-0:2", "gw-1:1", "gw-0:1"}));
}

// serve --check's probe: what it accepts opens, what it refuses does not,
// and it creates nothing.
TEST(ProbeStoreTest, SqliteFilesAndDirectories) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("airlock-probe-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string fresh = (dir / "a" / "b" / "audit.db").string();
  auto p = ProbeStore("sqlite:" + fresh);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, "sqlite:" + fresh + " (will be created)");
  EXPECT_FALSE(fs::exists(dir / "a"));
  fs::create_directories(dir / "a" / "b");  // as the gateway does (AuditStoreUrl)
  ASSERT_TRUE(OpenStore("sqlite:" + fresh).ok());  // what the probe accepted opens
  p = ProbeStore("sqlite:" + fresh);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, "sqlite:" + fresh + " (exists)");

  const std::string text = (dir / "notes.txt").string();
  { std::ofstream(text) << "not a database, but long enough to have a header\n"; }
  EXPECT_EQ(ProbeStore("sqlite:" + text).status().code(), Status::Code::kCorruption);
  EXPECT_FALSE(OpenStore("sqlite:" + text).ok());  // and the store refuses it too
  EXPECT_EQ(ProbeStore("sqlite:" + text + "/audit.db").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ProbeStore("sqlite:").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ProbeStore("mysql://x").status().code(), Status::Code::kInvalidArgument);
  fs::remove_all(dir);
}

TEST(ProbeStoreTest, PostgresqlUnreachableHidesThePassword) {
  auto p = ProbeStore("postgresql://u:hunter2@127.0.0.1:1/db?connect_timeout=2");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Status::Code::kIoError);
  EXPECT_NE(p.status().message().find("postgresql://u@127.0.0.1:1/db"), std::string::npos) << p.status().message();
  EXPECT_EQ(p.status().message().find("hunter2"), std::string::npos);
  if (const char* url = std::getenv("AIRLOCK_TEST_PG_URL")) {
    auto ok = ProbeStore(url);
    EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, TrailTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace airlock::audit
