// A leakbench scenario: what the fake daemon plays (containers, rates,
// faults, a timeline of actions), which target follows it (log-capturer
// with time-compressed settings, or any command), how long the run lasts,
// and the bound of every acceptance criterion (docs/design.md's table). Loaded
// from YAML or JSON; every error names file:line:column and what was
// expected. A plain value; thread-safe as any const value.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakbench::harness {

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The id of every acceptance criterion the judge decides; `expect_fail`
// must name one of them. Shared by the parser and the judge.
inline constexpr std::array<std::string_view, 18> kCriterionIds = {
    "threads_baseline", "thread_growth",       "fd_growth",        "memory_growth", "thread_trend",
    "fd_trend",         "rotation",            "log_loss",         "delivery",      "concurrency",
    "capture",          "engine_errors",       "metrics",          "goroutines_baseline", "goroutine_growth",
    "exported_fd_growth", "exported_memory_growth", "daemon_fd_growth"};

// True when `id` is one of kCriterionIds.
constexpr bool IsCriterionId(std::string_view id) {
  for (std::string_view known : kCriterionIds) {
    if (known == id) return true;
  }
  return false;
}

// The leaks log-capturer can inject on purpose (TargetSpec::inject_leak).
inline constexpr std::array<std::string_view, 6> kInjectLeakKinds = {
    "thread", "fd", "memory", "stream", "series-rotation", "series-container"};

// Every duration (run, warm-up, rotation, offsets) is at most this, so that
// "now + d" cannot overflow a clock; a year is beyond any run.
inline constexpr std::chrono::nanoseconds kMaxDuration = std::chrono::hours(24 * 365);
// Sampling /proc faster than this measures leakbench more than the target.
inline constexpr std::chrono::nanoseconds kMinSampleInterval = std::chrono::milliseconds(10);

// One action sent to the fake's control API (POST /actions) at `at` after
// the start, e.g. {"action":"churn","count":5}; `every` > 0 repeats it.
struct TimedAction {
  std::chrono::nanoseconds at{0};
  std::chrono::nanoseconds every{0};
  nlohmann::json action;
};

struct FakeSpec {
  std::size_t containers = 200;
  double rate = 5;                   // lines/s per container
  std::string line_bytes = "60-200"; // "N" or "MIN-MAX"
  double tty_fraction = 0;
  double stderr_fraction = 0.2;
  // stderr lines stamped this much before they are written (fake only): a
  // starved dockerd's lagging copier (docs/docker-semantics.md, section 4).
  std::chrono::nanoseconds stderr_lag{0};
  unsigned burst = 1;
  std::size_t retention = 100000;
  std::vector<nlohmann::json> faults;   // POST /faults at start
  std::vector<TimedAction> timeline;
};

struct TargetSpec {
  // "log-capturer" (the engine, pointed at the fake) or "command".
  std::string kind = "log-capturer";
  std::string command;  // kind == command: run through /bin/sh -c, DOCKER_HOST set
  std::chrono::nanoseconds rotation_interval = std::chrono::seconds(5);
  std::size_t max_streams = 50;
  std::string inject_leak;             // "" = none (log-capturer only)
  std::size_t inject_leak_every = 1;   // leak at one rotation in N
  std::vector<std::string> extra_args; // more log-capturer flags
  std::vector<std::string> inject_faults; // log-capturer --inject-fault KIND[:N], each
  // Any target: its Prometheus text endpoint and its Go pprof goroutine
  // endpoint, read every sample; "{port}" is replaced by a free loopback
  // port the harness picks (and also in `command`). "" = none.
  std::string metrics_url;
  std::string pprof_url;
  // Command targets: a line of the target's stderr is an error line when it
  // matches this ECMAScript regex; "" = every stderr line without a stamp.
  std::string error_pattern;
  // Where the target writes what it captured (a file), besides its stdout
  // and stderr; "" = none. `loki`: leakbench's own Loki push endpoint
  // (JSON pushes) takes the lines: `{loki}` in the command becomes its URL
  // (also in $LEAKBENCH_LOKI_URL), and log-capturer ships to it (loki: sink).
  std::string output;
};

// Bounds; a criterion whose bound is unset (null/off in the file) is off:
// listed as such, never counted as passed. The judge never passes a
// criterion it could not judge: that makes the run inconclusive.
struct CriteriaSpec {
  std::optional<double> threads_max = 100;           // after warm-up
  std::optional<double> thread_growth_per_min = 2;   // Theil-Sen slope
  std::optional<double> fd_growth_per_min = 2;
  std::optional<double> rss_growth_mib_per_min = 1;
  std::optional<double> thread_growth_per_1000_rotations = 2;
  std::optional<double> fd_growth_per_1000_rotations = 2;
  std::optional<double> rss_growth_mib_per_1000_rotations = 4;
  bool no_continuous_trend = true;                   // Mann-Kendall on threads/fds
  double trend_p_value = 0.01;                       // ... significant below this p-value (0 < p <= 1)
  double trend_min_rise = 1.5;                       // ... and a fitted rise after the warm-up of at least this
  std::optional<double> rotation_tolerance_s = 10;   // |stream age - rotation| for rotated streams
  // Absent from the file: target.max_streams, after every override
  // (DeriveBounds); null/off: off.
  std::optional<double> max_concurrent_streams;
  bool max_concurrent_streams_set = false;           // given in the file (a number or off)
  bool no_loss = true;                               // every emitted line exactly once
  bool no_loss_at_source = true;                     // delivery: the daemon sent every line at least once
  bool capture_all = true;                           // every container captured
  std::optional<double> max_error_lines = 0;         // "error" lines in the target's log
  bool metrics_consistent = true;                    // streams_active / rotations_total vs truth
  double max_metric_series_per_1000_rotations = 5;   // metrics: /metrics sample lines may grow this much
  std::optional<double> goroutines_max = 100;        // after warm-up (target.metrics_url / pprof_url)
  std::optional<double> goroutine_growth_per_min = 2;
  std::optional<double> goroutine_growth_per_1000_rotations = 2;
  // The daemon's open fds (dockerd and the containerd leakbench started, or
  // fake-dockerd), per minute and per 1,000 follow streams the target
  // opened; off unless set (a follower that makes the daemon leak).
  std::optional<double> daemon_fd_growth_per_min;
  std::optional<double> daemon_fd_growth_per_1000_streams;
};

struct Scenario {
  std::string name;
  // "fake" (fake-dockerd) or "real" (a real dockerd behind the counting
  // proxy; `fake:` then says what the real containers do, and only what a
  // real daemon can play is accepted: real_daemon_rules.h).
  std::string daemon = "fake";
  std::string description;
  std::string file;  // where it was loaded from (ParseScenario: the name given for errors)
  FakeSpec fake;
  TargetSpec target;
  std::chrono::nanoseconds duration = std::chrono::minutes(3);
  std::chrono::nanoseconds warmup = std::chrono::seconds(30);
  std::chrono::nanoseconds sample_interval = std::chrono::seconds(1);
  CriteriaSpec criteria;
  // Negative controls: the run must FAIL, on this criterion id, and on no
  // other criterion but those in expect_also_fail (a fault that trips
  // unrelated criteria is not a clean control).
  std::optional<std::string> expect_fail;
  std::vector<std::string> expect_also_fail;
  std::vector<std::string> tags;  // "gate", "soak", "negative", ...
  // Criteria that do not apply to this target (no log-capturer metrics, no
  // goroutine source), with the reason; filled by DeriveBounds.
  std::map<std::string, std::string> not_applicable;
};

// Derives what depends on other settings, once every override (flags,
// profile, file) is applied: the concurrency bound from target.max_streams
// unless the file set it, and the criteria that do not apply to the
// target. Validates the merged scenario (warm-up shorter than the run,
// target kind and its settings). Idempotent. Throws ScenarioError.
void DeriveBounds(Scenario& scenario);

// Throws ScenarioError ("FILE:LINE:COL: key: what was expected").
Scenario LoadScenario(const std::string& path);
Scenario ParseScenario(const std::string& text, const std::string& name_for_errors);
// Every *.yaml, *.yml and *.json file in `dir`, in file name order.
std::vector<Scenario> LoadScenarioDir(const std::string& dir);

}  // namespace leakbench::harness
