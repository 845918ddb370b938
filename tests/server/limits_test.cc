#include "rate_limits.h"

#include <gtest/gtest.h>

namespace airlock::server {
namespace {

TEST(LimiterTest, BucketAndConcurrency) {
  Limiter l;
  Limiter::Settings s{/*rate=*/0.001, /*burst=*/2, /*max_concurrent=*/5};
  unsigned retry = 0;
  Limiter::Slot a, b, c;
  EXPECT_EQ(l.Acquire("p", s, &a, &retry), Limiter::Verdict::kOk);
  EXPECT_EQ(l.Acquire("p", s, &b, &retry), Limiter::Verdict::kOk);
  EXPECT_EQ(l.Acquire("p", s, &c, &retry), Limiter::Verdict::kRate);
  EXPECT_GE(retry, 1u);
  EXPECT_EQ(l.Acquire("q", s, &c, &retry), Limiter::Verdict::kOk);  // per principal

  Limiter l2;
  Limiter::Settings one{1000, 1000, 1};
  Limiter::Slot x, y;
  EXPECT_EQ(l2.Acquire("p", one, &x, &retry), Limiter::Verdict::kOk);
  EXPECT_EQ(l2.Acquire("p", one, &y, &retry), Limiter::Verdict::kConcurrency);
  x = Limiter::Slot();  // released
  EXPECT_EQ(l2.Acquire("p", one, &y, &retry), Limiter::Verdict::kOk);
}

}  // namespace
}  // namespace airlock::server
