// follow-load's final report: the human summary and the JSON line on stdout, and whether the run passed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/proc/proc_sample.h"
#include "fakes/bench/load_types.h"

namespace followload {

// One sample of the fake's process and when it was taken.
struct FakeSample {
  Clock::time_point at;
  leakbench::ProcSample proc;  // not ok when the fake's pid is unknown or it is gone
};

// The state at one edge of the hold window.
struct HoldEdge {
  Clock::time_point at;
  Totals totals;
  double self_cpu = 0;      // this process's CPU seconds so far
  uint64_t self_delay = 0;  // this process's run-queue wait so far, ns
  std::string loadavg;
  FakeSample fake;
};

// What one run measured, filled in by the run as it goes.
struct RunRecord {
  int fake_pid = 0;
  uint64_t clk_tck = 100;
  uint64_t nofile_limit = 0;
  size_t connect_retries = 0;
  size_t failed = 0;  // streams that failed
  size_t ended = 0;   // streams the fake ended
  std::map<std::string, std::pair<size_t, std::string>> failures;  // category -> count, first detail
  bool interrupted = false;
  size_t ramp_open = 0;
  double ramp_seconds = 0;
  bool ramp_timed_out = false;
  size_t open_at_end = 0;

  FakeSample proc_ramp_start;  // the fake's, when the ramp began
  HoldEdge hold_start, hold_end;
  size_t threads_max = 0;
  uint64_t rss_peak_kib = 0;
  size_t fds_peak = 0;
  double cpu_peak_pct = 0;
  std::optional<uint64_t> truth_follow_open_end;
  std::optional<uint64_t> truth_connections_open_end;
};

// A stream still receiving at the end: its container and the last seq it got.
struct OpenStream {
  const Target* target = nullptr;
  uint64_t last_seq = 0;
};

// Prints the summary and, as the last stdout line, one JSON object. `whole_run`
// are the totals over the whole run. Returns whether the run passed: every
// requested stream open at the end and no gap, duplicate, foreign or
// unparsable line and no protocol error.
bool PrintReport(const Config& cfg, const RunRecord& rec, const Totals& whole_run,
                 const std::vector<Target>& targets, const std::vector<OpenStream>& open_streams);

}  // namespace followload
