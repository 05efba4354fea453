#include "core/position/adaptive_lookback.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/position/position.h"

namespace logcap {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using TimePoint = AdaptiveLookback::TimePoint;

TEST(AdaptiveLookback, StaysAtTheFloorUntilAnInversionNeedsMore) {
  AdaptiveLookback l;
  const TimePoint t0{};
  EXPECT_EQ(l.Current(t0), milliseconds(10));
  EXPECT_FALSE(l.Observe(milliseconds(4), t0));  // 2 x 4 ms is under the floor
  EXPECT_EQ(l.Current(t0), milliseconds(10));
  EXPECT_TRUE(l.Observe(milliseconds(300), t0));
  EXPECT_EQ(l.Current(t0), milliseconds(600));
  EXPECT_FALSE(l.Observe(milliseconds(200), t0));  // smaller: nothing changes
  EXPECT_EQ(l.Current(t0), milliseconds(600));
  EXPECT_EQ(l.largest_ever(), milliseconds(300));
}

TEST(AdaptiveLookback, IsCappedAndDecaysByHalfEveryHalfLife) {
  AdaptiveLookback l;
  const TimePoint t0{};
  l.Observe(seconds(40), t0);
  EXPECT_EQ(l.Current(t0), seconds(30));
  l = AdaptiveLookback();
  l.Observe(seconds(4), t0);
  EXPECT_EQ(l.Current(t0), seconds(8));
  EXPECT_EQ(l.Current(t0 + std::chrono::minutes(10)), seconds(4));
  EXPECT_EQ(l.Current(t0 + std::chrono::minutes(20)), seconds(2));
  EXPECT_EQ(l.Current(t0 + std::chrono::hours(10)), milliseconds(10));  // back to the floor
  // A new inversion above the decayed one is the new reference.
  EXPECT_TRUE(l.Observe(seconds(3), t0 + std::chrono::minutes(20)));
  EXPECT_EQ(l.Current(t0 + std::chrono::minutes(20)), seconds(6));
  EXPECT_EQ(l.largest_ever(), seconds(4));
}

// A follower against a model of dockerd's json-file reader: lines are
// stored in write order, and a stream opened with since= carries every
// record stamped at or after since, in storage order: those stored before
// it opened and those stored while it is open alike (dockerd filters live
// records by since too, docs/docker-semantics.md). The follower cuts its
// stream after `cut` records were stored while it was open (rotation),
// drops the replay its position counts and delivers the rest. Every stored
// record must be delivered exactly once.
struct FollowResult {
  std::size_t lost = 0, duplicated = 0;
};

FollowResult Follow(const std::vector<std::int64_t>& stored, std::size_t cut, bool adaptive) {
  AdaptiveLookback policy;
  PositionTracker tracker(Position{}, milliseconds(10));
  std::vector<int> delivered(stored.size(), 0);
  std::size_t next = 0;  // the writer has stored [0, next) when the stream opens
  const TimePoint t0{};
  while (next < stored.size()) {
    next = std::min(stored.size(), next + cut);
    const Position at = tracker.position();
    std::uint64_t skip = at.empty() ? 0 : at.replay_count();
    for (std::size_t i = 0; i < next; ++i) {
      if (!at.empty() && stored[i] < at.since_ns) continue;  // since filters each record
      if (skip > 0) {
        --skip;
        continue;
      }
      ++delivered[i];
      const TimePoint now = t0 + nanoseconds(stored[i]);
      if (adaptive) tracker.set_lookback(policy.Current(now));
      if (tracker.Advance(stored[i]) == PositionTracker::AdvanceResult::kOutOfOrder && adaptive) {
        policy.Observe(nanoseconds(tracker.last_inversion_ns()), now);
      }
    }
  }
  FollowResult r;
  for (int d : delivered) {
    if (d == 0) ++r.lost;
    if (d > 1) r.duplicated += static_cast<std::size_t>(d - 1);
  }
  return r;
}

// stdout every 100 ms; every 7th line a stderr line whose copier is 500 ms
// behind: stamped 500 ms earlier, stored after the stdout line.
std::vector<std::int64_t> StderrLagging(std::size_t lines) {
  std::vector<std::int64_t> stored;
  for (std::size_t i = 0; i < lines; ++i) {
    const std::int64_t t = 10'000'000'000 + static_cast<std::int64_t>(i) * 100'000'000;
    stored.push_back(t);
    if (i % 7 == 6) stored.push_back(t - 500'000'000 + 1);
  }
  return stored;
}

TEST(AdaptiveLookback, AFollowerThatLearnsTheInversionLosesNothing) {
  const std::vector<std::int64_t> stored = StderrLagging(2000);
  for (std::size_t cut : {11u, 13u, 50u, 333u}) {
    const FollowResult r = Follow(stored, cut, /*adaptive=*/true);
    EXPECT_EQ(r.lost, 0u) << "cut every " << cut;
    EXPECT_EQ(r.duplicated, 0u) << "cut every " << cut;
  }
}

// The fault the adaptive lookback is for: a fixed 10 ms loses inverted
// lines that a cut left unread, silently (no duplicate, no error).
TEST(AdaptiveLookback, AFixedTenMillisecondLookbackLosesTheLaggingLines) {
  const std::vector<std::int64_t> stored = StderrLagging(2000);
  const FollowResult r = Follow(stored, 13, /*adaptive=*/false);
  EXPECT_GT(r.lost, 0u);
  EXPECT_EQ(r.duplicated, 0u);
}

// The limit: an inversion is learnt only when a stream stays open longer
// than the lag. Streams of 0.5 s against a 0.5 s lag never carry a lagging
// line (each is stamped before its stream's since), so nothing is learnt.
TEST(AdaptiveLookback, ALagLongerThanAStreamStaysOpenIsNeverLearnt) {
  const FollowResult r = Follow(StderrLagging(2000), 5, /*adaptive=*/true);
  EXPECT_EQ(r.lost, 285u);
}

TEST(PositionTracker, ALargerLookbackTakesEffectAsThePositionAdvances) {
  PositionTracker t(Position{}, milliseconds(10));
  t.Advance(1'000'000'000);
  t.set_lookback(seconds(1));
  EXPECT_EQ(t.lookback(), seconds(1));
  t.Advance(3'000'000'000);
  EXPECT_EQ(t.position().since_ns, 2'000'000'000);
  t.Advance(2'500'000'000);  // 500 ms out of order, inside the window
  EXPECT_EQ(t.last_inversion_ns(), 500'000'000);
  EXPECT_EQ(t.position().replay_count(), 2u);
  // since never moves back: the lookback shrinking changes nothing yet.
  t.set_lookback(milliseconds(10));
  t.Advance(3'000'000'001);
  EXPECT_EQ(t.position().since_ns, 2'990'000'001);
}

}  // namespace
}  // namespace logcap
