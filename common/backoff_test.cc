#include "common/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace leakbench {
namespace backoff_test {  // named, not anonymous: the unity build joins the test files

using std::chrono::milliseconds;
using std::chrono::seconds;
using D = Backoff::Duration;

Backoff::Options Opts(Backoff::Jitter jitter) {
  Backoff::Options o;
  o.base = milliseconds(100);
  o.cap = seconds(10);
  o.jitter = jitter;
  o.min_delay = milliseconds(0);
  return o;
}

// Uniform that always returns `x` (just below 1 means "the top of the range").
Backoff::Uniform Fixed(double x) {
  return [x] { return x; };
}
constexpr double kTop = 0.9999999999;

double Ms(D d) { return std::chrono::duration<double, std::milli>(d).count(); }

TEST(BackoffTest, FullJitterCeilingDoublesUpToCap) {
  Backoff b(Opts(Backoff::Jitter::kFull), Fixed(kTop));
  const std::vector<std::int64_t> want_ms = {100,  200,  400,   800,  1600,
                                             3200, 6400, 10000, 10000};
  for (std::int64_t ms : want_ms) {
    const D d = b.NextDelay();
    EXPECT_NEAR(Ms(d), static_cast<double>(ms), 0.01);
  }
  EXPECT_EQ(b.failures(), want_ms.size());
}

TEST(BackoffTest, CapHoldsAfterManyFailuresWithoutOverflow) {
  Backoff b(Opts(Backoff::Jitter::kFull), Fixed(kTop));
  D d{};
  for (int i = 0; i < 10'000; ++i) d = b.NextDelay();
  EXPECT_LE(d, seconds(10));
  EXPECT_GT(d, seconds(9));
  Backoff c(Opts(Backoff::Jitter::kDecorrelated), Fixed(kTop));
  for (int i = 0; i < 10'000; ++i) d = c.NextDelay();
  EXPECT_LE(d, seconds(10));
  EXPECT_GT(d, seconds(9));
}

TEST(BackoffTest, FullJitterBottomIsMinDelay) {
  auto o = Opts(Backoff::Jitter::kFull);
  o.min_delay = milliseconds(10);
  Backoff b(o, Fixed(0.0));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(b.NextDelay(), milliseconds(10));
}

TEST(BackoffTest, FullJitterStaysWithinBounds) {
  Backoff b(Opts(Backoff::Jitter::kFull), Backoff::SeededUniform(42));
  for (int round = 0; round < 50; ++round) {
    for (std::uint32_t n = 0; n < 12; ++n) {
      const D ceiling =
          std::min<D>(milliseconds(100) * (std::int64_t{1} << n), seconds(10));
      const D d = b.NextDelay();
      EXPECT_GE(d, D(0));
      EXPECT_LE(d, ceiling) << "failure " << n;
    }
    b.Reset();
  }
}

TEST(BackoffTest, DecorrelatedJitterStaysWithinBounds) {
  Backoff b(Opts(Backoff::Jitter::kDecorrelated), Backoff::SeededUniform(7));
  D prev = milliseconds(100);
  for (int i = 0; i < 1000; ++i) {
    const D d = b.NextDelay();
    EXPECT_GE(d, milliseconds(100));
    EXPECT_LE(d, std::min<D>(prev * 3, seconds(10)));
    prev = d;
  }
}

TEST(BackoffTest, DecorrelatedGrowsAtTheTop) {
  Backoff b(Opts(Backoff::Jitter::kDecorrelated), Fixed(kTop));
  const D d1 = b.NextDelay();
  const D d2 = b.NextDelay();
  const D d3 = b.NextDelay();
  EXPECT_NEAR(Ms(d1), 300, 0.01);
  EXPECT_NEAR(Ms(d2), 900, 0.01);
  EXPECT_NEAR(Ms(d3), 2700, 0.01);
}

TEST(BackoffTest, ResetStartsOverFromBase) {
  for (auto jitter : {Backoff::Jitter::kFull, Backoff::Jitter::kDecorrelated}) {
    Backoff b(Opts(jitter), Fixed(kTop));
    const D first = b.NextDelay();
    for (int i = 0; i < 20; ++i) b.NextDelay();
    b.Reset();
    EXPECT_EQ(b.failures(), 0u);
    EXPECT_EQ(b.NextDelay(), first);
  }
}

TEST(BackoffTest, SeededUniformIsDeterministicAndInRange) {
  auto a = Backoff::SeededUniform(99);
  auto b = Backoff::SeededUniform(99);
  for (int i = 0; i < 1000; ++i) {
    const double x = a();
    EXPECT_EQ(x, b());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
}

TEST(BackoffTest, BadUniformValuesAreClamped) {
  Backoff b(Opts(Backoff::Jitter::kFull), Fixed(7.5));
  EXPECT_LE(b.NextDelay(), milliseconds(100));
  Backoff c(Opts(Backoff::Jitter::kFull), Fixed(-1.0));
  EXPECT_EQ(c.NextDelay(), D(0));
}

TEST(BackoffDeathTest, InvalidOptionsAbort) {
  auto o = Opts(Backoff::Jitter::kFull);
  o.base = seconds(20);  // > cap
  EXPECT_DEATH(Backoff(o, Fixed(0.5)), "base <= cap");
}

// 1,000 containers fail at the same instant (the daemon restarted) and keep
// failing. Their retries must not land together: for each of 12 rounds,
// count the most retries falling into any sliding window of 1% of the
// round's spread, and the most containers sharing one exact delay.
// Uniform would put ~10 in a window. Full jitter stays near that;
// decorrelated jitter is denser near `base` by construction (so full is the
// default) but has no herd either.
TEST(BackoffTest, ManyFailingContainersSpreadTheirRetries) {
  struct Case {
    Backoff::Jitter jitter;
    int max_per_window;
  };
  for (const Case c : {Case{Backoff::Jitter::kFull, 40},
                       Case{Backoff::Jitter::kDecorrelated, 120}}) {
    constexpr int kContainers = 1000;
    std::vector<Backoff> backoffs;
    backoffs.reserve(kContainers);
    for (int i = 0; i < kContainers; ++i) {
      backoffs.emplace_back(Opts(c.jitter), Backoff::SeededUniform(1000 + i));
    }
    for (int round = 0; round < 12; ++round) {
      std::vector<D> delays;
      for (auto& b : backoffs) delays.push_back(b.NextDelay());
      std::sort(delays.begin(), delays.end());
      const D window = (delays.back() - delays.front()) / 100;
      ASSERT_GT(window, D(0)) << "round " << round;
      int worst = 0;
      int same = 0;
      for (std::size_t i = 0, k = 0, eq = 0; i < delays.size(); ++i) {
        while (delays[i] - delays[k] >= window) ++k;
        if (delays[i] != delays[eq]) eq = i;
        worst = std::max(worst, static_cast<int>(i - k + 1));
        same = std::max(same, static_cast<int>(i - eq + 1));
      }
      EXPECT_LE(worst, c.max_per_window)
          << "jitter " << static_cast<int>(c.jitter) << " round " << round;
      EXPECT_LE(same, 3) << "jitter " << static_cast<int>(c.jitter) << " round "
                         << round;
    }
    // Saturated at the cap, nobody sits exactly on it.
    int at_cap = 0;
    for (auto& b : backoffs) at_cap += b.NextDelay() == seconds(10) ? 1 : 0;
    EXPECT_LE(at_cap, 3) << "jitter " << static_cast<int>(c.jitter);
  }
}

}  // namespace backoff_test
}  // namespace leakbench
