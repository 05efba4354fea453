// `leakbench gate`: runs every scenario tagged `gate`, a few at a time, and checks that each got the verdict it expects.
// A scenario must pass, or, with `expect_fail`, fail on that criterion (and
// only where it expects); an inconclusive run is a wrong verdict. Call from
// the main thread.
#pragma once

#include <cstddef>
#include <string>

#include "harness/run/report_tool.h"
#include "harness/run/run_scenario.h"

namespace leakbench::harness {

struct GateOptions {
  std::string scenarios_dir;       // where the scenarios tagged `gate` are
  std::string out_dir;             // "": no result files; else OUT_DIR/NAME per scenario and OUT_DIR/summary.md
  std::size_t jobs = 2;            // scenarios run at once
  std::size_t repeat = 1;          // runs of each scenario, pooled (--repeat)
  ReportTool* reports = nullptr;   // null: no HTML reports
};

// Runs the gate set and says on stderr how each scenario came out. Returns
// leakbench's exit code: 0 every verdict right, 1 a wrong one, 2 a run could
// not be done or the gate was interrupted (options.interrupted). Throws
// std::runtime_error when no scenario is tagged `gate`.
int RunGate(const GateOptions& gate, const RunOptions& options);

}  // namespace leakbench::harness
