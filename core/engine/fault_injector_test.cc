// FaultInjector on its own: which lines, containers and rotations each fault
// hits, the since of a reopen, idle threads started and joined, and nothing
// at all without a fault. (Its effect on a running engine:
// core/tests/engine_injected_faults_test.cc.)
#include "core/engine/fault_injector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <limits>
#include <thread>
#include <vector>

namespace logcap {
namespace {

std::size_t ThreadsOfThisProcess() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// A joined thread may still be listed for a moment (the kernel wakes the
// joiner before it removes the task): wait for the count, up to 5 s.
bool ThreadsBecome(std::size_t n) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ThreadsOfThisProcess() != n) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(FaultInjector, NothingWithoutAFault) {
  const std::size_t before = ThreadsOfThisProcess();
  FaultInjector f{FaultConfig{}};
  EXPECT_FALSE(f.drops_lines());
  EXPECT_FALSE(f.skips_containers());
  EXPECT_FALSE(f.logs_errors());
  EXPECT_FALSE(f.moves_since());
  EXPECT_EQ(f.idle_threads(), 0u);
  EXPECT_EQ(ThreadsOfThisProcess(), before);
}

TEST(FaultInjector, DropLineDropsEveryNthLineCountedOnce) {
  FaultInjector f{FaultConfig{.drop_line_every = 4}};
  ASSERT_TRUE(f.drops_lines());
  int dropped = 0;
  for (int i = 1; i <= 100; ++i) {
    const bool drop = f.DropsNextLine();
    EXPECT_EQ(drop, i % 4 == 0) << i;
    // Asking again (a line the sink refused comes again) changes nothing.
    EXPECT_EQ(f.DropsNextLine(), drop);
    f.CountLine(drop);
    dropped += drop ? 1 : 0;
  }
  EXPECT_EQ(dropped, 25);
  EXPECT_EQ(f.dropped_lines(), 25u);
}

TEST(FaultInjector, SkipContainerSkipsEveryNthDiscovered) {
  FaultInjector f{FaultConfig{.skip_container_every = 3}};
  ASSERT_TRUE(f.skips_containers());
  std::vector<bool> skipped;
  for (int i = 0; i < 7; ++i) skipped.push_back(f.SkipNextContainer());
  EXPECT_EQ(skipped, (std::vector<bool>{false, false, true, false, false, true, false}));
  EXPECT_EQ(f.skipped_containers(), 2u);
}

TEST(FaultInjector, ErrorLinesEveryNRotations) {
  FaultInjector f{FaultConfig{.error_lines_every = 2}};
  ASSERT_TRUE(f.logs_errors());
  for (int i = 0; i < 7; ++i) f.OnRotation();
  EXPECT_EQ(f.error_lines(), 3u);
}

TEST(FaultInjector, ReopenSinceMovesBackOrForward) {
  constexpr std::int64_t kLastLine = 1'795'878'188'000'000'080;
  FaultInjector dup{FaultConfig{.duplicate_on_reopen = true}};
  ASSERT_TRUE(dup.moves_since());
  EXPECT_EQ(dup.ReopenSinceNs(kLastLine), kLastLine - 3'000'000'000);
  FaultInjector late{FaultConfig{.late_since_seconds = 7}};
  ASSERT_TRUE(late.moves_since());
  EXPECT_EQ(late.ReopenSinceNs(kLastLine), kLastLine + 7'000'000'000);
  // A daemon's absurd timestamp does not overflow.
  EXPECT_EQ(late.ReopenSinceNs(std::numeric_limits<std::int64_t>::max() - 1), std::numeric_limits<std::int64_t>::max());
}

TEST(FaultInjector, ThreadsAtStartAreStartedIdleAndJoined) {
  const std::size_t before = ThreadsOfThisProcess();
  {
    FaultInjector f{FaultConfig{.threads_at_start = 25}};
    EXPECT_EQ(f.idle_threads(), 25u);
    EXPECT_EQ(ThreadsOfThisProcess(), before + 25);
  }
  EXPECT_TRUE(ThreadsBecome(before)) << ThreadsOfThisProcess() << " threads, " << before << " before: joined at destruction";
}

}  // namespace
}  // namespace logcap
