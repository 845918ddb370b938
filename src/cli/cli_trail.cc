#include "cli_trail.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "airlock/audit/store.h"
#include "airlock/core/crypto.h"
#include "airlock/server/audit_setup.h"

namespace airlock::cli {

namespace {

constexpr auto kLockWait = std::chrono::seconds(10);

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Reduce(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(audit::IsIdentifier(std::string_view(&c, 1)) ? c : '-');
  return out;
}

// flock(path) within kLockWait; the descriptor holds the lock until closed.
Result<int> LockFileWithin(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(path + ": cannot open the lock file");
  const auto until = std::chrono::steady_clock::now() + kLockWait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      ::close(fd);
      return Status::IoError(path + ": cannot lock");
    }
    if (std::chrono::steady_clock::now() >= until) {
      ::close(fd);
      return Status::Unavailable(path + ": another airlock command has held the CLI chain's lock for 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fd;
}

// The session-level advisory lock of `instance`, taken on `store`'s own
// connection (the one AuditLog will commit on).
Status LockPostgres(audit::Store& store, const std::string& instance) {
  if (Status s = store.ExecRaw("SET lock_timeout = '10s'", {}); !s.ok()) return s;
  Status s = store.ExecRaw("SELECT pg_advisory_lock(hashtext($1))",
                           {audit::SqlParam::Text("airlock-cli:" + instance)});
  if (!s.ok()) return Status(s).WithContext("the CLI chain's lock");
  return store.ExecRaw("SET lock_timeout = 0", {});
}

}  // namespace

std::string CliInstanceId() { return server::HostInstanceId("cli"); }

std::string OperatorPrincipal() {
  const uid_t uid = ::geteuid();
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  std::string name;
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr && found->pw_name != nullptr)
    name = Reduce(found->pw_name);
  if (name.empty() || name.size() > 48) name = "uid-" + std::to_string(uid);
  return "os:" + name;
}

std::string AuditToken(std::string_view prefix, std::string_view name) {
  std::string token = std::string(prefix) + ":" + std::string(name);
  if (!name.empty() && audit::IsIdentifier(token, false)) return token;
  return std::string(prefix) + "-sha256:" + Sha256Hex(name).substr(0, 16);
}

std::string TrailFailure(const Status& why, std::string_view consequence) {
  return "the audit trail cannot be written (" + why.message() + "); " + std::string(consequence);
}

Result<std::unique_ptr<CliTrail>> CliTrail::Open(const config::Config& cfg) {
  std::unique_ptr<CliTrail> t(new CliTrail());
  t->instance_ = CliInstanceId();
  auto url = server::AuditStoreUrl(cfg);
  if (!url.ok()) return url.status();
  auto key = server::LoadOrCreateAuditSigningKey(cfg);
  if (!key.ok()) return key.status();
  auto store = audit::OpenStore(*url);
  if (!store.ok()) return Status(store.status()).WithContext("audit store");
  t->describe_ = (*store)->Describe();
  if (url->rfind("sqlite:", 0) == 0) {
    auto fd = LockFileWithin(url->substr(7) + ".cli.lock");
    if (!fd.ok()) return fd.status();
    t->lock_fd_ = *fd;
  } else if (Status s = LockPostgres(**store, t->instance_); !s.ok()) {
    return s;
  }
  audit::AuditLogOptions o;
  o.instance_id = t->instance_;
  o.checkpoint_every = std::chrono::milliseconds(0);  // Record signs what it wrote
  auto log = audit::AuditLog::Open(std::move(*store), std::move(*key), o);
  if (!log.ok()) return Status(log.status()).WithContext("audit trail " + t->describe_);
  t->log_ = std::move(*log);
  return t;
}

CliTrail::~CliTrail() {
  if (log_) log_->Close();
  log_.reset();  // closes the store's connection (and with it a PostgreSQL lock)
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<audit::EventId> CliTrail::Record(audit::Event e) {
  if (recorded_ || !log_) return Status::Internal("CliTrail::Record called twice");
  recorded_ = true;
  if (e.time_us == 0) e.time_us = NowUs();
  auto id = log_->Append(std::move(e));
  if (!id.ok()) return id.status();
  // The checkpoint over the event: without it the event would sit in the
  // chain's unsigned tail until the next CLI run.
  if (Status s = log_->Close(); !s.ok()) return Status(s).WithContext("signed checkpoint");
  return id;
}

}  // namespace airlock::cli
