#include "rate_limits.h"

#include <cmath>

namespace airlock::server {

Limiter::Slot& Limiter::Slot::operator=(Slot&& o) noexcept {
  if (this != &o) {
    if (l_) l_->Release(key_);
    l_ = o.l_;
    key_ = std::move(o.key_);
    o.l_ = nullptr;
  }
  return *this;
}

Limiter::Slot::~Slot() {
  if (l_) l_->Release(key_);
}

Limiter::Verdict Limiter::Acquire(const std::string& principal, const Settings& s, Slot* slot,
                                  unsigned* retry_after_s) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  State& st = states_[principal];
  if (st.tokens < 0) {
    st.tokens = s.burst;
  } else {
    const double dt = std::chrono::duration<double>(now - st.last).count();
    st.tokens = std::min(s.burst, st.tokens + dt * s.rate);
  }
  st.last = now;
  if (st.in_flight >= s.max_concurrent) {
    *retry_after_s = 1;
    return Verdict::kConcurrency;
  }
  if (st.tokens < 1) {
    *retry_after_s = static_cast<unsigned>(std::ceil((1 - st.tokens) / s.rate));
    if (*retry_after_s == 0) *retry_after_s = 1;
    return Verdict::kRate;
  }
  st.tokens -= 1;
  ++st.in_flight;
  *slot = Slot(this, principal);
  return Verdict::kOk;
}

void Limiter::Release(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = states_.find(key);
  if (it != states_.end() && it->second.in_flight > 0) --it->second.in_flight;
}

}  // namespace airlock::server
