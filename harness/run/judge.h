// Judges a run against its scenario's criteria (DESIGN.md's table, plus fds
// and memory): each criterion gets its bound, the measured value, its unit,
// pass/fail, and a sentence saying how it was measured. Growth is the
// Theil-Sen slope after the warm-up, per minute and per 1,000 rotations
// (which does not depend on the time scale); "no continuous upward trend"
// is the Mann-Kendall test together with a slope whose confidence interval
// excludes zero and a fitted rise of at least 1.5 units, so a single step
// (one thread started once) is not called a trend. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/run_scenario.h"

namespace leakbench::harness {

struct CriterionResult {
  std::string id;
  std::string description;
  bool judged = true;     // false: not applicable or no data (detail says why)
  bool pass = true;
  double bound = 0;
  double measured = 0;
  std::string unit;
  std::string detail;
};

struct Verdict {
  // "pass", "fail" or "error" (the run could not be done).
  std::string verdict;
  std::vector<CriterionResult> criteria;
  // Negative controls: the scenario expects a failure on this criterion.
  std::optional<std::string> expect_fail;
  bool expectation_met = true;  // for a negative control: it failed on expect_fail
  nlohmann::json figures;       // summary figures (slopes, peaks, loss, ...)
};

Verdict Judge(const RunData& run);

// leakbench's exit code: 0 pass (or a negative control that failed as
// expected), 1 fail (or a negative control that did not), 2 error.
int ExitCode(const Verdict& verdict);

}  // namespace leakbench::harness
