// Judges a run against its scenario's criteria (docs/design.md's table, plus fds
// and memory): each criterion gets its bound, the measured value, its unit,
// pass/fail, and a sentence saying how it was measured. The criteria are one
// table (criteria_table.h); every bound and threshold is the scenario's
// (CriteriaSpec). Growth is the Theil-Sen slope after the warm-up, per minute
// and per 1,000 rotations (which does not depend on the time scale); "no
// continuous upward trend" is the Mann-Kendall test together with a slope
// whose confidence interval excludes zero and a fitted rise of at least
// criteria.trend_min_rise (1.5) units, so a single step (one thread started
// once) is not called a trend. Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/run_scenario.h"

namespace leakbench::harness {

// A criterion's outcome. Nothing the judge could not judge is ever
// counted as passed: it is inconclusive, or off when the scenario switched
// it off (or it does not apply to the target), and the detail says why.
enum class Status { kPass, kFail, kInconclusive, kOff };
std::string_view StatusName(Status status);

struct CriterionResult {
  std::string id;
  std::string description;
  Status status = Status::kPass;
  bool judged() const { return status == Status::kPass || status == Status::kFail; }
  bool pass() const { return status == Status::kPass; }
  double bound = 0;
  double measured = 0;
  std::string unit;
  std::string detail;
};

struct Verdict {
  // "pass" (every criterion judged passed or off), "fail" (one failed),
  // "inconclusive" (none failed, one could not be judged) or "error" (the
  // run could not be done).
  std::string verdict;
  std::vector<CriterionResult> criteria;
  // Negative controls: the scenario expects a failure on this criterion.
  std::optional<std::string> expect_fail;
  bool expectation_met = true;  // for a negative control: it failed on expect_fail, and only where expected
  std::vector<std::string> unexpected_failures;  // a negative control's failures outside the expected ones
  nlohmann::json figures;       // summary figures (slopes, peaks, loss, ...)
};

Verdict Judge(const RunData& run);

// leakbench's exit code: 0 pass (or a negative control that failed as
// expected), 1 fail (or a negative control that did not), 2 error,
// 3 inconclusive (a negative control that could not be judged too).
int ExitCode(const Verdict& verdict);

// Growth bounded per minute and per 1,000 rotations fails only when the
// slope's 95% confidence interval lies wholly above the bound.
bool GrowthAboveBound(double ci_lower, std::optional<double> bound);

}  // namespace leakbench::harness
