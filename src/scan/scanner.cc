#include <hs/hs.h>
#include <algorithm>

#include "airlock/scan/scan.h"

namespace airlock::scan {

namespace {

struct CallbackContext {
  const MatchCallback* cb;
};

int OnHsMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned /*flags*/,
              void* ctx) {
  auto* c = static_cast<CallbackContext*>(ctx);
  return (*c->cb)(Match{id, from, to}) ? 0 : 1;
}

}  // namespace

ScratchPool::ScratchPool(std::shared_ptr<const Database> db) : db_(std::move(db)) {
  // Allocation failure leaves prototype_ null; Acquire reports it.
  if (hs_alloc_scratch(db_->raw(), &prototype_) != HS_SUCCESS) prototype_ = nullptr;
}

ScratchPool::~ScratchPool() {
  for (hs_scratch_t* s : free_) hs_free_scratch(s);
  if (prototype_ != nullptr) hs_free_scratch(prototype_);
}

ScratchPool::Lease::~Lease() {
  if (scratch_ != nullptr) pool_->Release(scratch_);
}

Result<ScratchPool::Lease> ScratchPool::Acquire() {
  if (prototype_ == nullptr) return Status::ResourceExhausted("could not allocate scan scratch");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      hs_scratch_t* s = free_.back();
      free_.pop_back();
      return Lease(this, s);
    }
  }
  hs_scratch_t* s = nullptr;
  if (hs_clone_scratch(prototype_, &s) != HS_SUCCESS) {
    return Status::ResourceExhausted("could not clone scan scratch");
  }
  return Lease(this, s);
}

void ScratchPool::Release(hs_scratch_t* s) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(s);
}

std::size_t ScratchPool::ScratchSizeBytes() const {
  std::size_t size = 0;
  if (prototype_ != nullptr) hs_scratch_size(prototype_, &size);
  return size;
}

Scanner::Scanner(std::shared_ptr<const Database> db)
    : db_(std::move(db)), pool_(std::make_shared<ScratchPool>(db_)) {}

Status Scanner::Scan(std::string_view text, const MatchCallback& on_match) const {
  if (db_->mode() != Database::Mode::kBlock) {
    return Status::InvalidArgument("block scan on a streaming database");
  }
  auto lease = pool_->Acquire();
  if (!lease.ok()) return lease.status();
  constexpr std::size_t kWindow = std::size_t{1} << 30;
  if (text.size() <= kWindow) {
    // The common case: one call, matches reported as vectorscan gives them.
    CallbackContext ctx{&on_match};
    hs_error_t rc = hs_scan(db_->raw(), text.data(), static_cast<unsigned>(text.size()), 0,
                            lease->get(), OnHsMatch, &ctx);
    if (rc == HS_SUCCESS || rc == HS_SCAN_TERMINATED) return Status::Ok();
    return Status::Internal("vectorscan scan failed (" + std::to_string(rc) + ")");
  }
  // vectorscan takes a 32-bit length; scan larger inputs in windows that
  // overlap, so matches at a window edge are not lost. Matches wholly inside
  // the overlap are reported by the window that contains their end first.
  constexpr std::size_t kOverlap = std::size_t{1} << 16;
  std::size_t base = 0;
  std::uint64_t reported_up_to = 0;
  while (true) {
    std::size_t len = std::min(kWindow, text.size() - base);
    auto shift = [&](const Match& m) {
      Match g{m.id, m.from + base, m.to + base};
      if (base != 0 && g.to <= reported_up_to) return true;  // seen in previous window
      return on_match(g);
    };
    const MatchCallback shifted(shift);
    CallbackContext ctx{&shifted};
    hs_error_t rc = hs_scan(db_->raw(), text.data() + base, static_cast<unsigned>(len), 0,
                            lease->get(), OnHsMatch, &ctx);
    if (rc == HS_SCAN_TERMINATED) return Status::Ok();
    if (rc != HS_SUCCESS) return Status::Internal("vectorscan scan failed (" + std::to_string(rc) + ")");
    if (base + len >= text.size()) return Status::Ok();
    reported_up_to = base + len;
    base = base + len - kOverlap;
  }
}

Result<std::unique_ptr<Stream>> Scanner::OpenStream() const {
  if (db_->mode() != Database::Mode::kStream) {
    return Status::InvalidArgument("stream scan on a block database");
  }
  auto lease = pool_->Acquire();
  if (!lease.ok()) return lease.status();
  hs_stream_t* s = nullptr;
  if (hs_open_stream(db_->raw(), 0, &s) != HS_SUCCESS) {
    return Status::ResourceExhausted("could not open a scan stream");
  }
  return std::unique_ptr<Stream>(new Stream(pool_, s, std::move(lease.value())));
}

Stream::~Stream() {
  if (stream_ != nullptr) hs_close_stream(stream_, lease_.get(), nullptr, nullptr);
}

Status Stream::Write(std::string_view chunk, const MatchCallback& on_match) {
  if (stream_ == nullptr) return Status::InvalidArgument("write to a closed stream");
  std::size_t off = 0;
  while (off < chunk.size()) {
    std::size_t len = std::min<std::size_t>(chunk.size() - off, std::size_t{1} << 30);
    CallbackContext ctx{&on_match};
    hs_error_t rc = hs_scan_stream(stream_, chunk.data() + off, static_cast<unsigned>(len), 0,
                                   lease_.get(), OnHsMatch, &ctx);
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
      return Status::Internal("vectorscan stream scan failed (" + std::to_string(rc) + ")");
    }
    off += len;
  }
  written_ += chunk.size();
  return Status::Ok();
}

Status Stream::Close(const MatchCallback& on_match) {
  if (stream_ == nullptr) return Status::Ok();
  CallbackContext ctx{&on_match};
  hs_error_t rc = hs_close_stream(stream_, lease_.get(), OnHsMatch, &ctx);
  stream_ = nullptr;
  if (rc != HS_SUCCESS) return Status::Internal("vectorscan stream close failed");
  return Status::Ok();
}

}  // namespace airlock::scan
