#include "airlock/backend/local/greedy.h"

#include <cmath>

namespace airlock::backend::local {
namespace {

// Greedy's rule over p[begin, end): a later value wins only when strictly larger.
void ScanEach(const float* p, int32_t begin, int32_t end, int32_t& best, float& best_v) {
  for (int32_t i = begin; i < end; ++i) {
    if (p[i] > best_v) {
      best = i;
      best_v = p[i];
    }
  }
}

// ScanEach, but a block is read element by element only when its maximum
// beats the best so far: the lane-wise maxima vectorise, and a block without
// a strictly larger value (NaNs included, which never compare larger) cannot
// change the result.
void Scan(const float* p, int32_t begin, int32_t end, int32_t& best, float& best_v) {
  constexpr int32_t kLanes = 16;
  constexpr int32_t kBlock = 256;
  int32_t i = begin;
  for (; i + kBlock <= end; i += kBlock) {
    float m[kLanes];
    for (float& x : m) x = -INFINITY;
    for (int32_t j = 0; j < kBlock; j += kLanes) {
      for (int32_t l = 0; l < kLanes; ++l) {
        const float v = p[i + j + l];
        m[l] = v > m[l] ? v : m[l];
      }
    }
    bool larger = false;
    for (float x : m) larger |= x > best_v;
    if (larger) ScanEach(p, i, i + kBlock, best, best_v);
  }
  ScanEach(p, i, end, best, best_v);
}

}  // namespace

int32_t GreedyToken(std::span<const float> logits, std::span<const int32_t> banned) {
  const auto n = static_cast<int32_t>(logits.size());
  if (n == 0) return -1;
  const float* p = logits.data();
  // A banned logit is logit + (-inf), as llama.cpp's logit-bias sampler
  // computes it: -inf, or NaN for +inf; neither is ever strictly larger, so a
  // banned token is only chosen as index 0 when nothing beats it.
  int32_t best = 0;
  float best_v = p[0];
  int32_t next = 1;
  for (const int32_t b : banned) {
    if (b == 0) {  // ascending: before any scanning
      best_v = p[0] + -INFINITY;
      continue;
    }
    if (b < next || b >= n) continue;
    Scan(p, next, b, best, best_v);
    const float v = p[b] + -INFINITY;
    if (v > best_v) {
      best = b;
      best_v = v;
    }
    next = b + 1;
  }
  Scan(p, next, n, best, best_v);
  return best;
}

}  // namespace airlock::backend::local
