// Writes a run's results into --out DIR: result.json (versioned schema,
// documented in harness/README.md: verdict, criteria with bound, measured
// value, unit and pass, the summary figures and the sample series),
// junit.xml (one testcase per criterion) and summary.md (summary_markdown.h,
// fit for a CI job summary). Throws std::runtime_error naming the file when
// it cannot write.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/judge.h"
#include "harness/run/run_scenario.h"
#include "harness/run/summary_markdown.h"

namespace leakbench::harness {

// 2: criteria carry `status` (pass, fail, inconclusive, off), the verdict
// can be inconclusive, `exit_code`, figures.delivery, samples for the
// scrape window and goroutines. 1: judged/pass only.
inline constexpr int kResultSchemaVersion = 2;

nlohmann::json ResultJson(const RunData& run, const Verdict& verdict);
std::string JunitXml(const nlohmann::json& result);
// One result's <testsuite> element (one testcase per criterion), and a
// JUnit document of several (a fleet: one suite per instance).
std::string JunitTestsuite(const nlohmann::json& result);
std::string JunitDocument(const std::vector<std::string>& testsuites);

// Writes the three files; returns their paths joined with ", ".
std::string WriteResultFiles(const std::string& dir, const nlohmann::json& result, const std::string& junit_path = "");

}  // namespace leakbench::harness
