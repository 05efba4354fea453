// The target's resource series after the warm-up (threads, fds, memory, ...) and their growth fits, as the judge reads them.
// Each series is taken against time and against rotations (the follow
// streams the target closed); a fit is the Theil-Sen slope of both and the
// Mann-Kendall trend over time. Pure; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/run_scenario.h"
#include "harness/stats/growth.h"

namespace leakbench::harness {

// One resource series after the warm-up, against time and against rotations.
struct Series {
  std::vector<Point> by_time;       // t in seconds
  std::vector<Point> by_rotations;  // t in rotations (or, for the daemon's series, follow streams opened)
};

// What a series is fitted against besides time: the follow streams the
// target closed (its rotations: the target's cost), or those it opened
// (what a daemon pays for).
enum class Axis { kRotations, kStreamsOpened };

// The samples at or after the warm-up for which `value` has a value.
Series Extract(const RunData& run, const std::function<std::optional<double>(const Sample&)>& value,
               Axis axis = Axis::kRotations);

struct Growth {
  SlopeFit per_second;
  SlopeFit per_rotation;
  TrendTest trend;
  double window_s = 0;  // from the first to the last point after the warm-up
};

// Both slopes, and the trend at significance `trend_p_value`.
Growth Fit(const Series& s, double trend_p_value);

// A fit as result.json's figures show it, in units of `scale` (1/MiB for
// bytes as MiB); the second slope under "per_1000_<per>".
nlohmann::json GrowthJson(const Growth& g, double scale, const std::string& per = "rotations");

inline constexpr double kPerMiB = 1.0 / (1 << 20);

// One daemon process's series (RunData::daemon_processes), against time
// and follow streams opened, and their fits.
struct DaemonSeries {
  std::string name;
  Series threads, fds, rss, cpu_seconds;
  Growth threads_fit, fds_fit, rss_fit, cpu_fit;
};

// A command target's process tree changes size as it starts and ends
// processes (a process per follow stream): its summed threads, fds and
// memory then dip and rise with how many processes exist at the sample, not
// with what any of them holds, and dips that thin out over a run look like
// growth. When one tree size holds in at least half of the samples after
// the warm-up, in the first and the last quarter of the window alike, the
// tree's totals are fitted on those samples only. A tree that keeps growing
// has no such size and is fitted on every sample.
struct UsualTreeSize {
  std::optional<std::size_t> size;  // the size the totals are fitted at; nullopt: every sample
  std::size_t used = 0;             // samples at that size
  std::size_t samples = 0;          // samples after the warm-up with a known tree size
  // What a criterion's detail says about it ("" when every sample is fitted).
  std::string Note() const;
};
UsualTreeSize FindUsualTreeSize(const RunData& run);

// Every series the judge reads from a completed run, and its fit (trends at
// the scenario's criteria.trend_p_value).
struct JudgeSeries {
  Series threads, fds, rss, metric_series, goroutines;
  Series exported_fds, exported_rss;  // the target's own process_open_fds / process_resident_memory_bytes
  Series per_process_threads, process_count;  // a command target's largest process, and how many
  Growth threads_fit, fds_fit, rss_fit, metric_series_fit, goroutines_fit, exported_fds_fit, exported_rss_fit;
  std::vector<DaemonSeries> daemon;  // one per daemon process sampled
  UsualTreeSize tree;  // threads, fds and rss (and their fits) are taken at tree.size when it is set
};
JudgeSeries ReadJudgeSeries(const RunData& run);

}  // namespace leakbench::harness
