// The container stream state machine: every (state, event) pair against the
// transition list of container_state.h written out again here, so every
// legal transition is checked and every other pair must be refused; plus
// the state predicates and the names.
#include "core/engine/container_state.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace logcap {
namespace {

using S = ContainerState;
using E = StreamEvent;

// Every legal transition (from, event) -> to.
const std::map<std::pair<S, E>, S>& Legal() {
  static const std::map<std::pair<S, E>, S> table = [] {
    std::map<std::pair<S, E>, S> t = {
        {{S::kIdle, E::kWanted}, S::kWaiting},
        {{S::kWaiting, E::kWanted}, S::kWaiting},
        {{S::kInspecting, E::kWanted}, S::kInspecting},
        {{S::kOpenDelayed, E::kWanted}, S::kOpenDelayed},
        {{S::kStreaming, E::kWanted}, S::kStreaming},
        {{S::kPaused, E::kWanted}, S::kPaused},
        {{S::kFinishing, E::kWanted}, S::kFinishing},
        {{S::kChecking, E::kWanted}, S::kCheckingWanted},
        {{S::kCheckingWanted, E::kWanted}, S::kCheckingWanted},
        {{S::kWaiting, E::kInspectSent}, S::kInspecting},
        {{S::kWaiting, E::kOpenHeld}, S::kOpenDelayed},
        {{S::kInspecting, E::kOpenHeld}, S::kOpenDelayed},
        {{S::kWaiting, E::kOpened}, S::kStreaming},
        {{S::kInspecting, E::kOpened}, S::kStreaming},
        {{S::kOpenDelayed, E::kOpened}, S::kStreaming},
        {{S::kStreaming, E::kSinkFull}, S::kPaused},
        {{S::kPaused, E::kSinkWritable}, S::kStreaming},
        {{S::kStreaming, E::kDaemonEnded}, S::kFinishing},
        {{S::kPaused, E::kDaemonEnded}, S::kFinishing},
        {{S::kFinishing, E::kDrained}, S::kChecking},
        {{S::kInspecting, E::kFailed}, S::kWaiting},
        {{S::kStreaming, E::kFailed}, S::kWaiting},
        {{S::kPaused, E::kFailed}, S::kWaiting},
        {{S::kChecking, E::kFailed}, S::kWaiting},
        {{S::kCheckingWanted, E::kFailed}, S::kWaiting},
        {{S::kInspecting, E::kLeaseEnded}, S::kWaiting},
        {{S::kOpenDelayed, E::kLeaseEnded}, S::kWaiting},
        {{S::kStreaming, E::kLeaseEnded}, S::kWaiting},
        {{S::kPaused, E::kLeaseEnded}, S::kWaiting},
        {{S::kFinishing, E::kLeaseEnded}, S::kWaiting},
        {{S::kStreaming, E::kStalled}, S::kWaiting},
        {{S::kChecking, E::kFoundRunning}, S::kWaiting},
        {{S::kCheckingWanted, E::kFoundRunning}, S::kWaiting},
        {{S::kChecking, E::kFoundStopped}, S::kIdle},
        {{S::kCheckingWanted, E::kFoundStopped}, S::kWaiting},
    };
    for (int s = 0; s < kContainerStateCount; ++s) {
      if (static_cast<S>(s) != S::kGone) t[{static_cast<S>(s), E::kRemoved}] = S::kGone;
    }
    return t;
  }();
  return table;
}

TEST(ContainerStateTest, EveryLegalTransitionAndNoOther) {
  int legal = 0;
  for (int s = 0; s < kContainerStateCount; ++s) {
    for (int e = 0; e < kStreamEventCount; ++e) {
      const S from = static_cast<S>(s);
      const E event = static_cast<E>(e);
      const std::optional<S> got = Next(from, event);
      const auto it = Legal().find({from, event});
      if (it == Legal().end()) {
        EXPECT_EQ(got, std::nullopt) << ToString(from) << " + " << ToString(event) << " must be refused, got "
                                     << ToString(*got);
      } else {
        ++legal;
        EXPECT_EQ(got, it->second) << ToString(from) << " + " << ToString(event);
      }
    }
  }
  EXPECT_EQ(legal, static_cast<int>(Legal().size()));
}

TEST(ContainerStateTest, GoneIsTerminal) {
  for (int e = 0; e < kStreamEventCount; ++e) {
    EXPECT_EQ(Next(S::kGone, static_cast<E>(e)), std::nullopt) << ToString(static_cast<E>(e));
  }
}

TEST(ContainerStateTest, EveryStateIsReachableFromIdle) {
  std::set<S> seen = {S::kIdle};
  std::set<S> frontier = seen;
  while (!frontier.empty()) {
    std::set<S> next;
    for (const S from : frontier) {
      for (int e = 0; e < kStreamEventCount; ++e) {
        if (auto to = Next(from, static_cast<E>(e)); to && seen.insert(*to).second) next.insert(*to);
      }
    }
    frontier = std::move(next);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kContainerStateCount));
}

TEST(ContainerStateTest, Predicates) {
  const std::set<S> slot = {S::kInspecting, S::kOpenDelayed, S::kStreaming, S::kPaused, S::kFinishing};
  const std::set<S> open = {S::kStreaming, S::kPaused};
  const std::set<S> sink = {S::kPaused, S::kFinishing};
  const std::set<S> inspect = {S::kInspecting, S::kChecking, S::kCheckingWanted};
  for (int s = 0; s < kContainerStateCount; ++s) {
    const S state = static_cast<S>(s);
    EXPECT_EQ(HoldsSlot(state), slot.count(state) == 1) << ToString(state);
    EXPECT_EQ(StreamOpen(state), open.count(state) == 1) << ToString(state);
    EXPECT_EQ(WaitsForSink(state), sink.count(state) == 1) << ToString(state);
    EXPECT_EQ(AwaitsInspect(state), inspect.count(state) == 1) << ToString(state);
  }
}

TEST(ContainerStateTest, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (int s = 0; s < kContainerStateCount; ++s) {
    EXPECT_TRUE(names.insert(ToString(static_cast<S>(s))).second);
  }
  for (int e = 0; e < kStreamEventCount; ++e) {
    EXPECT_TRUE(names.insert(ToString(static_cast<E>(e))).second);
  }
  EXPECT_EQ(ToString(static_cast<S>(kContainerStateCount)), "unknown-state");
  EXPECT_EQ(ToString(static_cast<E>(kStreamEventCount)), "unknown-event");
}

}  // namespace
}  // namespace logcap
