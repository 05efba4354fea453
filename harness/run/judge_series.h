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
  std::vector<long> tree_size;      // the target's process count at each point (-1: not known)
  bool within_tree_size = false;    // fitted within tree sizes (TreeStrata)
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
  std::string note;  // how the series was cut ("" when every sample is fitted)
  Series threads, fds, rss, cpu_seconds;
  Growth threads_fit, fds_fit, rss_fit, cpu_fit;
};

// A command target's process tree changes size as it starts and ends
// processes (a process per follow stream): its summed threads, fds and
// memory dip and rise with how many processes exist at the sample, not with
// what any of them holds, and dips that are more frequent early in a run
// look like growth. Unless the process count itself is shown to grow, the
// tree's totals are therefore fitted within tree sizes: a sample is
// compared only with samples at the same number of processes
// (TheilSenWithin). A tree shown to gain processes is fitted on every
// sample, where its totals grow with the count.
struct TreeStrata {
  std::size_t sizes = 0;  // distinct process counts after the warm-up
  SlopeFit count_growth;  // Theil-Sen of the process count, per second
  bool by_size = false;   // the tree's totals are fitted within sizes
  // What a criterion's detail says about it ("" when every sample is fitted).
  std::string Note() const;
};
TreeStrata FindTreeStrata(const RunData& run);

// Every series the judge reads from a completed run, and its fit (trends at
// the scenario's criteria.trend_p_value).
struct JudgeSeries {
  Series threads, fds, rss, metric_series, goroutines;
  Series exported_fds, exported_rss;  // the target's own process_open_fds / process_resident_memory_bytes
  Series per_process_threads, process_count;  // a command target's largest process, and how many
  Growth threads_fit, fds_fit, rss_fit, metric_series_fit, goroutines_fit, exported_fds_fit, exported_rss_fit;
  std::vector<DaemonSeries> daemon;  // one per daemon process sampled
  TreeStrata tree;  // threads, fds and rss are fitted within tree sizes when tree.by_size
};
JudgeSeries ReadJudgeSeries(const RunData& run);

}  // namespace leakbench::harness
