// StreamScheduler: the max_streams cap (seeded random operation sequences
// checked against a model), lease lengths and their jitter (exact lease
// ends for fixed uniform draws), oversubscribed leases and the cutting of
// running ones, FIFO fairness over a simulated minute of rotation, backoff
// (not_before) keeping the queue place, NextDeadline, Remove/Enqueue edge
// cases. Time is simulated with constructed time points; nothing sleeps.
#include "core/engine/stream_scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace logcap {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Duration = StreamScheduler::Duration;
using TimePoint = StreamScheduler::TimePoint;

const TimePoint kT0 = TimePoint{} + std::chrono::hours(1000);

// A Uniform that always answers `value`.
StreamScheduler::Uniform Fixed(double value) {
  return [value] { return value; };
}

// A Uniform that answers the given draws in turn (then the last forever).
StreamScheduler::Uniform Draws(std::vector<double> draws) {
  auto index = std::make_shared<std::size_t>(0);
  return [draws = std::move(draws), index] {
    const double d = draws[std::min(*index, draws.size() - 1)];
    ++*index;
    return d;
  };
}

StreamScheduler::Uniform Seeded(std::uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
}

StreamScheduler::Options Opts(std::size_t max_streams, Duration rotation, Duration jitter,
                              Duration oversubscribed = Duration(0)) {
  StreamScheduler::Options o;
  o.max_streams = max_streams;
  o.rotation = rotation;
  o.jitter = jitter;
  o.oversubscribed_lease = oversubscribed;
  return o;
}

std::vector<std::string> Ids(const std::vector<StreamScheduler::Grant>& grants) {
  std::vector<std::string> ids;
  for (const auto& g : grants) ids.push_back(g.id);
  return ids;
}

TEST(StreamSchedulerTest, LeaseEndsForFixedDrawsStayWithinRotation) {
  // rotation 300 s, jitter 10 s (< L/4): lease = 300 s - 10 s * u.
  StreamScheduler s(Opts(10, seconds(300), seconds(10)), Draws({0.0, 0.5, 0.999}));
  s.Enqueue("a", kT0, kT0);
  s.Enqueue("b", kT0, kT0);
  s.Enqueue("c", kT0, kT0);
  const auto grants = s.GrantSlots(kT0);
  ASSERT_EQ(Ids(grants), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(grants[0].lease_end, kT0 + seconds(300));
  EXPECT_EQ(grants[1].lease_end, kT0 + seconds(295));
  EXPECT_EQ(grants[2].lease_end, kT0 + milliseconds(290'010));
  for (const auto& g : grants) {
    EXPECT_EQ(g.waited, Duration(0));
    EXPECT_EQ(s.LeaseEnd(g.id), g.lease_end);
    EXPECT_LE(g.lease_end - kT0, seconds(300));
  }
}

TEST(StreamSchedulerTest, JitterIsCappedAtAQuarterOfTheLease) {
  // jitter 10 s > rotation/4 = 2 s: leases in [6 s, 8 s].
  StreamScheduler s(Opts(10, seconds(8), seconds(10)), Draws({0.0, 0.5, 0.999}));
  for (const char* id : {"a", "b", "c"}) s.Enqueue(id, kT0, kT0);
  const auto grants = s.GrantSlots(kT0);
  ASSERT_EQ(grants.size(), 3u);
  EXPECT_EQ(grants[0].lease_end, kT0 + seconds(8));
  EXPECT_EQ(grants[1].lease_end, kT0 + seconds(7));
  EXPECT_EQ(grants[2].lease_end, kT0 + milliseconds(6'002));
}

TEST(StreamSchedulerTest, NegativeOrZeroJitterMeansExactRotation) {
  StreamScheduler s(Opts(2, seconds(60), seconds(-5)), Fixed(0.9));
  s.Enqueue("a", kT0, kT0);
  EXPECT_EQ(s.GrantSlots(kT0).at(0).lease_end, kT0 + seconds(60));
}

TEST(StreamSchedulerTest, DrawLeaseIsAFullLeaseEvenWhenOversubscribed) {
  // rotation 300 s, jitter 10 s: 300 s - 10 s * u, and it takes no slot.
  StreamScheduler s(Opts(1, seconds(300), seconds(10), seconds(60)), Draws({0.0, 0.5, 0.999, 0.5}));
  EXPECT_EQ(s.DrawLease(), seconds(300));
  EXPECT_EQ(s.DrawLease(), seconds(295));
  EXPECT_EQ(s.DrawLease(), milliseconds(290'010));
  for (const char* id : {"a", "b", "c"}) s.Enqueue(id, kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 1u);  // oversubscribed now
  EXPECT_EQ(s.DrawLease(), seconds(295));
  EXPECT_EQ(s.active(), 1u);
}

TEST(StreamSchedulerTest, DrawLeaseJitterIsCappedAtAQuarterOfRotation) {
  StreamScheduler s(Opts(1, seconds(8), seconds(10)), Draws({0.999}));
  EXPECT_EQ(s.DrawLease(), milliseconds(6'002));
}

TEST(StreamSchedulerTest, WaitedIsTimeSinceEnqueue) {
  StreamScheduler s(Opts(1, seconds(60), seconds(0)), Fixed(0));
  s.Enqueue("a", kT0, kT0);
  s.Enqueue("b", kT0 + seconds(1), kT0);
  ASSERT_EQ(s.GrantSlots(kT0 + seconds(2)).size(), 1u);
  s.Release("a");
  const auto grants = s.GrantSlots(kT0 + seconds(30));
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].id, "b");
  EXPECT_EQ(grants[0].waited, seconds(29));
}

TEST(StreamSchedulerTest, OversubscribedGrantGetsTheShortLease) {
  // One slot, two containers: the one granted leaves the other waiting.
  StreamScheduler s(Opts(1, seconds(300), seconds(4), seconds(40)), Fixed(0.5));
  s.Enqueue("a", kT0, kT0);
  s.Enqueue("b", kT0, kT0);
  const auto grants = s.GrantSlots(kT0);
  ASSERT_EQ(Ids(grants), std::vector<std::string>{"a"});
  // L = 40 s, j = min(4 s, 10 s): 40 s - 2 s.
  EXPECT_EQ(grants[0].lease_end, kT0 + seconds(38));
  EXPECT_TRUE(s.IsWaiting("b"));
}

TEST(StreamSchedulerTest, DefaultOversubscribedLeaseIsAQuarterOfRotation) {
  StreamScheduler s(Opts(1, seconds(300), seconds(0)), Fixed(0));
  EXPECT_EQ(s.options().oversubscribed_lease, seconds(75));
  s.Enqueue("a", kT0, kT0);
  s.Enqueue("b", kT0, kT0);
  EXPECT_EQ(s.GrantSlots(kT0).at(0).lease_end, kT0 + seconds(75));
}

TEST(StreamSchedulerTest, OversubscribedLeaseIsClampedToRotation) {
  StreamScheduler s(Opts(1, seconds(60), seconds(0), seconds(600)), Fixed(0));
  EXPECT_EQ(s.options().oversubscribed_lease, seconds(60));
}

TEST(StreamSchedulerTest, NoShortLeaseWhenEveryWaiterGetsASlotInTheSameRound) {
  // Two free slots, two waiting containers: nobody is left waiting, so both
  // get the full rotation.
  StreamScheduler s(Opts(2, seconds(300), seconds(0)), Fixed(0));
  s.Enqueue("a", kT0, kT0);
  s.Enqueue("b", kT0, kT0);
  const auto grants = s.GrantSlots(kT0);
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_EQ(grants[0].lease_end, kT0 + seconds(300));
  EXPECT_EQ(grants[1].lease_end, kT0 + seconds(300));
}

TEST(StreamSchedulerTest, WaitingContainerCutsRunningLeases) {
  StreamScheduler s(Opts(2, seconds(300), seconds(8), seconds(60)), Draws({0.0, 0.5}));
  s.Enqueue("a", kT0, kT0);
  s.Enqueue("b", kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 2u);
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(300));
  EXPECT_EQ(s.LeaseEnd("b"), kT0 + seconds(296));
  // Someone waits 100 s later: both leases are cut to the oversubscribed
  // length counted from when they were opened, reusing their jitter draw
  // (j = min(8 s, 15 s)).
  s.Enqueue("c", kT0 + seconds(100), kT0 + seconds(100));
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(60));
  EXPECT_EQ(s.LeaseEnd("b"), kT0 + seconds(56));
  EXPECT_EQ(s.NextDeadline(), kT0 + seconds(56));
  EXPECT_EQ(s.Expired(kT0 + seconds(100)), (std::vector<std::string>{"b", "a"}));
  // A cut never lengthens a lease.
  s.Release("b");
  const auto grants = s.GrantSlots(kT0 + seconds(100));
  ASSERT_EQ(Ids(grants), std::vector<std::string>{"c"});
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(60));
}

TEST(StreamSchedulerTest, ExpiredListsEndedLeasesEarliestFirst) {
  StreamScheduler s(Opts(3, seconds(100), seconds(20)), Draws({0.0, 0.999, 0.5}));
  for (const char* id : {"a", "b", "c"}) s.Enqueue(id, kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 3u);
  // a: 100 s, b: 80.02 s, c: 90 s.
  EXPECT_TRUE(s.Expired(kT0 + seconds(80)).empty());
  EXPECT_EQ(s.Expired(kT0 + seconds(90)), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(s.Expired(kT0 + seconds(100)), (std::vector<std::string>{"b", "c", "a"}));
}

TEST(StreamSchedulerTest, ExpiredOrderIsDeterministicForEqualLeaseEnds) {
  StreamScheduler s(Opts(20, seconds(100), seconds(0)), Fixed(0));
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back("c" + std::to_string(100 + i));
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) s.Enqueue(*it, kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 20u);
  EXPECT_EQ(s.Expired(kT0 + seconds(100)), ids);  // ties broken by id
}

TEST(StreamSchedulerTest, NextDeadline) {
  StreamScheduler s(Opts(1, seconds(60), seconds(0)), Fixed(0));
  EXPECT_EQ(s.NextDeadline(), std::nullopt);
  // A free slot and a container in backoff: its not_before.
  s.Enqueue("a", kT0, kT0 + seconds(5));
  EXPECT_EQ(s.NextDeadline(), kT0 + seconds(5));
  EXPECT_TRUE(s.GrantSlots(kT0 + seconds(4)).empty());
  ASSERT_EQ(s.GrantSlots(kT0 + seconds(5)).size(), 1u);
  EXPECT_EQ(s.NextDeadline(), kT0 + seconds(65));
  // All slots taken: a waiting container's not_before does not matter,
  // only lease ends do (its arrival cut the lease to 15 s from opening).
  s.Enqueue("b", kT0 + seconds(6), kT0 + seconds(7));
  EXPECT_EQ(s.NextDeadline(), kT0 + seconds(20));
  s.Release("a");
  // The slot is free: b's not_before (already past is fine: act now).
  EXPECT_EQ(s.NextDeadline(), kT0 + seconds(7));
  ASSERT_EQ(s.GrantSlots(kT0 + seconds(21)).size(), 1u);
  EXPECT_EQ(s.NextDeadline(), kT0 + seconds(81));
  EXPECT_TRUE(s.Remove("b"));
  EXPECT_EQ(s.NextDeadline(), std::nullopt);
}

TEST(StreamSchedulerTest, RemoveActiveFreesTheSlot) {
  StreamScheduler s(Opts(1, seconds(60), seconds(0)), Fixed(0));
  s.Enqueue("a", kT0, kT0);
  s.Enqueue("b", kT0, kT0);
  ASSERT_EQ(Ids(s.GrantSlots(kT0)), std::vector<std::string>{"a"});
  EXPECT_TRUE(s.Remove("a"));
  EXPECT_FALSE(s.IsActive("a"));
  EXPECT_EQ(s.active(), 0u);
  EXPECT_EQ(Ids(s.GrantSlots(kT0 + seconds(1))), std::vector<std::string>{"b"});
  // Removing a waiting or unknown container frees nothing.
  s.Enqueue("c", kT0, kT0);
  EXPECT_FALSE(s.Remove("c"));
  EXPECT_FALSE(s.IsWaiting("c"));
  EXPECT_EQ(s.waiting(), 0u);
  EXPECT_FALSE(s.Remove("nope"));
  EXPECT_EQ(s.active(), 1u);
}

TEST(StreamSchedulerTest, ReleaseDoesNotRequeue) {
  StreamScheduler s(Opts(1, seconds(60), seconds(0)), Fixed(0));
  s.Enqueue("a", kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 1u);
  s.Release("a");
  EXPECT_FALSE(s.IsActive("a"));
  EXPECT_FALSE(s.IsWaiting("a"));
  EXPECT_TRUE(s.GrantSlots(kT0).empty());
  s.Release("unknown");  // harmless
  EXPECT_EQ(s.active(), 0u);
}

TEST(StreamSchedulerTest, EnqueueOfActiveIdIsIgnored) {
  StreamScheduler s(Opts(2, seconds(60), seconds(0)), Fixed(0));
  s.Enqueue("a", kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 1u);
  s.Enqueue("a", kT0 + seconds(1), kT0 + seconds(1));
  EXPECT_TRUE(s.IsActive("a"));
  EXPECT_FALSE(s.IsWaiting("a"));
  EXPECT_EQ(s.waiting(), 0u);
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(60));
}

TEST(StreamSchedulerTest, EnqueueOfWaitingIdOnlyMovesNotBefore) {
  StreamScheduler s(Opts(1, seconds(60), seconds(0)), Fixed(0));
  s.Enqueue("a", kT0, kT0 + seconds(10));
  s.Enqueue("b", kT0, kT0 + seconds(10));
  // a again: keeps its place (front), not_before moves earlier.
  s.Enqueue("a", kT0 + seconds(1), kT0 + seconds(2));
  EXPECT_EQ(s.waiting(), 2u);
  EXPECT_TRUE(s.GrantSlots(kT0 + seconds(1)).empty());
  const auto grants = s.GrantSlots(kT0 + seconds(2));
  ASSERT_EQ(Ids(grants), std::vector<std::string>{"a"});
  EXPECT_EQ(grants[0].waited, seconds(2));  // since the FIRST enqueue
  // b again with a later not_before: still behind nobody, waits longer.
  s.Release("a");
  s.Enqueue("b", kT0 + seconds(3), kT0 + seconds(20));
  EXPECT_TRUE(s.GrantSlots(kT0 + seconds(15)).empty());
  EXPECT_EQ(Ids(s.GrantSlots(kT0 + seconds(20))), std::vector<std::string>{"b"});
}

TEST(StreamSchedulerTest, BackoffKeepsItsPlaceWithoutBlockingOthers) {
  StreamScheduler s(Opts(2, seconds(60), seconds(0)), Fixed(0));
  s.Enqueue("busy", kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 1u);
  s.Enqueue("x", kT0, kT0 + seconds(10));  // in backoff, first in line
  s.Enqueue("y", kT0, kT0);
  // x does not block y.
  EXPECT_EQ(Ids(s.GrantSlots(kT0)), std::vector<std::string>{"y"});
  EXPECT_TRUE(s.IsWaiting("x"));
  // y's stream ends; z arrives. Still inside x's backoff: z gets the slot.
  s.Release("y");
  s.Enqueue("z", kT0 + seconds(5), kT0 + seconds(5));
  EXPECT_EQ(Ids(s.GrantSlots(kT0 + seconds(5))), std::vector<std::string>{"z"});
  // Backoff over: x is ahead of w, who came later.
  s.Release("z");
  s.Enqueue("w", kT0 + seconds(6), kT0 + seconds(6));
  EXPECT_EQ(Ids(s.GrantSlots(kT0 + seconds(10))), std::vector<std::string>{"x"});
  EXPECT_TRUE(s.IsWaiting("w"));
}

// Random Enqueue/Release/Remove/GrantSlots/Expired sequences against a
// model of who is active and who waits.
TEST(StreamSchedulerTest, RandomOperationsKeepTheInvariants) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    const std::size_t max_streams = 1 + rng() % 8;
    const Duration rotation = seconds(1 + static_cast<int>(rng() % 60));
    const Duration jitter = milliseconds(static_cast<int>(rng() % 20'000));
    const Duration oversubscribed = milliseconds(static_cast<int>(rng() % 30'000));
    StreamScheduler s(Opts(max_streams, rotation, jitter, oversubscribed), Seeded(seed));
    const Duration over = s.options().oversubscribed_lease;
    ASSERT_GT(over, Duration(0));
    ASSERT_LE(over, rotation);

    std::set<std::string> active;
    std::set<std::string> waiting;
    std::map<std::string, TimePoint> lease_end;
    TimePoint now = kT0;
    auto pick = [&rng](const std::set<std::string>& from) {
      auto it = from.begin();
      std::advance(it, static_cast<long>(rng() % from.size()));
      return *it;
    };
    for (int step = 0; step < 4000; ++step) {
      now += milliseconds(static_cast<int>(rng() % 2000));
      const std::string id = "c" + std::to_string(rng() % 24);
      switch (rng() % 6) {
        case 0:
        case 1:
          s.Enqueue(id, now, now + milliseconds(static_cast<int>(rng() % 3) * 1500));
          if (active.count(id) == 0) waiting.insert(id);
          break;
        case 2:
          if (!active.empty()) {
            const std::string victim = pick(active);
            s.Release(victim);
            active.erase(victim);
            lease_end.erase(victim);
          }
          break;
        case 3: {
          const bool was_active = active.count(id) != 0;
          EXPECT_EQ(s.Remove(id), was_active);
          active.erase(id);
          waiting.erase(id);
          lease_end.erase(id);
          break;
        }
        case 4:
          for (const std::string& e : s.Expired(now)) {
            ASSERT_TRUE(active.count(e));
            EXPECT_LE(lease_end.at(e), now);
            s.Release(e);
            active.erase(e);
            lease_end.erase(e);
            s.Enqueue(e, now, now);
            waiting.insert(e);
          }
          break;
        default:
          break;
      }
      for (const auto& g : s.GrantSlots(now)) {
        ASSERT_TRUE(waiting.count(g.id)) << g.id;
        ASSERT_FALSE(active.count(g.id)) << g.id;
        waiting.erase(g.id);
        active.insert(g.id);
        EXPECT_GT(g.lease_end, now);
        EXPECT_LE(g.lease_end - now, rotation);
        // Never shorter than the oversubscribed lease minus its jitter.
        EXPECT_GE(g.lease_end - now, over - std::min(jitter, over / 4));
        lease_end[g.id] = g.lease_end;
      }
      ASSERT_LE(s.active(), max_streams);
      ASSERT_EQ(s.active(), active.size());
      ASSERT_EQ(s.waiting(), waiting.size());
      for (const std::string& a : active) {
        ASSERT_TRUE(s.IsActive(a));
        ASSERT_FALSE(s.IsWaiting(a));
        // Leases are only ever cut, never lengthened.
        const TimePoint end = *s.LeaseEnd(a);
        ASSERT_LE(end, lease_end.at(a));
        lease_end[a] = end;
      }
      for (const std::string& w : waiting) {
        ASSERT_TRUE(s.IsWaiting(w));
        ASSERT_FALSE(s.IsActive(w));
      }
      // A free slot with an eligible waiter never survives GrantSlots.
      if (s.active() < max_streams && !waiting.empty()) {
        EXPECT_TRUE(s.GrantSlots(now).empty());
      }
      const auto next = s.NextDeadline();
      if (active.empty()) {
        EXPECT_EQ(next.has_value(), !waiting.empty());
      } else {
        TimePoint earliest = TimePoint::max();
        for (const auto& [a, end] : lease_end) earliest = std::min(earliest, end);
        ASSERT_TRUE(next.has_value());
        if (active.size() == max_streams) {
          EXPECT_EQ(*next, earliest);  // a full pool: only lease ends count
        } else {
          EXPECT_LE(*next, earliest);
        }
      }
    }
  }
}

// 200 containers, 50 slots, rotation 3 s, 60 s simulated: each expired
// container is released and re-enqueued at once.
TEST(StreamSchedulerTest, RotationIsFairUnderOversubscription) {
  constexpr std::size_t kContainers = 200;
  constexpr std::size_t kSlots = 50;
  const Duration rotation = seconds(3);
  StreamScheduler s(Opts(kSlots, rotation, seconds(10)), Seeded(42));
  const Duration lease = s.options().oversubscribed_lease;
  ASSERT_EQ(lease, milliseconds(750));

  std::vector<std::string> ids;
  for (std::size_t i = 0; i < kContainers; ++i) ids.push_back("c" + std::to_string(i));
  for (const auto& id : ids) s.Enqueue(id, kT0, kT0);

  std::map<std::string, int> turns;
  std::map<std::string, TimePoint> released;  // when its last turn ended
  Duration max_wait(0);
  Duration first_wait(0);
  TimePoint now = kT0;
  const TimePoint end = kT0 + seconds(60);
  while (now <= end) {
    for (const std::string& id : s.Expired(now)) {
      s.Release(id);
      released[id] = now;
      s.Enqueue(id, now, now);
    }
    for (const auto& g : s.GrantSlots(now)) {
      EXPECT_LE(g.lease_end - now, lease);  // oversubscribed the whole time
      ++turns[g.id];
      if (auto it = released.find(g.id); it != released.end()) {
        max_wait = std::max(max_wait, now - it->second);
      } else {
        first_wait = std::max(first_wait, now - kT0);
      }
    }
    ASSERT_LE(s.active(), kSlots);
    ASSERT_EQ(s.active() + s.waiting(), kContainers);
    const auto next = s.NextDeadline();
    ASSERT_TRUE(next.has_value());
    ASSERT_GT(*next, now);
    now = *next;
  }
  // A released container joins the back of the queue behind the others
  // waiting (200 - 50); 50 slots each free up at least once per lease, so
  // its turn comes within ceil(150 / 50) leases.
  const auto rounds = static_cast<int>((kContainers - kSlots + kSlots - 1) / kSlots);
  const Duration bound = rounds * lease + milliseconds(10);
  EXPECT_LE(max_wait, bound);
  EXPECT_LE(first_wait, bound);
  int min_turns = 1 << 30;
  int max_turns = 0;
  for (const auto& id : ids) {
    min_turns = std::min(min_turns, turns[id]);
    max_turns = std::max(max_turns, turns[id]);
  }
  // Every container served, none starved: a first turn within the bound,
  // then one at least every bound + lease = 3 s: 20 turns or more in 60 s.
  EXPECT_GE(min_turns, 20);
  EXPECT_LE(max_turns - min_turns, 2);
}

}  // namespace
}  // namespace logcap

namespace logcap {
namespace lease_at_open {

using namespace std::chrono_literals;

StreamScheduler::Options AtOpen(std::size_t max_streams, Duration rotation, double opens_per_second = 0) {
  StreamScheduler::Options o = Opts(max_streams, rotation, Duration(0));
  o.lease_starts_at_open = true;
  o.max_opens_per_second = opens_per_second;
  return o;
}

TEST(StreamSchedulerLeaseAtOpenTest, TheLeaseRunsFromTheOpenNotTheGrant) {
  StreamScheduler s(AtOpen(1, seconds(60)), Fixed(0.0));
  s.Enqueue("a", kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 1u);
  s.Opened("a", kT0 + seconds(5));  // held 5 s by the open rate
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(65));
  EXPECT_TRUE(s.Expired(kT0 + seconds(64)).empty());
  EXPECT_EQ(s.Expired(kT0 + seconds(65)), std::vector<std::string>{"a"});
  s.Opened("a", kT0 + seconds(30));  // a second report changes nothing
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(65));
}

TEST(StreamSchedulerLeaseAtOpenTest, TheAnswerRestartsTheLeaseAndAHoldMovesItsEnd) {
  StreamScheduler s(AtOpen(2, seconds(60)), Fixed(0.0));
  s.Enqueue("a", kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 1u);
  s.Answered("a", kT0 + seconds(1));  // not open yet: nothing to restart
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(60));
  s.Opened("a", kT0 + seconds(2));
  s.HoldUntil("a", kT0 + seconds(70));  // unanswered at its lease end: wait for the answer
  EXPECT_TRUE(s.Expired(kT0 + seconds(69)).empty());
  EXPECT_EQ(s.NextDeadline(), kT0 + seconds(70));
  s.Answered("a", kT0 + seconds(68));  // a whole lease from the answer
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(128));
  // While others wait, the answer gets the oversubscribed lease, as an open does.
  s.Enqueue("b", kT0 + seconds(69), kT0 + seconds(69));
  s.Enqueue("c", kT0 + seconds(69), kT0 + seconds(69));
  ASSERT_EQ(s.GrantSlots(kT0 + seconds(69)).size(), 1u);
  s.Answered("a", kT0 + seconds(70));
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(70) + seconds(15));
  s.HoldUntil("zzz", kT0);  // unknown: ignored
  s.Answered("zzz", kT0);
  EXPECT_FALSE(s.IsActive("zzz"));
}

TEST(StreamSchedulerLeaseAtOpenTest, AnOpenThatNeverComesHoldsTheSlotAtMostARotation) {
  StreamScheduler s(AtOpen(1, seconds(60)), Fixed(0.0));
  s.Enqueue("a", kT0, kT0);
  s.Enqueue("b", kT0, kT0);  // oversubscribed: a's lease would be 15 s once open
  ASSERT_EQ(Ids(s.GrantSlots(kT0)), std::vector<std::string>{"a"});
  EXPECT_TRUE(s.Expired(kT0 + seconds(59)).empty());  // not cut while the open is awaited
  EXPECT_EQ(s.Expired(kT0 + seconds(60)), std::vector<std::string>{"a"});
  EXPECT_EQ(s.NextDeadline(), kT0 + seconds(60));
}

TEST(StreamSchedulerLeaseAtOpenTest, OpenedWhileOthersWaitGetsTheOversubscribedLease) {
  StreamScheduler s(AtOpen(1, seconds(60)), Fixed(0.0));
  s.Enqueue("a", kT0, kT0);
  ASSERT_EQ(s.GrantSlots(kT0).size(), 1u);  // alone: a full 60 s lease
  s.Enqueue("b", kT0 + seconds(1), kT0 + seconds(1));
  s.Opened("a", kT0 + seconds(2));
  EXPECT_EQ(s.LeaseEnd("a"), kT0 + seconds(2) + seconds(15));
}

TEST(StreamSchedulerLeaseAtOpenTest, ThePoolNeverTurnsOverFasterThanTheOpenRate) {
  // 2,000 slots at 200 opens/s: a full turn of the pool takes 10 s, so an
  // oversubscribed lease of rotation / 4 = 5 s would end before its open.
  EXPECT_EQ(StreamScheduler(AtOpen(2000, seconds(20), 200), Fixed(0)).options().oversubscribed_lease, seconds(10));
  // Fast opens: rotation / 4 stands.
  EXPECT_EQ(StreamScheduler(AtOpen(2000, seconds(20), 1000), Fixed(0)).options().oversubscribed_lease, seconds(5));
  // Never longer than the rotation.
  EXPECT_EQ(StreamScheduler(AtOpen(2000, seconds(20), 10), Fixed(0)).options().oversubscribed_lease, seconds(20));
  // No limit: rotation / 4.
  EXPECT_EQ(StreamScheduler(AtOpen(2000, seconds(20), 0), Fixed(0)).options().oversubscribed_lease, seconds(5));
}

}  // namespace lease_at_open
}  // namespace logcap
