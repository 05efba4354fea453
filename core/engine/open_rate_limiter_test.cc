#include "core/engine/open_rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>

namespace logcap {
namespace {

using std::chrono::milliseconds;
using TimePoint = OpenRateLimiter::TimePoint;

TEST(OpenRateLimiter, BurstOfOneSecondThenSpacedAtTheRate) {
  OpenRateLimiter limiter(10);
  const TimePoint t0{std::chrono::seconds(100)};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.Reserve(t0), t0) << i;
  EXPECT_EQ(limiter.delayed(), 0u);
  // The 11th to 13th opens at the same instant wait 100 ms each, in order.
  EXPECT_EQ(limiter.Reserve(t0), t0 + milliseconds(100));
  EXPECT_EQ(limiter.Reserve(t0), t0 + milliseconds(200));
  EXPECT_EQ(limiter.Reserve(t0), t0 + milliseconds(300));
  EXPECT_EQ(limiter.delayed(), 3u);
}

TEST(OpenRateLimiter, AverageRateHoldsOverALongRun) {
  OpenRateLimiter limiter(50);
  TimePoint now{std::chrono::seconds(1)};
  const TimePoint start = now;
  TimePoint last = now;
  // 5,000 opens asked for as fast as possible: they take ~100 s - 1 s burst.
  for (int i = 0; i < 5000; ++i) last = limiter.Reserve(now);
  const double elapsed_s = std::chrono::duration<double>(last - start).count();
  EXPECT_NEAR(elapsed_s, (5000 - 50) / 50.0, 0.05);
}

TEST(OpenRateLimiter, IdleTimeRefillsTheBurstButNoMore) {
  OpenRateLimiter limiter(2);
  const TimePoint t0{std::chrono::seconds(10)};
  EXPECT_EQ(limiter.Reserve(t0), t0);
  EXPECT_EQ(limiter.Reserve(t0), t0);
  EXPECT_EQ(limiter.Reserve(t0), t0 + milliseconds(500));
  // An hour later: two at once again, the third waits.
  const TimePoint t1 = t0 + std::chrono::hours(1);
  EXPECT_EQ(limiter.Reserve(t1), t1);
  EXPECT_EQ(limiter.Reserve(t1), t1);
  EXPECT_EQ(limiter.Reserve(t1), t1 + milliseconds(500));
}

TEST(OpenRateLimiter, NoLimitForZeroOrNonFiniteRates) {
  for (double rate : {0.0, -1.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    OpenRateLimiter limiter(rate);
    const TimePoint t0{std::chrono::seconds(1)};
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.Reserve(t0), t0) << rate;
    EXPECT_EQ(limiter.delayed(), 0u);
  }
}

TEST(OpenRateLimiter, FractionalRatesAllowOneAtATime) {
  OpenRateLimiter limiter(0.5);
  const TimePoint t0{std::chrono::seconds(1)};
  EXPECT_EQ(limiter.Reserve(t0), t0);
  EXPECT_EQ(limiter.Reserve(t0), t0 + std::chrono::seconds(2));
}

}  // namespace
}  // namespace logcap
