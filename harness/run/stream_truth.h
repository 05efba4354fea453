// What the target's follow streams did, from the fake daemon's record of
// each one (fake_truth.h): how many were open over an interval (for a
// race-free comparison with a gauge scraped during it), how many the
// target had closed by a given time (its rotations), how old they got,
// and which emitted lines the daemon delivered at least once and which
// twice, per container. Judges any follower, whatever it does with what it
// reads. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/run/fake_truth.h"

namespace leakbench::harness {

class StreamTimeline {
 public:
  explicit StreamTimeline(const std::vector<FollowStream>& streams);

  struct Range {
    std::uint64_t min = 0;
    std::uint64_t max = 0;
  };
  // The fewest and the most follow streams open at any instant of
  // [from_ns, to_ns] (fake clock). A follower may count a stream from its
  // request or only from the daemon's answer, so the fewest counts answered
  // streams and the most counts requested ones: a daemon slow to answer
  // (a latency fault, a loaded dockerd) widens the range instead of
  // putting a right gauge outside it.
  Range OpenDuring(std::int64_t from_ns, std::int64_t to_ns) const;
  // Follow streams the target closed at or before `at_ns`.
  std::uint64_t ClosedByClientAt(std::int64_t at_ns) const;
  // Follow streams opened at or before `at_ns`.
  std::uint64_t OpenedAt(std::int64_t at_ns) const;

 private:
  // How many streams are open over time, as a step function.
  class Steps {
   public:
    void Add(std::int64_t from_ns, std::int64_t to_ns, bool open);
    void Finish();
    // The lowest and highest step over [from_ns, to_ns].
    Range Over(std::int64_t from_ns, std::int64_t to_ns) const;

   private:
    struct Event {
      std::int64_t at;
      int delta;
    };
    std::vector<Event> events_;              // sorted by time; opens before closes at a tie
    std::vector<std::int64_t> count_after_;  // open streams after events_[i]
  };
  Steps requested_;  // from the request to the close
  Steps answered_;   // from the daemon's answer to the close
  std::vector<std::int64_t> client_closes_;  // sorted
  std::vector<std::int64_t> opens_;          // sorted
};

struct StreamAges {
  std::size_t rotated = 0;   // follow streams the client closed
  double max_age_s = 0;      // over every stream, however it ended (still open: until now)
  double median_age_s = 0;   // closed by client
  double p95_age_s = 0;
  std::size_t streams = 0;   // follow streams the target opened, all of them
  // Each stream the client closed: when (seconds since the target started)
  // and how long it had lived, in closing order; thinned to at most
  // kMaxRotationRecords evenly spread entries (`rotated` is the full count).
  struct Rotation {
    double t = 0;
    double age_s = 0;
  };
  std::vector<Rotation> rotations;
};
inline constexpr std::size_t kMaxRotationRecords = 4000;

// `now_ns` is the fake's clock when the streams were read and `now_t` the
// same moment in seconds since the target started.
StreamAges AgesOf(const std::vector<FollowStream>& streams, std::int64_t now_ns, double now_t);

struct Delivery {
  std::size_t containers = 0;            // judged: live, started at or before the cutoff
  std::size_t containers_delivered = 0;  // of those, at least one line delivered
  std::size_t containers_too_young = 0;  // live, started later: not judged
  std::size_t containers_gone = 0;       // removed during the run (judged as a gap-free prefix)
  std::uint64_t lines_emitted = 0;       // by judged live containers
  std::uint64_t lines_delivered = 0;     // distinct seqs of those, delivered at least once
  std::uint64_t lost_at_source = 0;      // emitted (or inside a gone container's delivered range) and never sent
  std::uint64_t delivered_twice = 0;     // extra sends of a seq already sent (all containers)
  std::vector<std::string> examples;     // a few "cid: seqs a..b never sent"
};

// Live containers started at or before `cutoff_ns` (fake clock) are judged;
// later ones are counted as too young.
Delivery JudgeDelivery(const std::vector<FollowStream>& streams, const std::vector<FakeContainer>& containers,
                       std::int64_t cutoff_ns);

}  // namespace leakbench::harness
