// Judges the criteria a fleet reads from counters rather than gauges: rotation (streams closed older than the stream-age bucket at or above rotation interval + tolerance) and engine_errors (the engine's error counters), over a segment after its warm-up.
// Pure; thread-safe.
#pragma once

#include <optional>

#include "harness/fleet/fleet_judge.h"

namespace leakbench::harness {

// The bucket `rotation` is judged at for these bounds (nullopt: off, or
// above the histogram's top bucket).
std::optional<double> StreamAgeBucket(const FleetBounds& bounds);

// Replaces the verdict's `rotation` and `engine_errors` rows (the run's
// judge leaves them off: it reads the daemon's record and the target's log)
// with what the counters show between `from` and `to` (Unix seconds: the
// segment after its warm-up). A counter going down is a reset. An instance
// without the counters keeps them off, saying why.
void JudgeCounters(Verdict& verdict, const InstanceData& data, double from, double to, const FleetBounds& bounds);

}  // namespace leakbench::harness
