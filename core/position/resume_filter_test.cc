#include "core/position/resume_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/position/position.h"
#include "core/position/state_file.h"

namespace logcap {
namespace {

constexpr std::int64_t kResumeT0 = 1'795'878'188'000'000'000;
using V = ResumeFilter::Verdict;

TEST(ResumeFilterTest, EmptyPositionPassesEverything) {
  ResumeFilter f(Position{});
  EXPECT_EQ(f.Accept(kResumeT0), V::kPass);
  EXPECT_EQ(f.Accept(kResumeT0 - 1), V::kPass);
  EXPECT_FALSE(f.replaying());
}

TEST(ResumeFilterTest, DropsExactlyTheReplayedFramesAtSince) {
  ResumeFilter f(Position{kResumeT0, 2});
  EXPECT_TRUE(f.replaying());
  EXPECT_EQ(f.Accept(kResumeT0), V::kDropReplayed);
  EXPECT_EQ(f.Accept(kResumeT0), V::kDropReplayed);
  EXPECT_FALSE(f.replaying());
  // A NEW frame with the same timestamp (e.g. the next 16 KiB piece of a
  // long line, or a burst) passes.
  EXPECT_EQ(f.Accept(kResumeT0), V::kPass);
  EXPECT_EQ(f.Accept(kResumeT0 + 1), V::kPass);
  EXPECT_EQ(f.replayed_dropped(), 2u);
  EXPECT_EQ(f.short_replays(), 0u);
}

TEST(ResumeFilterTest, ShortReplayCountsAndNeverDropsALaterFrame) {
  ResumeFilter f(Position{kResumeT0, 3});
  EXPECT_EQ(f.Accept(kResumeT0), V::kDropReplayed);
  EXPECT_EQ(f.Accept(kResumeT0 + 1), V::kPass);  // 2 replayed frames never came
  EXPECT_FALSE(f.replaying());
  EXPECT_EQ(f.short_replays(), 1u);
  EXPECT_EQ(f.missing_frames(), 2u);
  // Once the replay is over, frames at since are new.
  EXPECT_EQ(f.Accept(kResumeT0 + 1), V::kPass);
}

TEST(ResumeFilterTest, ReplayEntirelyMissingIsShort) {
  ResumeFilter f(Position{kResumeT0, 2});
  EXPECT_EQ(f.Accept(kResumeT0 + 50), V::kPass);
  EXPECT_EQ(f.short_replays(), 1u);
  EXPECT_EQ(f.missing_frames(), 2u);
}

TEST(ResumeFilterTest, FramesBeforeSinceAreDroppedAndCounted) {
  ResumeFilter f(Position{kResumeT0, 1});
  EXPECT_EQ(f.Accept(kResumeT0 - 1), V::kDropBeforeSince);
  EXPECT_TRUE(f.replaying());  // does not consume the replay
  EXPECT_EQ(f.Accept(kResumeT0), V::kDropReplayed);
  EXPECT_EQ(f.Accept(kResumeT0 - 2), V::kDropBeforeSince);
  EXPECT_EQ(f.Accept(kResumeT0 + 1), V::kPass);
  EXPECT_EQ(f.before_since_dropped(), 2u);
  EXPECT_EQ(f.short_replays(), 0u);
}

TEST(ResumeFilterTest, StreamCutDuringReplayLeavesPositionValid) {
  // Session 2 is cut after one of two replayed frames: nothing is delivered,
  // the position is unchanged, and session 3 drops both again.
  const Position pos{kResumeT0, 2};
  ResumeFilter s2(pos);
  EXPECT_EQ(s2.Accept(kResumeT0), V::kDropReplayed);
  ResumeFilter s3(pos);
  EXPECT_EQ(s3.Accept(kResumeT0), V::kDropReplayed);
  EXPECT_EQ(s3.Accept(kResumeT0), V::kDropReplayed);
  EXPECT_EQ(s3.Accept(kResumeT0), V::kPass);
}

TEST(ResumeFilterTest, LookbackDropsTheWholeDeliveredWindow) {
  // Delivered: 100 (x1), 104 (x1), then inverted 101 (x2): position
  // ts=104 count=1, since=99, earlier={100:1, 101:2}. The daemon replays in
  // storage order 100, 104, 101, 101, then new frames.
  Position p(kResumeT0 + 104, 1);
  p.since_ns = kResumeT0 + 99;
  p.earlier = {{kResumeT0 + 100, 1}, {kResumeT0 + 101, 2}};
  ResumeFilter f(p);
  EXPECT_EQ(f.Accept(kResumeT0 + 100), V::kDropReplayed);
  EXPECT_EQ(f.Accept(kResumeT0 + 104), V::kDropReplayed);
  EXPECT_EQ(f.Accept(kResumeT0 + 101), V::kDropReplayed);
  EXPECT_EQ(f.Accept(kResumeT0 + 101), V::kDropReplayed);
  EXPECT_FALSE(f.replaying());
  EXPECT_EQ(f.Accept(kResumeT0 + 102), V::kPass);  // a new inverted frame, kept
  EXPECT_EQ(f.Accept(kResumeT0 + 98), V::kDropBeforeSince);
  EXPECT_EQ(f.Accept(kResumeT0 + 104), V::kPass);
  EXPECT_EQ(f.replayed_dropped(), 4u);
}

// ---------------------------------------------------------------------------
// Property tests against a tiny simulated daemon.

struct Frame {
  std::int64_t ts;
  std::uint64_t id;  // index in the history = the order the daemon stored it
};

// A daemon's stored log for one container, read like dockerd 20.10 does:
// with since, every stored frame is filtered independently (ts >= since,
// inclusive), in storage order; `evicted` frames at the front are gone.
struct FakeDaemon {
  std::vector<Frame> history;
  std::size_t evicted = 0;

  // Index of the next frame at or after `i` that a since=`pos` read returns.
  // `since_ns` is what the engine sent (SinceParam()); no since = everything.
  std::size_t NextVisible(std::size_t i, std::int64_t since_ns,
                          bool no_since) const {
    i = std::max(i, evicted);
    while (i < history.size() && !no_since && history[i].ts < since_ns) ++i;
    return i;
  }
};

struct Outcome {
  std::vector<Frame> history;
  std::vector<std::uint64_t> delivered;
  std::uint64_t sessions = 0;
  std::uint64_t short_replays = 0;
  std::uint64_t before_since = 0;
  std::uint64_t out_of_order = 0;
};

// Generates a history of `total` frames while following it in random
// sessions. Each session opens with since=<position ts>, reads in storage
// order, and is cut at a random frame boundary (mid-burst and mid-replay
// included); between and during sessions the container writes more frames.
// `inversion_p`: probability that a frame is stamped up to 4 ms before its
// predecessor (stdout stored after stderr).
Outcome Simulate(
    std::uint64_t seed, double inversion_p,
    std::chrono::nanoseconds lookback = std::chrono::nanoseconds(0)) {
  std::mt19937_64 rng(seed);
  auto chance = [&](double p) {
    return std::uniform_real_distribution<>(0, 1)(rng) < p;
  };
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const auto total = static_cast<std::size_t>(pick(1, 300));
  const double burst_p = std::uniform_real_distribution<>(0.0, 0.95)(rng);
  const double cut_p = std::uniform_real_distribution<>(0.01, 0.4)(rng);
  FakeDaemon daemon;
  std::int64_t last_ts = kResumeT0 + pick(0, 999'999'999);
  auto write = [&] {
    if (daemon.history.size() >= total) return;
    std::int64_t ts;
    if (chance(burst_p)) {
      ts = last_ts;  // equal timestamps: bursts, 16 KiB pieces
    } else if (chance(inversion_p)) {
      ts = last_ts - pick(1, 4'000'000);
    } else {
      ts = last_ts + pick(1, 3'000);
    }
    last_ts = std::max(last_ts, ts);
    daemon.history.push_back(Frame{ts, daemon.history.size()});
  };

  Outcome out;
  PositionTracker tracker(Position{}, lookback);
  std::uint64_t out_of_order = 0;
  for (int session = 0; session < 100'000; ++session) {
    const bool all_written = daemon.history.size() >= total;
    // Sometimes the engine restarts: the position goes through the state file.
    if (chance(0.05)) {
      const auto loaded = ParseStateFile(
          SerializeStateFile({{"c", tracker.position()}}), "mem");
      EXPECT_TRUE(loaded.ok());
      const auto it = loaded.positions().find("c");
      out_of_order += tracker.out_of_order();
      EXPECT_EQ(it == loaded.positions().end() ? Position{} : it->second,
                tracker.position());
      tracker = PositionTracker(
          it == loaded.positions().end() ? Position{} : it->second, lookback);
    }
    const Position opened_at = tracker.position();
    {
      // The daemon sees the text; check that it names since_ns exactly.
      const std::string since = tracker.SinceParam();
      const auto dot = since.find('.');
      EXPECT_EQ(std::stoll(since.substr(0, dot)) * 1'000'000'000 +
                    std::stoll(since.substr(dot + 1)),
                opened_at.empty() ? 0 : opened_at.since_ns);
    }
    ResumeFilter filter(opened_at);
    ++out.sessions;
    std::size_t cursor = 0;
    bool cut = false;
    for (;;) {
      // The last session (everything written) reads to the end.
      if (!all_written && chance(cut_p)) {
        cut = true;
        break;
      }
      if (chance(0.3)) write();
      cursor =
          daemon.NextVisible(cursor, opened_at.since_ns, opened_at.empty());
      if (cursor >= daemon.history.size()) {
        if (daemon.history.size() >= total) break;  // caught up, all written
        write();
        continue;
      }
      const Frame& f = daemon.history[cursor++];
      if (filter.Accept(f.ts) == ResumeFilter::Verdict::kPass) {
        out.delivered.push_back(f.id);
        tracker.Advance(f.ts);
      }
    }
    out.short_replays += filter.short_replays();
    out.before_since += filter.before_since_dropped();
    if (!cut && daemon.history.size() >= total) break;
  }
  out.out_of_order = out_of_order + tracker.out_of_order();
  out.history = std::move(daemon.history);
  return out;
}

TEST(ResumeFilterPropertyTest, EveryFrameExactlyOnceInOrder) {
  std::uint64_t sessions = 0;
  for (std::uint64_t seed = 1; seed <= 5000; ++seed) {
    const Outcome out = Simulate(seed, /*inversion_p=*/0.0);
    ASSERT_FALSE(out.delivered.empty()) << "seed " << seed;
    for (std::size_t i = 0; i < out.delivered.size(); ++i) {
      ASSERT_EQ(out.delivered[i], i) << "seed " << seed << " at " << i;
    }
    ASSERT_EQ(out.short_replays, 0u) << "seed " << seed;
    ASSERT_EQ(out.before_since, 0u) << "seed " << seed;
    sessions += out.sessions;
  }
  // The cases really rotate: on average many sessions per history.
  EXPECT_GT(sessions, 5000u * 3);
}

// Frames missed in a simulated run; each must be an inverted frame (stamped
// before something stored ahead of it). Also checks no duplicate / reorder.
std::uint64_t CheckInvertedRun(std::uint64_t seed, const Outcome& out) {
  for (std::size_t i = 1; i < out.delivered.size(); ++i) {
    EXPECT_LT(out.delivered[i - 1], out.delivered[i]) << "seed " << seed;
  }
  EXPECT_EQ(out.short_replays, 0u) << "seed " << seed;
  std::vector<bool> seen(out.history.size(), false);
  for (auto id : out.delivered) seen[id] = true;
  std::uint64_t missed = 0;
  std::int64_t high = INT64_MIN;
  for (const Frame& f : out.history) {
    if (!seen[f.id]) {
      ++missed;
      EXPECT_LT(f.ts, high)
          << "seed " << seed << ": lost in-order frame " << f.id;
    }
    high = std::max(high, f.ts);
  }
  return missed;
}

// Without lookback, out-of-order storage (measured on 20.10: up to 4 ms) is
// never duplicated or reordered, but an inverted frame not yet read when the
// stream is cut is lost: the daemon filters it out (since is per line). This
// test pins that limitation down: only inverted frames can be missed.
TEST(ResumeFilterPropertyTest, NoLookbackOnlyInvertedFramesCanBeMissed) {
  std::uint64_t missed = 0;
  std::uint64_t inverted_delivered = 0;
  for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
    const Outcome out = Simulate(seed, /*inversion_p=*/0.05);
    missed += CheckInvertedRun(seed, out);
    inverted_delivered += out.out_of_order;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(inverted_delivered, 0u);
  EXPECT_GT(missed, 0u) << "the simulation no longer exercises the limitation";
  RecordProperty("missed_inverted_frames", static_cast<int>(missed));
}

// With a lookback at least as large as the largest inversion, every frame is
// delivered exactly once and in storage order, inversions included.
TEST(ResumeFilterPropertyTest, LookbackDeliversInvertedFramesExactlyOnce) {
  std::uint64_t inverted_delivered = 0;
  for (std::uint64_t seed = 1; seed <= 3000; ++seed) {
    const Outcome out =
        Simulate(seed, /*inversion_p=*/0.05, std::chrono::milliseconds(5));
    ASSERT_EQ(CheckInvertedRun(seed, out), 0u) << "seed " << seed;
    ASSERT_EQ(out.delivered.size(), out.history.size()) << "seed " << seed;
    ASSERT_EQ(out.before_since, 0u) << "seed " << seed;
    inverted_delivered += out.out_of_order;
  }
  EXPECT_GT(inverted_delivered, 1000u);
}

// Lookback changes nothing for in-order histories.
TEST(ResumeFilterPropertyTest, LookbackInOrderExactlyOnce) {
  for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
    const Outcome out =
        Simulate(seed, /*inversion_p=*/0.0, std::chrono::microseconds(3));
    ASSERT_EQ(out.delivered.size(), out.history.size()) << "seed " << seed;
    for (std::size_t i = 0; i < out.delivered.size(); ++i) {
      ASSERT_EQ(out.delivered[i], i) << "seed " << seed;
    }
    ASSERT_EQ(out.short_replays + out.before_since, 0u) << "seed " << seed;
  }
}

}  // namespace
}  // namespace logcap
