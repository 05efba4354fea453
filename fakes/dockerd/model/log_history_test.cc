#include "fakes/dockerd/model/log_history.h"

#include <gtest/gtest.h>

namespace fakedocker {
namespace {

LogEntry Entry(uint64_t seq, UnixNanos ts) {
  LogEntry e;
  e.seq = seq;
  e.ts = ts;
  e.bytes = 100;
  return e;
}

TEST(LogHistory, StartsEmpty) {
  LogHistory h(10);
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.begin(), 0u);
  EXPECT_EQ(h.end(), 0u);
  EXPECT_EQ(h.evicted(), 0u);
  EXPECT_EQ(h.retention(), 10u);
  EXPECT_EQ(h.LowerBound(0), 0u);
  EXPECT_EQ(h.LowerBound(1'000'000), h.end());
}

TEST(LogHistory, ZeroRetentionStillKeepsTheNewestLine) {
  LogHistory h(0);
  EXPECT_EQ(h.retention(), 1u);
  h.Append(Entry(1, 10));
  h.Append(Entry(2, 20));
  EXPECT_EQ(h.begin(), 1u);
  EXPECT_EQ(h.end(), 2u);
  EXPECT_EQ(h.back().seq, 2u);
}

TEST(LogHistory, AppendWithinRetention) {
  LogHistory h(5);
  for (uint64_t i = 1; i <= 5; ++i) h.Append(Entry(i, static_cast<UnixNanos>(i * 10)));
  EXPECT_FALSE(h.empty());
  EXPECT_EQ(h.begin(), 0u);
  EXPECT_EQ(h.end(), 5u);
  for (uint64_t i = 0; i < 5; ++i) EXPECT_EQ(h.at(i).seq, i + 1);
  EXPECT_EQ(h.back().seq, 5u);
}

TEST(LogHistory, EvictsBeyondRetentionAndKeepsAbsoluteIndices) {
  LogHistory h(3);
  for (uint64_t i = 1; i <= 10; ++i) h.Append(Entry(i, static_cast<UnixNanos>(i * 10)));
  EXPECT_EQ(h.evicted(), 7u);
  EXPECT_EQ(h.begin(), 7u);
  EXPECT_EQ(h.end(), 10u);
  // Index i is the (i+1)-th line ever written, whatever was evicted.
  for (uint64_t i = h.begin(); i < h.end(); ++i) EXPECT_EQ(h.at(i).seq, i + 1);
  EXPECT_EQ(h.back().seq, 10u);

  // A cursor taken before more appends still names the same line.
  const uint64_t cursor = 8;
  const uint64_t seq_at_cursor = h.at(cursor).seq;
  h.Append(Entry(11, 110));
  EXPECT_EQ(h.begin(), 8u);
  EXPECT_EQ(h.at(cursor).seq, seq_at_cursor);
  h.Append(Entry(12, 120));
  EXPECT_GT(h.begin(), cursor);  // evicted: a reader must notice begin() moved past it
}

TEST(LogHistory, LowerBoundFindsTheFirstOfEqualTimestamps) {
  LogHistory h(100);
  // seq:  1   2   3   4   5   6
  // ts:  10  20  20  20  30  30
  const UnixNanos ts[] = {10, 20, 20, 20, 30, 30};
  for (uint64_t i = 0; i < 6; ++i) h.Append(Entry(i + 1, ts[i]));
  EXPECT_EQ(h.LowerBound(0), 0u);
  EXPECT_EQ(h.LowerBound(10), 0u);
  EXPECT_EQ(h.LowerBound(11), 1u);
  EXPECT_EQ(h.LowerBound(20), 1u);  // the first of the run: since is inclusive
  EXPECT_EQ(h.LowerBound(21), 4u);
  EXPECT_EQ(h.LowerBound(30), 4u);
  EXPECT_EQ(h.LowerBound(31), h.end());
}

TEST(LogHistory, LowerBoundIsAbsoluteAfterEviction) {
  LogHistory h(4);
  for (uint64_t i = 1; i <= 10; ++i) h.Append(Entry(i, static_cast<UnixNanos>(i * 10)));
  // Retained: indices 6..9, timestamps 70..100.
  EXPECT_EQ(h.LowerBound(0), h.begin());   // older than anything kept: the oldest kept
  EXPECT_EQ(h.LowerBound(70), 6u);
  EXPECT_EQ(h.LowerBound(75), 7u);
  EXPECT_EQ(h.LowerBound(100), 9u);
  EXPECT_EQ(h.LowerBound(101), 10u);
  EXPECT_EQ(h.at(h.LowerBound(80)).ts, 80);
}

TEST(LogHistory, LowerBoundWhenEverythingShares) {
  LogHistory h(3);
  for (uint64_t i = 1; i <= 5; ++i) h.Append(Entry(i, 50));
  EXPECT_EQ(h.LowerBound(50), h.begin());
  EXPECT_EQ(h.at(h.LowerBound(50)).seq, 3u);
  EXPECT_EQ(h.LowerBound(49), h.begin());
  EXPECT_EQ(h.LowerBound(51), h.end());
}

// Stamps out of stored order (a lagging stderr copier, GeneratorSpec::
// stderr_lag_ns): the bound is the first entry whose running maximum reaches
// ts, so every entry before it is older than ts and none at or past ts is
// skipped. A plain binary search on the stamps answers 4 for 25 here and
// would skip seq 3 (stamped 30).
TEST(LogHistory, LowerBoundWithInvertedStamps) {
  LogHistory h(100);
  // seq:  1   2   3  4   5   6   7
  // ts:  10  20  30  5  40  50  60
  const UnixNanos ts[] = {10, 20, 30, 5, 40, 50, 60};
  for (uint64_t i = 0; i < 7; ++i) h.Append(Entry(i + 1, ts[i]));
  EXPECT_EQ(h.LowerBound(25), 2u);
  EXPECT_EQ(h.LowerBound(5), 0u);
  EXPECT_EQ(h.LowerBound(6), 0u);    // seq 1 (10) is already past 6
  EXPECT_EQ(h.LowerBound(31), 4u);   // seq 4 (5) is before 31 as well
  EXPECT_EQ(h.LowerBound(61), h.end());
  for (UnixNanos since = 0; since <= 61; ++since) {
    const uint64_t lb = h.LowerBound(since);
    for (uint64_t i = h.begin(); i < lb; ++i) EXPECT_LT(h.at(i).ts, since) << "since " << since << " index " << i;
    if (lb < h.end()) {
      EXPECT_GE(h.at(lb).ts, since) << "since " << since;  // the tightest such bound
    }
  }
}

TEST(LogHistory, LowerBoundWithInvertedStampsAfterEviction) {
  LogHistory h(4);
  // seq:  1   2   3   4   5   6   7
  // ts:  10  20  30  25  15  40  35
  const UnixNanos ts[] = {10, 20, 30, 25, 15, 40, 35};
  for (uint64_t i = 0; i < 7; ++i) h.Append(Entry(i + 1, ts[i]));
  // Retained: indices 3..6, stamps 25 15 40 35.
  EXPECT_EQ(h.begin(), 3u);
  EXPECT_EQ(h.LowerBound(26), 3u);  // seq 3 (30, evicted) already reached 26
  EXPECT_EQ(h.LowerBound(36), 5u);
  EXPECT_EQ(h.LowerBound(41), h.end());
  for (UnixNanos since = 0; since <= 41; ++since) {
    const uint64_t lb = h.LowerBound(since);
    EXPECT_GE(lb, h.begin());
    for (uint64_t i = h.begin(); i < lb; ++i) EXPECT_LT(h.at(i).ts, since) << "since " << since << " index " << i;
  }
}

}  // namespace
}  // namespace fakedocker
