#include "cli_trail.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "airlock/audit/store.h"
#include "airlock/core/crypto.h"
#include "airlock/server/audit_setup.h"

namespace airlock::cli {

namespace {

constexpr auto kLockWait = std::chrono::seconds(10);

std::string Reduce(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(audit::IsIdentifier(std::string_view(&c, 1)) ? c : '-');
  return out;
}

// An flock held until destruction (closing the descriptor releases it).
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

// flock(path) within kLockWait.
Result<std::unique_ptr<FileLock>> LockFileWithin(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(path + ": cannot open the lock file");
  auto lock = std::make_unique<FileLock>(fd);
  const auto until = std::chrono::steady_clock::now() + kLockWait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) return Status::IoError(path + ": cannot lock");
    if (std::chrono::steady_clock::now() >= until)
      return Status::Unavailable(path + ": another airlock command has held the CLI chain's lock for 10 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return lock;
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
  t->key_.emplace(std::move(*key));
  auto store = audit::OpenStore(*url);
  if (!store.ok()) return Status(store.status()).WithContext("audit store");
  t->describe_ = (*store)->Describe();
  t->store_ = std::move(*store);
  if (url->rfind("sqlite:", 0) == 0) t->lock_path_ = url->substr(7) + ".cli.lock";
  return t;
}

Result<audit::EventId> CliTrail::Record(audit::Event e) {
  if (!store_ || !key_) return Status::Internal("CliTrail::Record called twice");
  // The lock before the chain's head is read (AuditLog::Open); AuditLog
  // stamps the time under it, so the chain's times follow its order.
  std::unique_ptr<FileLock> file_lock;
  if (!lock_path_.empty()) {
    auto locked = LockFileWithin(lock_path_);
    if (!locked.ok()) return locked.status();
    file_lock = std::move(*locked);
  } else if (Status s = LockPostgres(*store_, instance_); !s.ok()) {
    return s;
  }
  audit::AuditLogOptions o;
  o.instance_id = instance_;
  o.checkpoint_every = std::chrono::milliseconds(0);  // the checkpoint comes from Close below
  Result<audit::EventId> id = Status::Internal("not recorded");
  {
    auto log = audit::AuditLog::Open(std::move(store_), std::move(*key_), o);
    key_.reset();
    if (!log.ok()) {
      id = Status(log.status()).WithContext("audit trail " + describe_);
    } else {
      id = (*log)->Append(std::move(e));
      // The checkpoint over the event: without it the event would sit in
      // the chain's unsigned tail until the next CLI run.
      Status closed = (*log)->Close();
      if (id.ok() && !closed.ok()) id = Status(closed).WithContext("signed checkpoint");
    }
  }  // the AuditLog and its store's connection (with a PostgreSQL lock) end here
  return id;  // and file_lock (declared first) after them
}

}  // namespace airlock::cli
