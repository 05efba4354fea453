// `leakbench judge --prometheus URL` end to end, without the flags: the fleet's history fetched (one range query per metric), grouped into instances, each judged on a pool of threads, and the files written into --out.
// Thread-safe; curl_global_init must have run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/fleet/fleet_judge.h"
#include "harness/fleet/fleet_result.h"
#include "harness/fleet/prom_client.h"

namespace leakbench::harness {

struct FleetOptions {
  PromClientOptions client;
  std::string selector = "{job=\"log-capturer\"}";
  std::vector<std::string> by = {"instance"};
  TimeRange range;
  FleetBounds bounds;
  std::size_t judge_threads = 0;  // 0: one per core
  bool all_results = false;       // write every instance's result files, not only those that did not pass
};

struct FleetOutcome {
  std::vector<InstanceVerdict> instances;  // in key order
  std::vector<nlohmann::json> results;     // instances[i]'s result.json, without samples and rotations (written out already)
  std::vector<std::string> written;        // instances[i]'s directory under out_dir ("" when not written)
  nlohmann::json fleet;                    // fleet.json
  PromQueryStats query_stats;
  double query_seconds = 0, judge_seconds = 0;
};

// Fetches and judges. With `out_dir`, each instance that did not pass
// (every instance with all_results) has its result files written into
// out_dir/instances/<instance>/ (result.json, junit.xml, summary.md) as soon
// as it is judged, so memory holds one instance's samples per judging
// thread, not the fleet's. Throws PromQueryError (Prometheus),
// FleetQueryError (selector, --by), std::runtime_error naming a file it cannot write.
FleetOutcome JudgeFleet(const FleetOptions& options, const std::string& out_dir = "");

// DIR/fleet.json, DIR/junit.xml and DIR/summary.md. Returns the paths
// written, for the user. Throws std::runtime_error naming a file it cannot write.
std::string WriteFleetFiles(const std::string& dir, const FleetOutcome& outcome);

}  // namespace leakbench::harness
