// Plays one scenario: starts fake-dockerd on private sockets in a private
// run directory, starts the target (log-capturer pointed at the fake, or any
// command with DOCKER_HOST set), plays the fake's timeline, samples the
// target's /proc, the fake's truth and the target's /metrics at a fixed
// rate, then stops the generators, lets the target catch up, stops it, and
// collects what is needed to judge: stream lifetimes, loss and duplicates
// by cid/seq, the target's error lines. Everything it started is stopped
// and its run directory is removed before it returns (and by the watchdog
// if leakbench dies). Call from the main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/proc/proc_sample.h"
#include "harness/run/child_process.h"
#include "harness/scenario/scenario.h"

namespace leakbench::harness {

struct RunOptions {
  std::string fake_binary;
  std::string capturer_binary;
  std::string keep_dir;  // "": run dir removed; else the run's files are copied here
  bool quiet = false;
  const std::atomic<bool>* interrupted = nullptr;  // set by SIGINT/SIGTERM
};

struct Sample {
  double t = 0;  // seconds since the target started
  ProcSample proc;
  std::uint64_t streams_open = 0;  // follow streams open at the fake now
  std::uint64_t streams_closed = 0;
  std::optional<double> metric_streams_active;
  std::optional<double> metric_rotations;
  std::size_t metric_series = 0;  // sample lines in /metrics
  std::optional<double> metric_containers_waiting;
  std::optional<double> capture_lag_max_s;     // over the per-container lag gauges
  std::optional<double> capture_lag_median_s;
  double sample_cost_ms = 0;      // what taking this sample cost leakbench
};

struct LossCount {
  bool judged = false;
  std::string why_not;            // when not judged
  std::uint64_t emitted = 0;      // live containers' lines
  std::uint64_t captured = 0;     // distinct of those
  std::uint64_t duplicates = 0;   // all containers
  std::uint64_t gaps_in_gone = 0; // missing lines inside what gone containers delivered
  std::size_t containers = 0;     // live at the end
  std::size_t containers_captured = 0;
  std::uint64_t output_lines = 0;
};

struct StreamAges {
  std::size_t rotated = 0;   // follow streams the client closed
  double max_age_s = 0;      // over closed-by-client and still-open streams
  double median_age_s = 0;   // closed by client
  double p95_age_s = 0;
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

struct RunData {
  Scenario scenario;
  bool completed = false;     // false: the run itself could not be done
  std::string failure;        // why not
  bool interrupted = false;
  std::vector<Sample> samples;
  std::uint64_t follow_streams_peak = 0;
  StreamAges ages;
  LossCount loss;
  std::optional<ChildExit> target_exit;
  std::chrono::milliseconds stop_took{0};
  bool target_died_early = false;
  std::size_t error_lines = 0;
  std::vector<std::string> error_examples;
  std::string started_at;     // RFC3339 UTC
  double wall_seconds = 0;
  int metrics_port = 0;
};

RunData RunScenario(const Scenario& scenario, const RunOptions& options);

}  // namespace leakbench::harness
