// airlock-audit-bench: drives the audit trail for the crash test and the
// speed measurements (docs/benchmarks.md). Not a Google Benchmark: the
// quantities are durable events per second under concurrent load and the
// time of one verification pass, each next to a baseline from the same run.
//
//   airlock-audit-bench load   --store URL --signing-key PEM --instance ID
//                              [--threads 16] [--events 0 (forever)] [--ack-file F]
//       Appends from many threads; after each Append returned OK, writes
//       "ID SEQ\n" to the ack file (one write(2), O_APPEND). The crash test
//       kill -9s this process and checks every acknowledged event is there.
//   airlock-audit-bench append --store URL [--threads 1024] [--events 200000]
//       Durable events/s with group commit under that many concurrent
//       callers (threads up to 64, AppendAsync windows beyond), and the
//       baseline: one caller, so one event per transaction.
//   airlock-audit-bench verify --store sqlite:PATH [--events 1000000]
//       Builds a trail of N events (if the store is empty), then times
//       Verify against a plain read of every row.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "airlock/audit/audit_log.h"
#include "airlock/audit/format.h"
#include "airlock/audit/verify.h"

using namespace airlock;
using namespace airlock::audit;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string mode, store, key, instance = "bench-1", ack_file;
  int threads = 0;
  long events = -1;
};

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "airlock-audit-bench: %s\n", msg.c_str());
  std::exit(2);
}

Args Parse(int argc, char** argv) {
  Args a;
  if (argc < 2) Die("usage: airlock-audit-bench load|append|verify --store URL ...");
  a.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) Die("missing value for " + k);
    std::string v = argv[++i];
    if (k == "--store")
      a.store = v;
    else if (k == "--signing-key")
      a.key = v;
    else if (k == "--instance")
      a.instance = v;
    else if (k == "--ack-file")
      a.ack_file = v;
    else if (k == "--threads")
      a.threads = std::atoi(v.c_str());
    else if (k == "--events")
      a.events = std::atol(v.c_str());
    else
      Die("unknown option " + k);
  }
  if (a.store.empty()) Die("--store is required");
  return a;
}

Event Sample(long i) {
  Event e;
  e.kind = EventKind::kRequest;
  e.request_id = "req-" + std::to_string(i);
  e.principal = "principal-" + std::to_string(i % 50);
  e.workflow = "hr-summary";
  e.backend = "local";
  e.decision = Decision::kRedact;
  e.reasons = {Reason::kDataClassNotAllowed};
  e.status = 200;
  e.latency_us = 1200;
  e.request_bytes = 4096;
  e.response_bytes = 900;
  e.prompt_tokens = 700;
  e.completion_tokens = 150;
  e.findings = {{"EMAIL_ADDRESS", "contact", 2}, {"IBAN_CODE", "financial", 1}};
  ValueFingerprint fp;
  fp.entity_type = "IBAN_CODE";
  for (std::size_t b = 0; b < fp.mac.size(); ++b) fp.mac[b] = static_cast<std::uint8_t>(i + b);
  e.fingerprints = {fp};
  return e;
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

SigningKey Key(const Args& a) {
  auto k = a.key.empty() ? SigningKey::Generate() : SigningKey::LoadPem(a.key);
  if (!k.ok()) Die(k.status().message());
  return std::move(k).value();
}

std::unique_ptr<AuditLog> OpenLog(const Args& a, const std::string& instance) {
  auto store = OpenStore(a.store);
  if (!store.ok()) Die(store.status().message());
  AuditLogOptions o;
  o.instance_id = instance;
  auto log = AuditLog::Open(std::move(*store), Key(a), o);
  if (!log.ok()) Die(log.status().message());
  return std::move(*log);
}

int Load(const Args& a) {
  int fd = -1;
  if (!a.ack_file.empty()) {
    fd = ::open(a.ack_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) Die(a.ack_file + ": " + std::strerror(errno));
  }
  auto log = OpenLog(a, a.instance);
  std::atomic<long> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < (a.threads > 0 ? a.threads : 16); ++t) {
    threads.emplace_back([&] {
      for (;;) {
        long i = next++;
        if (a.events > 0 && i >= a.events) return;
        auto id = log->Append(Sample(i));
        if (!id.ok()) {
          std::fprintf(stderr, "append failed: %s\n", id.status().message().c_str());
          failed = true;
          return;
        }
        if (fd >= 0) {
          std::string line = id->instance + " " + std::to_string(id->seq) + "\n";
          if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
            failed = true;
            return;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return failed ? 1 : (log->Close().ok() ? 0 : 1);
}

// Events/s for `callers` concurrent appenders and `n` events in total. Up
// to 64 callers are threads calling Append; more are emulated the way a
// coroutine gateway has them: a window of that many AppendAsync calls in
// flight, each completion starting the next.
double AppendRate(const Args& a, const std::string& instance, int callers, long n) {
  auto log = OpenLog(a, instance);
  std::atomic<long> next{0};
  auto start = Clock::now();
  if (callers <= 64) {
    std::vector<std::thread> ts;
    for (int t = 0; t < callers; ++t) {
      ts.emplace_back([&] {
        for (long i; (i = next++) < n;) {
          if (!log->Append(Sample(i)).ok()) Die("append failed");
        }
      });
    }
    for (auto& t : ts) t.join();
  } else {
    std::mutex mu;
    std::condition_variable cv;
    long done = 0;
    std::function<void(Result<EventId>)> on_done = [&](Result<EventId> id) {
      if (!id.ok()) Die("append failed: " + id.status().message());
      long i = next++;
      if (i < n) log->AppendAsync(Sample(i), on_done);
      std::lock_guard lock(mu);
      if (++done == n) cv.notify_one();
    };
    for (int c = 0; c < callers; ++c) {
      long i = next++;
      if (i < n) log->AppendAsync(Sample(i), on_done);
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done == n; });
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::fprintf(stderr, "%s: %lu events in %lu transactions\n", instance.c_str(),
               static_cast<unsigned long>(log->committed()),
               static_cast<unsigned long>(log->transactions()));
  if (!log->Close().ok()) Die("close failed");
  return static_cast<double>(n) / secs;
}

int Append(const Args& a) {
  int threads = a.threads > 0 ? a.threads : 1024;
  long n = a.events > 0 ? a.events : 200000;
  std::string run = std::to_string(::getpid());
  // Baseline: one caller, so every event is its own transaction and fsync.
  long base_n = std::max(200L, n / 1000);
  double base = AppendRate(a, "base-" + run, 1, base_n);
  double group = AppendRate(a, "group-" + run, threads, n);
  std::printf("store            %s\n", a.store.substr(0, a.store.find(':')).c_str());
  std::printf("baseline         1 thread, %ld events: %.0f durable events/s\n", base_n, base);
  std::printf(
      "group commit     %d concurrent callers, %ld events: %.0f durable events/s (%.1fx "
      "baseline)\n",
      threads, n, group, group / base);
  return 0;
}

int VerifySpeed(const Args& a) {
  long n = a.events > 0 ? a.events : 1000000;
  auto store = OpenStore(a.store);
  if (!store.ok()) Die(store.status().message());
  SigningKey key = Key(a);
  auto head = (*store)->Head("verify-1");
  if (!head.ok()) Die(head.status().message());
  if (head->seq == 0) {
    // Build the trail directly through the Store in large transactions:
    // what AuditLog would write, minus the waiting.
    std::string prev = GenesisHash();
    std::vector<StoredEvent> rows;
    std::vector<Checkpoint> cps;
    std::int64_t t0 = 1764300000000000;
    for (long i = 1; i <= n; ++i) {
      Event e = Sample(i);
      e.instance = "verify-1";
      e.seq = static_cast<std::uint64_t>(i);
      e.time_us = t0 + i * 1000;
      StoredEvent r{e.instance, e.seq, e.time_us, e.principal, e.workflow, EncodeEvent(e), {}};
      r.hash = ChainHash(prev, r.record);
      prev = r.hash;
      rows.push_back(std::move(r));
      if (i % 1000 == 0 || i == n) {
        Checkpoint c{e.instance, e.seq, e.time_us, prev, key.KeyId(), {}};
        c.signature = key.Sign(CheckpointMessage(c.instance, c.seq, c.hash, c.time_us)).value();
        cps.push_back(std::move(c));
      }
      if (rows.size() == 50000 || i == n) {
        if (Status s = (*store)->Commit(rows, cps); !s.ok()) Die(s.message());
        rows.clear();
        cps.clear();
      }
    }
  }
  // Baseline: read every row, no checks. CPU time is printed next to wall
  // time: on a shared machine the difference is time spent waiting for a core.
  auto start = Clock::now();
  double cpu0 = CpuSeconds();
  std::size_t rows = 0, bytes = 0;
  Status s = (*store)->ScanChain("verify-1", 0, [&](const StoredEvent& e) {
    ++rows;
    bytes += e.record.size();
    return true;
  });
  if (!s.ok()) Die(s.message());
  double scan = std::chrono::duration<double>(Clock::now() - start).count();
  double scan_cpu = CpuSeconds() - cpu0;
  start = Clock::now();
  cpu0 = CpuSeconds();
  VerifiedPoints points;
  auto report = Verify(**store, key, &points);
  double verify = std::chrono::duration<double>(Clock::now() - start).count();
  double verify_cpu = CpuSeconds() - cpu0;
  if (!report.ok()) Die(report.status().message());
  if (!report->ok()) Die("the benchmark trail does not verify: " + report->problems[0].ToString());
  std::printf("events           %zu (%.0f bytes per record)\n", rows,
              static_cast<double>(bytes) / rows);
  std::printf("baseline         read every row: %.2f s wall, %.2f s CPU\n", scan, scan_cpu);
  std::printf(
      "verify           chain + records + %lu checkpoints: %.2f s wall (%.2fx baseline), "
      "%.2f s CPU (2 threads), %.0f events/s\n",
      static_cast<unsigned long>(report->chains[0].checkpoints), verify, verify / scan, verify_cpu,
      rows / verify);

  // A background round after the whole one: 1,000 events appended (one
  // checkpoint), verified from the point the whole round left.
  const VerifiedPoint at = points.at("verify-1");
  std::string prev = at.hash;
  std::vector<StoredEvent> more;
  std::vector<Checkpoint> more_cps;
  const std::int64_t t1 = 1764300000000000 + static_cast<std::int64_t>(at.seq + 1) * 1000;
  for (std::uint64_t i = at.seq + 1; i <= at.seq + 1000; ++i) {
    Event e = Sample(static_cast<long>(i));
    e.instance = "verify-1";
    e.seq = i;
    e.time_us = t1 + static_cast<std::int64_t>(i - at.seq) * 1000;
    StoredEvent r{e.instance, e.seq, e.time_us, e.principal, e.workflow, EncodeEvent(e), {}};
    r.hash = ChainHash(prev, r.record);
    prev = r.hash;
    more.push_back(std::move(r));
  }
  Checkpoint c{"verify-1", at.seq + 1000, more.back().time_us, prev, key.KeyId(), {}};
  c.signature = key.Sign(CheckpointMessage(c.instance, c.seq, c.hash, c.time_us)).value();
  more_cps.push_back(std::move(c));
  if (Status cs = (*store)->Commit(more, more_cps); !cs.ok()) Die(cs.message());
  start = Clock::now();
  auto appended = VerifyAppended(**store, key, &points);
  double round = std::chrono::duration<double>(Clock::now() - start).count();
  if (!appended.ok()) Die(appended.status().message());
  if (!appended->ok()) Die("the appended events do not verify: " + appended->problems[0].ToString());
  std::printf("appended round   1000 new events after %lu: %.1f ms wall (%.0fx less than a whole verify)\n",
              static_cast<unsigned long>(at.seq), round * 1000, verify / round);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = Parse(argc, argv);
  if (a.mode == "load") return Load(a);
  if (a.mode == "append") return Append(a);
  if (a.mode == "verify") return VerifySpeed(a);
  Die("unknown mode " + a.mode);
}
