// Splits an instance's history at its restarts: a change of process_start_time_seconds (or, without it, a counter going down) begins a new segment, so that a restart is reported, and never judged as growth.
// Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/stats/growth.h"

namespace leakbench::harness {

struct Segment {
  double from = 0;  // Unix seconds: the first step of the segment
  double to = 0;    // the last step (inclusive)
  // The process's start time (process_start_time_seconds) when known:
  // samples are timed from it, so the warm-up follows every restart.
  std::optional<double> process_start;
  std::string began;  // "range start", or how the restart was seen
};

// A start time that moves by more than this (seconds) is a new process.
inline constexpr double kStartTimeTolerance = 1.0;

// `start_times`: process_start_time_seconds over the range (may be empty);
// `counter`: a counter that resets to 0 when the process restarts (the
// rotations; may be empty), used only where no start time is known.
// Segments cover [range_start, range_end] without overlap, in time order.
std::vector<Segment> SplitAtRestarts(const std::vector<Point>& start_times, const std::vector<Point>& counter,
                                     double range_start, double range_end);

}  // namespace leakbench::harness
