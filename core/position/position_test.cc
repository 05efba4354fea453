#include "core/position/position.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

namespace logcap {
namespace {

constexpr std::int64_t kS = 1'795'878'188'000'000'000;  // 2026-11-28T15:03:08Z

using R = PositionTracker::AdvanceResult;

TEST(PositionTest, StartsEmptyAndSinceIsZero) {
  PositionTracker t;
  EXPECT_TRUE(t.position().empty());
  EXPECT_EQ(t.SinceParam(), "0.000000000");
}

TEST(PositionTest, FirstFrameSetsPosition) {
  PositionTracker t;
  EXPECT_EQ(t.Advance(kS + 776043549), R::kNewTimestamp);
  EXPECT_EQ(t.position(), (Position{kS + 776043549, 1}));
  EXPECT_EQ(t.SinceParam(), "1795878188.776043549");
}

TEST(PositionTest, EqualTimestampsAreCounted) {
  PositionTracker t;
  t.Advance(kS + 5);
  EXPECT_EQ(t.Advance(kS + 5), R::kSameTimestamp);
  EXPECT_EQ(t.Advance(kS + 5), R::kSameTimestamp);
  EXPECT_EQ(t.position(), (Position{kS + 5, 3}));
}

TEST(PositionTest, LaterTimestampResetsCount) {
  PositionTracker t;
  t.Advance(kS + 5);
  t.Advance(kS + 5);
  EXPECT_EQ(t.Advance(kS + 6), R::kNewTimestamp);
  EXPECT_EQ(t.position(), (Position{kS + 6, 1}));
}

TEST(PositionTest, OutOfOrderFrameDoesNotMovePositionAndIsCounted) {
  PositionTracker t;
  t.Advance(kS + 223152540);
  t.Advance(kS + 223152540);
  // stdout line stored after stderr lines, stamped ~2 ms earlier (measured).
  EXPECT_EQ(t.Advance(kS + 221169283), R::kOutOfOrder);
  EXPECT_EQ(t.position(), (Position{kS + 223152540, 2}));
  EXPECT_EQ(t.out_of_order(), 1u);
  EXPECT_EQ(t.max_inversion_ns(), 223152540 - 221169283);
  // The count at the position's timestamp goes on correctly afterwards.
  EXPECT_EQ(t.Advance(kS + 223152540), R::kSameTimestamp);
  EXPECT_EQ(t.position(), (Position{kS + 223152540, 3}));
  EXPECT_EQ(t.SinceParam(), "1795878188.223152540");
}

TEST(PositionTest, OutOfOrderKeepsLargestInversion) {
  PositionTracker t;
  t.Advance(kS + 10'000'000);
  t.Advance(kS + 6'000'000);
  t.Advance(kS + 9'000'000);
  EXPECT_EQ(t.out_of_order(), 2u);
  EXPECT_EQ(t.max_inversion_ns(), 4'000'000);
}

TEST(PositionTest, AdvanceByAWholeMultiFrameLine) {
  PositionTracker t;
  EXPECT_EQ(t.Advance(kS + 9, 3), R::kNewTimestamp);  // a 40 KB line: 3 records
  EXPECT_EQ(t.position(), (Position{kS + 9, 3}));
  EXPECT_EQ(t.Advance(kS + 9, 0), R::kSameTimestamp);  // no records: no-op
  EXPECT_EQ(t.position(), (Position{kS + 9, 3}));
  EXPECT_EQ(t.Advance(kS + 8, 2), R::kOutOfOrder);
  EXPECT_EQ(t.out_of_order(), 2u);
}

TEST(PositionTest, ResumesFromSavedPosition) {
  PositionTracker t(Position{kS + 7, 4});
  EXPECT_EQ(t.Advance(kS + 7), R::kSameTimestamp);
  EXPECT_EQ(t.position().count, 5u);
}

TEST(PositionTest, SinceKeepsNineDigitsAndTrailingZeros) {
  EXPECT_EQ(FormatSince(kS + 669256080), "1795878188.669256080");
  EXPECT_EQ(FormatSince(kS), "1795878188.000000000");
  EXPECT_EQ(FormatSince(kS + 1), "1795878188.000000001");
  EXPECT_EQ(FormatSince(999'999'999), "0.999999999");
  EXPECT_EQ(FormatSince(0), "0.000000000");
  EXPECT_EQ(FormatSince(-5), "0.000000000");
  EXPECT_EQ(FormatSince(INT64_MAX), "9223372036.854775807");
}

// --- lookback ---------------------------------------------------------------

using std::chrono::milliseconds;
constexpr std::int64_t kMs = 1'000'000;

TEST(PositionLookbackTest, SinceStartsLookbackBeforeTheHighWaterMark) {
  PositionTracker t(Position{}, milliseconds(5));
  t.Advance(kS + 100 * kMs);
  EXPECT_EQ(t.position().ts_ns, kS + 100 * kMs);
  EXPECT_EQ(t.position().since_ns, kS + 95 * kMs);
  EXPECT_EQ(t.SinceParam(), "1795878188.095000000");
  EXPECT_EQ(t.position().replay_count(), 1u);
}

TEST(PositionLookbackTest, RemembersDeliveredFramesInsideTheWindow) {
  PositionTracker t(Position{}, milliseconds(5));
  t.Advance(kS + 100 * kMs);
  t.Advance(kS + 101 * kMs);
  t.Advance(kS + 101 * kMs);
  t.Advance(kS + 103 * kMs);
  // Window is [98 ms, 103 ms]: the frame at 100 ms is still replayed.
  EXPECT_EQ(t.position().since_ns, kS + 98 * kMs);
  EXPECT_EQ(t.position().earlier,
            (std::vector<std::pair<std::int64_t, std::uint64_t>>{
                {kS + 100 * kMs, 1}, {kS + 101 * kMs, 2}}));
  EXPECT_EQ(t.position().replay_count(), 4u);
  t.Advance(kS + 110 * kMs);  // everything earlier falls out of the window
  EXPECT_TRUE(t.position().earlier.empty());
  EXPECT_EQ(t.position().replay_count(), 1u);
}

TEST(PositionLookbackTest, InvertedFrameInsideWindowIsRemembered) {
  PositionTracker t(Position{}, milliseconds(5));
  t.Advance(kS + 100 * kMs);
  t.Advance(kS + 104 * kMs);
  EXPECT_EQ(t.Advance(kS + 101 * kMs),
            PositionTracker::AdvanceResult::kOutOfOrder);
  EXPECT_EQ(t.Advance(kS + 101 * kMs),
            PositionTracker::AdvanceResult::kOutOfOrder);
  EXPECT_EQ(t.position().ts_ns, kS + 104 * kMs);
  EXPECT_EQ(t.position().count, 1u);
  EXPECT_EQ(t.position().earlier,
            (std::vector<std::pair<std::int64_t, std::uint64_t>>{
                {kS + 100 * kMs, 1}, {kS + 101 * kMs, 2}}));
  EXPECT_EQ(t.position().replay_count(), 4u);
  EXPECT_EQ(t.out_of_order(), 2u);
}

TEST(PositionLookbackTest, InvertedFrameBeforeWindowIsNotReplayed) {
  PositionTracker t(Position{}, milliseconds(5));
  t.Advance(kS + 100 * kMs);
  EXPECT_EQ(t.Advance(kS + 90 * kMs),
            PositionTracker::AdvanceResult::kOutOfOrder);
  EXPECT_TRUE(t.position().earlier.empty());
  EXPECT_EQ(t.position().replay_count(), 1u);
}

TEST(PositionLookbackTest, SinceNeverMovesBackwards) {
  PositionTracker t(Position{kS + 100 * kMs, 2}, milliseconds(5));
  EXPECT_EQ(t.position().since_ns, kS + 100 * kMs);  // from a plain position
  t.Advance(kS + 101 * kMs);
  EXPECT_EQ(t.position().since_ns, kS + 100 * kMs);  // not 96 ms
  EXPECT_EQ(t.position().replay_count(), 3u);
}

TEST(PositionLookbackTest, WindowIsBoundedAndSinceMovesUp) {
  PositionTracker t(Position{}, milliseconds(1000));
  const std::size_t n = PositionTracker::kMaxEarlier + 10;
  for (std::size_t i = 0; i <= n; ++i)
    t.Advance(kS + static_cast<std::int64_t>(i));
  EXPECT_EQ(t.position().earlier.size(), PositionTracker::kMaxEarlier);
  EXPECT_EQ(t.position().since_ns, t.position().earlier.front().first);
  EXPECT_EQ(t.position().replay_count(), PositionTracker::kMaxEarlier + 1);
}

TEST(PositionLookbackTest, ZeroLookbackIsThePlainPosition) {
  PositionTracker t;
  t.Advance(kS + 1);
  t.Advance(kS + 2);
  t.Advance(kS + 1);
  EXPECT_EQ(t.position(), (Position{kS + 2, 1}));
  EXPECT_TRUE(t.position().earlier.empty());
}

// Pruning the window costs O(1) per new timestamp: a busy stream has
// thousands of timestamps in its window, and erasing the vector's front per
// timestamp moved all of them every time.
TEST(PositionLookbackTest, PruningMovesEachEntryAFewTimesNotTheWholeWindowPerTimestamp) {
  PositionTracker t(Position{}, milliseconds(10));
  constexpr std::int64_t kStep = 10'000;  // 10 us apart: ~1,000 in the window
  constexpr std::size_t kFrames = 50'000;
  for (std::size_t i = 0; i < kFrames; ++i) t.Advance(kS + static_cast<std::int64_t>(i) * kStep);
  EXPECT_LE(t.entries_moved(), 2 * kFrames);  // per-timestamp erasing: ~1,000 per frame
  // The window is still exact.
  const Position& p = t.position();
  const std::int64_t last = kS + static_cast<std::int64_t>(kFrames - 1) * kStep;
  EXPECT_EQ(p.ts_ns, last);
  EXPECT_EQ(p.since_ns, last - 10 * kMs);
  ASSERT_FALSE(p.earlier.empty());
  EXPECT_EQ(p.earlier.front().first, last - 10 * kMs);
  EXPECT_EQ(p.earlier.back().first, last - kStep);
  EXPECT_EQ(p.earlier.size(), static_cast<std::size_t>(10 * kMs / kStep));
  EXPECT_EQ(p.replay_count(), p.earlier.size() + 1);
}

// Entries pruned but not yet erased are invisible: an inverted frame lands in
// the live part, and position() shows only live entries.
TEST(PositionLookbackTest, PrunedEntriesNeverShow) {
  PositionTracker t(Position{}, milliseconds(1));
  std::int64_t ts = kS;
  for (int i = 0; i < 300; ++i) t.Advance(ts += kMs / 10);  // 10 in the window
  EXPECT_EQ(t.Advance(ts - kMs / 2 + 1), PositionTracker::AdvanceResult::kOutOfOrder);
  const Position& p = t.position();
  ASSERT_EQ(p.earlier.size(), 11u);
  for (const auto& [at, count] : p.earlier) EXPECT_GE(at, p.since_ns);
  EXPECT_TRUE(std::is_sorted(p.earlier.begin(), p.earlier.end()));
  EXPECT_EQ(p.replay_count(), 12u);
}

}  // namespace
}  // namespace logcap
