// BoundedParallel: every index runs once, never more than `width` at once,
// and the first exception comes back after every call is done.
#include "harness/run/bounded_parallel.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <stdexcept>

namespace leakbench::harness {
namespace bounded_parallel_test {

TEST(BoundedParallel, RunsEveryIndexOnce) {
  std::vector<std::atomic<int>> seen(200);
  BoundedParallel(seen.size(), 8, [&](std::size_t i) { ++seen[i]; });
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].load(), 1) << i;
}

TEST(BoundedParallel, NeverRunsMoreThanItsWidthAndDoesRunThatMany) {
  // Each call waits until `width` calls are in flight (or all have
  // started): with fewer threads this would never finish, so it is bounded
  // by a deadline that only a broken pool reaches.
  constexpr std::size_t kWidth = 4;
  std::mutex mu;
  std::condition_variable cv;
  std::size_t in_flight = 0, peak = 0, started = 0;
  BoundedParallel(16, kWidth, [&](std::size_t) {
    std::unique_lock<std::mutex> lock(mu);
    ++in_flight;
    ++started;
    peak = std::max(peak, in_flight);
    cv.notify_all();
    cv.wait_for(lock, std::chrono::seconds(2), [&] { return in_flight >= kWidth || started == 16; });
    --in_flight;
  });
  EXPECT_EQ(peak, kWidth);
}

TEST(BoundedParallel, TheFirstErrorComesBackAfterEveryCallRan) {
  std::atomic<int> ran{0};
  EXPECT_THROW(BoundedParallel(50, 4,
                               [&](std::size_t i) {
                                 ++ran;
                                 if (i == 3) throw std::runtime_error("create 3 failed");
                               }),
               std::runtime_error);
  EXPECT_EQ(ran.load(), 50);
}

TEST(BoundedParallel, NothingToDoIsFine) {
  BoundedParallel(0, 8, [](std::size_t) { FAIL(); });
}

}  // namespace bounded_parallel_test
}  // namespace leakbench::harness
