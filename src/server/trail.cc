#include "trail.h"

#include "airlock/server/audit_setup.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "airlock/audit/fingerprint.h"
#include "airlock/audit/format.h"
#include "airlock/core/bytes.h"

namespace airlock::server {

Result<audit::HmacKey> ConfiguredHmacKey(const config::Config& cfg) {
  auto bytes = config::ResolveSecret(cfg.audit_hmac_key);
  if (!bytes.ok()) return Status(bytes.status()).WithContext("audit.hmac_key");
  auto k = audit::HmacKey::FromBytes(std::move(*bytes));
  if (!k.ok()) return Status(k.status()).WithContext("audit.hmac_key");
  return k;
}

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;

std::string Dir(const config::Config& cfg) { return StoreDir(cfg); }

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "gw-<hostname>-<port>", reduced to identifier characters.
std::string DefaultInstance(unsigned port) { return HostInstanceId("gw") + "-" + std::to_string(port); }

Result<audit::HmacKey> LoadOrCreateHmac(const config::Config& cfg) {
  if (!cfg.audit_hmac_key.empty()) return ConfiguredHmacKey(cfg);
  const std::string path = Dir(cfg) + "/audit.key";
  if (!fs::exists(path)) {
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) return Status::Internal("RAND_bytes failed");
    std::error_code ec;
    fs::create_directories(Dir(cfg), ec);
    const std::string hex = HexEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw)) + "\n";
    if (Status s = audit::WriteSecretFile(path, hex); !s.ok()) return s;
  }
  auto k = audit::HmacKey::Load(path);
  if (!k.ok()) return Status(k.status()).WithContext(path);
  return k;
}

}  // namespace

Result<std::unique_ptr<Trail>> Trail::Open(const config::Config& cfg, unsigned port) {
  std::unique_ptr<Trail> t(new Trail());
  auto url = AuditStoreUrl(cfg);
  if (!url.ok()) return url.status();
  auto hmac = LoadOrCreateHmac(cfg);
  if (!hmac.ok()) return hmac.status();
  t->hmac_.emplace(std::move(*hmac));
  auto signing = LoadOrCreateAuditSigningKey(cfg);
  if (!signing.ok()) return signing.status();
  auto pub = signing->PublicPem();
  if (!pub.ok()) return pub.status();
  auto verify_key = audit::SigningKey::FromPem(*pub);
  if (!verify_key.ok()) return verify_key.status();
  t->verify_key_.emplace(std::move(*verify_key));

  auto writer = audit::OpenStore(*url);
  if (!writer.ok()) return Status(writer.status()).WithContext("audit.store");
  t->describe_ = (*writer)->Describe();
  auto reader = audit::OpenStore(*url);
  if (!reader.ok()) return Status(reader.status()).WithContext("audit.store");
  t->reader_ = std::move(*reader);

  audit::AuditLogOptions o;
  o.instance_id = cfg.audit.instance.empty() ? DefaultInstance(port) : cfg.audit.instance;
  o.checkpoint_every_events = cfg.audit.checkpoint_every;
  o.checkpoint_every = std::chrono::milliseconds(std::uint64_t{cfg.audit.checkpoint_seconds} * 1000);
  t->instance_ = o.instance_id;
  auto log = audit::AuditLog::Open(std::move(*writer), std::move(*signing), o);
  if (!log.ok()) return Status(log.status()).WithContext("audit trail " + t->describe_);
  t->log_ = std::move(*log);
  return t;
}

Trail::~Trail() { Close(); }

Status Trail::Close() { return log_ ? log_->Close() : Status::Ok(); }

void Trail::Publish(const audit::Event& e, const audit::EventId& id) const {
  for (const auto& o : observers_) o(e, id);
}

boost::asio::awaitable<Result<audit::EventId>> Trail::Record(audit::Event e) {
  if (e.time_us == 0) e.time_us = NowUs();
  auto copy = std::make_shared<audit::Event>(e);
  auto initiate = [this, copy](auto handler, audit::Event ev) {
    auto ex = net::get_associated_executor(handler);
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    log_->AppendAsync(std::move(ev), [this, h, ex, copy](Result<audit::EventId> r) {
      // The request resumes first; the observers (metrics, alerts) run on
      // this writer thread meanwhile instead of ahead of it.
      std::optional<audit::EventId> id;
      if (r.ok()) id = *r;
      net::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
      if (id) {
        copy->instance = id->instance;
        copy->seq = id->seq;
        Publish(*copy, *id);
      } else {
        failures_.fetch_add(1);
      }
    });
  };
  co_return co_await net::async_initiate<const net::use_awaitable_t<>&, void(Result<audit::EventId>)>(
      std::move(initiate), net::use_awaitable, std::move(e));
}

void Trail::RecordDetached(audit::Event e) {
  if (e.time_us == 0) e.time_us = NowUs();
  auto copy = std::make_shared<audit::Event>(e);
  log_->AppendAsync(std::move(e), [this, copy](Result<audit::EventId> r) {
    if (r.ok()) {
      copy->instance = r->instance;
      copy->seq = r->seq;
      Publish(*copy, *r);
      return;
    }
    failures_.fetch_add(1);
    std::fprintf(stderr, "airlock: audit event (%s, %s) not committed: %s\n",
                 std::string(audit::EventKindName(copy->kind)).c_str(),
                 copy->reasons.empty() ? "-" : std::string(audit::ReasonName(copy->reasons.front())).c_str(),
                 r.status().message().c_str());
  });
}

Result<audit::EventId> Trail::RecordSync(audit::Event e) {
  if (e.time_us == 0) e.time_us = NowUs();
  audit::Event copy = e;
  auto r = log_->Append(std::move(e));
  if (!r.ok()) {
    failures_.fetch_add(1);
    return r;
  }
  copy.instance = r->instance;
  copy.seq = r->seq;
  Publish(copy, *r);
  return r;
}

audit::ValueFingerprint Trail::Fingerprint(std::string_view entity_type, std::string_view value) const {
  return audit::FingerprintValue(*hmac_, entity_type, value);
}

std::string Trail::Digest(std::string_view value) const {
  const auto fp = audit::Fingerprint(*hmac_, "", value);
  return std::string(reinterpret_cast<const char*>(fp.mac.data()), fp.mac.size());
}

Status Trail::Scan(const audit::EventFilter& filter, const std::function<bool(const audit::Event&)>& visit) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Status bad = Status::Ok();
  Status s = reader_->ScanFiltered(filter, [&](audit::StoredEvent& row) {
    auto ev = audit::DecodeEvent(row.record);
    if (!ev.ok()) {
      bad = Status::Corruption("event " + row.instance + ":" + std::to_string(row.seq) + " cannot be decoded");
      return false;
    }
    return visit(*ev);
  });
  return s.ok() ? bad : s;
}

Result<std::uint64_t> Trail::Count(std::int64_t since_us, std::int64_t until_us) {
  std::lock_guard<std::mutex> lock(read_mu_);
  return reader_->CountEvents(since_us, until_us);
}

Result<audit::VerifyReport> Trail::Verify() {
  std::lock_guard<std::mutex> lock(read_mu_);
  return audit::Verify(*reader_, *verify_key_, &verified_);
}

Result<audit::VerifyReport> Trail::VerifyAppended() {
  std::lock_guard<std::mutex> lock(read_mu_);
  return audit::VerifyAppended(*reader_, *verify_key_, &verified_);
}

}  // namespace airlock::server
