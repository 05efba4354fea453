#include "harness/run/repeat.h"

#include <map>
#include <set>
#include <stdexcept>
#include <string>

namespace leakbench::harness {
namespace {
using json = nlohmann::json;
}  // namespace

json PoolResults(const std::vector<json>& results) {
  if (results.empty()) throw std::invalid_argument("PoolResults: no result to pool");
  std::size_t passed = 0, failed = 0, inconclusive = 0, errors = 0, met = 0;
  std::size_t worst = 0;
  int worst_rank = -1;
  json per_run = json::array();
  std::map<std::string, std::set<std::string>> statuses;  // criterion -> statuses seen
  for (std::size_t i = 0; i < results.size(); ++i) {
    const json& r = results[i];
    const std::string verdict = r.at("verdict").get<std::string>();
    passed += verdict == "pass";
    failed += verdict == "fail";
    inconclusive += verdict == "inconclusive";
    errors += verdict == "error";
    if (r.contains("expectation") && r["expectation"].value("met", false)) ++met;
    const int exit_code = r.value("exit_code", 2);
    // The run to show: a wrong verdict first (exit 1), then 3, then 2, then the first.
    const int rank = exit_code == 1 ? 3 : exit_code == 3 ? 2 : exit_code == 2 ? 1 : 0;
    if (rank > worst_rank) {
      worst_rank = rank;
      worst = i;
    }
    json criteria = json::object();
    for (const json& c : r.at("criteria")) {
      const std::string id = c.at("id").get<std::string>();
      const std::string status = c.at("status").get<std::string>();
      criteria[id] = {{"status", status}, {"measured", c.value("measured", 0.0)}};
      statuses[id].insert(status);
    }
    per_run.push_back({{"verdict", verdict}, {"exit_code", exit_code}, {"criteria", criteria}});
  }
  json erratic = json::array();
  for (const auto& [id, seen] : statuses) {
    if (seen.contains("fail") && seen.size() > 1) erratic.push_back(id);
  }
  json pooled = results[worst];
  const bool negative = pooled.contains("expectation");
  std::string verdict = failed > 0 ? "fail" : errors > 0 ? "error" : inconclusive > 0 ? "inconclusive" : "pass";
  pooled["verdict"] = verdict;
  int exit_code = verdict == "pass" ? 0 : verdict == "fail" ? 1 : verdict == "error" ? 2 : 3;
  if (negative) {
    const bool all_met = met == results.size();
    pooled["expectation"]["met"] = all_met;
    exit_code = all_met ? 0 : errors > 0 ? 2 : (inconclusive > 0 && met + inconclusive == results.size()) ? 3 : 1;
  }
  pooled["exit_code"] = exit_code;
  pooled["repeat"] = {{"runs", results.size()},       {"passed", passed},    {"failed", failed},
                      {"inconclusive", inconclusive}, {"errors", errors},    {"erratic", erratic},
                      {"shown_run", worst + 1},       {"per_run", per_run}};
  return pooled;
}

}  // namespace leakbench::harness
