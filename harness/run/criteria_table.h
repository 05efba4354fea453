// The acceptance criteria as one table: per criterion its id, the scenario bound that switches it, how it is measured and judged.
// Judge (judge.h) walks the rows in order and decides once, for all, what
// they share: off in the scenario, not applicable to the target, a cut
// stream history; only then does a row measure. Pure; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/run/judge_series.h"
#include "harness/run/run_scenario.h"

namespace leakbench::harness {

// What a row's measurement reads.
struct JudgeInputs {
  const RunData& run;
  const JudgeSeries& series;
};

// A row's measurement: why it could not be judged, or what was measured
// against which bound and whether that passes.
struct Measurement {
  std::optional<std::string> inconclusive;  // set: not judged, and why
  std::optional<std::string> off;           // set: does not apply to what the run saw (e.g. not exported), and why
  double measured = 0;
  double bound = 0;
  bool pass = false;
  std::string detail;
  std::string unit;  // not "": replaces the row's unit
};

// How a criterion that is off in the scenario says so.
inline constexpr std::string_view kOffNoBound = "off in the scenario (no bound)";
inline constexpr std::string_view kOffInScenario = "off in the scenario";

// One row; written with designated initializers, so every member has a default.
struct CriterionRow {
  std::string id{};
  std::string description{};
  std::string unit{};
  bool on = true;                            // its bound or switch in the scenario's criteria is set
  std::string_view off_detail = kOffNoBound;
  bool needs_stream_history = false;         // inconclusive when the fake dropped closed stream records
  bool not_applicable_first = false;         // "does not apply to the target" wins over "off in the scenario"
  std::string description_not_applicable{};  // "": the description
  std::function<Measurement(const JudgeInputs&)> measure{};
};

// Every criterion of kCriterionIds, in that order, bound by `criteria`
// (which must outlive the rows).
std::vector<CriterionRow> CriteriaTable(const CriteriaSpec& criteria);

}  // namespace leakbench::harness
