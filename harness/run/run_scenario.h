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

#include "common/proc/proc_sample.h"
#include "harness/proc/process_table.h"
#include "harness/run/child_process.h"
#include "harness/run/daemon_under_test.h"
#include "harness/run/fake_truth.h"
#include "harness/run/loki_output.h"
#include "harness/run/stamp_count.h"
#include "harness/run/stream_truth.h"
#include "harness/scenario/scenario.h"

namespace leakbench::harness {

struct RunOptions {
  std::string fake_binary;
  std::string capturer_binary;
  std::string keep_dir;  // "": run dir removed; else the run's files are copied here
  bool quiet = false;
  const std::atomic<bool>* interrupted = nullptr;  // set by SIGINT/SIGTERM
  // Given to a command target as LEAKBENCH_FOLLOWERS and
  // LEAKBENCH_GO_FOLLOWERS: where the repository's example followers (the
  // shell scripts, the built Go followers) are, so scenarios can name them.
  std::string followers_dir;
  std::string go_followers_dir;
  // `daemon: real`: an existing daemon ("" = leakbench starts a private
  // dockerd), the counting proxy and the workload emitter binaries.
  std::string docker_host;
  std::string proxy_binary;
  std::string emitter_binary;
};

struct Sample {
  double t = 0;  // seconds since the target started
  std::int64_t fake_ns = 0;        // the fake's clock when this sample began
  ProcSample proc;                 // the target: one process, or all of a command target's processes summed
  std::uint64_t streams_open = 0;  // follow streams open at the fake at fake_ns
  std::uint64_t streams_closed = 0;  // follow streams the target had closed by fake_ns (its rotations)
  std::uint64_t streams_opened = 0;  // follow streams the target had opened by fake_ns
  std::vector<ProcSample> daemon;    // the daemon's processes (RunData::daemon_processes), in that order
  std::size_t daemon_generation = 0;  // daemon restarts (RunData::daemon_restarts_s) before this sample
  // The fewest and most follow streams open while /metrics was scraped
  // (from the fake's per-stream record, filled in after the run).
  std::optional<std::uint64_t> streams_open_min, streams_open_max;
  std::int64_t scrape_from_ns = 0, scrape_to_ns = 0;  // fake clock around the /metrics scrape
  std::optional<double> metric_streams_active;
  std::optional<double> metric_rotations;
  std::size_t metric_series = 0;  // sample lines in /metrics
  std::optional<double> metric_containers_waiting;
  std::optional<double> capture_lag_max_s;     // over the per-container lag gauges
  std::optional<double> capture_lag_median_s;
  // A command target: its processes now, and the largest of them.
  std::optional<std::size_t> processes, threads_max_per_process, fds_max_per_process;
  std::optional<double> goroutines;            // go_goroutines or the pprof total
  std::optional<double> target_open_fds;       // process_open_fds, when exported
  std::optional<double> target_rss_bytes;      // process_resident_memory_bytes, when exported
  double sample_cost_ms = 0;      // what taking this sample cost leakbench
};

struct RunData {
  Scenario scenario;
  bool completed = false;     // false: the run itself could not be done
  std::string failure;        // why not
  bool interrupted = false;
  std::vector<Sample> samples;
  std::uint64_t follow_streams_peak = 0;
  FakeTruth truth_end;        // the fake's summary after the catch-up
  StreamAges ages;
  LossCount loss;             // in the target's output, by stamp
  Delivery delivery;          // by the daemon's record of every follow stream
  std::int64_t capture_grace_ns = 0;  // containers started later than snapshot - grace are not judged
  double catch_up_s = 0;  // how long the target took, after emission stopped, to catch up (or be given up on)
  std::optional<ChildExit> target_exit;
  std::chrono::milliseconds stop_took{0};
  bool target_died_early = false;
  std::size_t error_lines = 0;
  std::string error_rule;     // how error lines were counted
  std::vector<std::string> error_examples;
  std::size_t metrics_scrapes_failed = 0;
  std::vector<ProcessRecord> processes;  // a command target's processes, each with its largest figures
  std::size_t processes_untracked = 0;
  std::string goroutine_dump;  // pprof debug=2 at the end, when target.pprof_url is set
  std::optional<LokiOutputStats> loki;  // target.output: loki
  std::string started_at;     // RFC3339 UTC
  double wall_seconds = 0;
  int metrics_port = 0;       // log-capturer's /metrics, or the {port} given to the target
  DaemonInfo daemon;          // which daemon ran
  std::vector<DaemonProcess> daemon_processes;  // sampled beside the target
  std::string daemon_unsampled;  // why none was, when daemon_processes is empty
  // When a restart_daemon action gave the real daemon new processes
  // (seconds since the target started); their growth is fitted after the last.
  std::vector<double> daemon_restarts_s;
};

RunData RunScenario(const Scenario& scenario, const RunOptions& options);

}  // namespace leakbench::harness
