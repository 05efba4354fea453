// The one Markdown summary writer (summary.md, the gate's summary.md, `leakbench summary`, ci/summary): verdicts, failing criteria with their figures, never more than a byte budget.
// One result: its verdict line, scenario, key figures (growth slopes with
// their 95% CI, lost+duplicated lines, peak streams against the cap, the
// oldest stream against its bound), failed and inconclusive criteria with
// measured value and bound, then every criterion in a table. Several (a
// gate): an overview table, one row per result, what went wrong first, then
// each result's details. Reads result.json of schema 1 and 2. Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakbench::harness {

// $GITHUB_STEP_SUMMARY's limit per step.
inline constexpr std::size_t kSummaryMaxBytes = 1024 * 1024;

struct SummaryText {
  std::string markdown;       // at most max_bytes of UTF-8, whole characters
  std::size_t left_out = 0;   // results left out of the overview entirely
};

// Details are dropped (the last first) before table rows are: every result
// keeps its row while the rows fit, and a note says what was left out.
SummaryText RenderSummary(const std::vector<nlohmann::json>& results, std::size_t max_bytes = kSummaryMaxBytes);

// One result's summary.md.
std::string SummaryMarkdown(const nlohmann::json& result);

}  // namespace leakbench::harness
