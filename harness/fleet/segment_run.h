// Turns one segment of an instance's Prometheus history into the RunData the run's judge reads (samples of threads, fds, RSS, goroutines, open streams and rotations), with the criteria Prometheus cannot show marked not applicable.
// Pure; thread-safe.
#pragma once

#include <array>

#include "harness/fleet/fleet_queries.h"
#include "harness/fleet/restart_segments.h"
#include "harness/run/run_scenario.h"

namespace leakbench::harness {

// Which resources an instance has any point of.
using Present = std::array<bool, kResourceCount>;
Present PresentResources(const InstanceData& data);

// The segment's samples as a run: t in seconds since `origin` (the process
// start when known), so the scenario's warm-up follows every restart; a
// sample exists at every step where each present resource among threads,
// fds, RSS and rotations has a value. Criteria that need the daemon's
// record or the target's log (log_loss, delivery, capture, metrics,
// engine_errors, rotation) are not applicable (the last two are then judged
// from counters: counter_criteria.h), and so are goroutines and
// concurrency without their series, and the exported_* criteria (their
// gauges are the ones judged here).
RunData SegmentRun(const InstanceData& data, const Present& present, const Segment& segment, double origin,
                   const Scenario& scenario);

// Where a segment's samples are timed from: the process start when known;
// else the segment's first step, or (for a process already running when
// the range began) a warm-up before it, so that nothing is excluded.
double SegmentOrigin(const Segment& segment, bool first, double warmup_s);

}  // namespace leakbench::harness
