// One scenario run end to end: run it (N times with --repeat, pooled), judge it, write its result files, print its summary.
// Shared by `leakbench` (one scenario) and `leakbench gate` (many). Call
// from one thread per scenario; the HTML report (when `reports` is given)
// is rendered on the calling thread.
#pragma once

#include <cstddef>
#include <string>

#include "harness/run/report_tool.h"
#include "harness/run/run_scenario.h"
#include "harness/scenario/scenario.h"

namespace leakbench::harness {

// Runs `s` `repeat` times (each into OUT_DIR/run-K when repeating; stops
// early when options.interrupted is set) and pools the verdicts; writes
// result.json, junit.xml (`junit`, or OUT_DIR/junit.xml) and summary.md into
// `out_dir` when it is not "", and report.html when `reports` is not null.
// Unless `quiet`, says what runs on stderr and prints the summary on stdout.
// Returns leakbench's exit code (0 pass, 1 fail, 2 error, 3 inconclusive).
int RunOne(const Scenario& s, const RunOptions& options, const std::string& out_dir, const std::string& junit,
           bool quiet, ReportTool* reports, std::size_t repeat);

}  // namespace leakbench::harness
