// A fleet verdict as files: each instance's result.json (the run's schema, with source: prometheus, its labels and segments), fleet.json (instances judged, the failing ones worst first with figure and fitted slope), and one JUnit document (a testsuite per instance, a testcase per criterion).
// Pure but for WriteFleetFiles; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/fleet/fleet_judge.h"
#include "harness/fleet/prom_client.h"

namespace leakbench::harness {

// Where the history came from, as result.json and fleet.json show it.
struct FleetSource {
  std::string url;
  std::string selector;
  std::vector<std::string> by;
  TimeRange range;
  double min_window_s = 0;
};

// The run's result.json of one instance (ResultJson), plus `source`,
// `prometheus`, `instance`, `restarts` and `segments`.
nlohmann::json InstanceResultJson(const InstanceVerdict& iv, const FleetSource& source);

// fleet.json: verdict and exit code (as a run's), counts, restarts, the
// failing instances worst first and the inconclusive ones with why.
// `written[i]` is instances[i]'s result directory
// under --out ("" when not written).
nlohmann::json FleetJson(const std::vector<InstanceVerdict>& instances, const std::vector<std::string>& written,
                         const FleetSource& source);

// One testsuite per instance, one testcase per criterion.
std::string FleetJunit(const std::vector<nlohmann::json>& results);

// A directory name for an instance key: [A-Za-z0-9._-] kept, the rest '_'.
std::string InstanceDirName(const std::string& key);

// Exit code as a run's: 0 pass, 1 fail, 3 inconclusive.
int FleetExitCode(const std::string& verdict);

}  // namespace leakbench::harness
