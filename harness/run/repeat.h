// Pools the results of one scenario run N times (`--repeat N`, fresh fake
// and target each time) into one verdict: pass only if every run passed;
// a criterion that failed in some runs and not in others is erratic, with
// its per-run figures. Pure; thread-safe.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace leakbench::harness {

// `results`: each run's result.json (schema 2), at least one. Returns the
// pooled result: the worst run's result (the first that failed, else the
// first inconclusive or error, else the first) with the pooled verdict,
// expectation and exit_code, and a `repeat` object:
// {runs, passed, failed, inconclusive, errors, erratic: [ids],
//  per_run: [{verdict, exit_code, criteria: {id: {status, measured}}}]}.
nlohmann::json PoolResults(const std::vector<nlohmann::json>& results);

}  // namespace leakbench::harness
