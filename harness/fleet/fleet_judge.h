// Judges one instance of a fleet from its Prometheus history with the run's judge (harness/run/judge.h, the same criteria table and growth statistics): per segment between restarts, then one verdict per instance.
// A segment is judged only when it holds at least min_window_s of samples
// after its warm-up; an instance with no such segment is inconclusive,
// never passed. Per criterion the instance takes its worst segment: fail,
// else inconclusive, else pass. A resource the instance has no series of
// (threads, fds, RSS) makes its criteria inconclusive. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/fleet/fleet_queries.h"
#include "harness/fleet/restart_segments.h"
#include "harness/run/judge.h"
#include "harness/run/run_scenario.h"

namespace leakbench::harness {

struct FleetBounds {
  Scenario scenario;           // criteria, warmup, target.rotation_interval and max_streams (a scenario file or the defaults)
  double min_window_s = 1800;  // judged time a segment needs after its warm-up
};

struct SegmentVerdict {
  Segment segment;
  std::size_t samples = 0;
  double window_s = 0;  // from the first to the last sample after the warm-up
  bool judged = false;
  std::string why_not;  // not judged: why
  Verdict verdict;      // judged: the run's judge on this segment
};

struct InstanceVerdict {
  std::string key;
  Labels labels;
  std::vector<SegmentVerdict> segments;
  std::size_t restarts = 0;
  Verdict verdict;             // pass / fail / inconclusive, criteria combined over the segments
  std::size_t shown = 0;       // the segment whose figures the verdict carries (the worst failing, else the longest judged)
  double severity = 0;         // a failing instance: its largest measured/bound over failed criteria (worst first)
  RunData history;             // every sample of the range, t since range start (kept on request, for result.json)
};

InstanceVerdict JudgeInstance(const InstanceData& data, const FleetBounds& bounds, double range_start,
                              double range_end, bool keep_history);

// The verdict of a fleet: fail when an instance failed, else inconclusive
// when one could not be judged (or none was found), else pass.
std::string FleetVerdict(const std::vector<InstanceVerdict>& instances);

}  // namespace leakbench::harness
