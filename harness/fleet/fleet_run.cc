#include "harness/fleet/fleet_run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>

#include "harness/fleet/fleet_queries.h"
#include "harness/fleet/fleet_summary_markdown.h"
#include "harness/run/result_files.h"

namespace leakbench::harness {
namespace fleet_run {

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

FleetSource Source(const FleetOptions& o) {
  return {o.client.url, o.selector, o.by, o.range, o.bounds.min_window_s};
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path + " (check that the --out directory is writable)");
  out << content;
  if (!out) throw std::runtime_error("writing " + path + " failed (disk full?)");
}

}  // namespace fleet_run

FleetOutcome JudgeFleet(const FleetOptions& options) {
  FleetOutcome out;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<InstanceData> data = GroupInstances(
      RunRangeQueries(options.client, FleetQueries(options.selector, options.by), options.range, &out.query_stats),
      options.by);
  out.query_seconds = fleet_run::SecondsSince(t0);
  const auto t1 = std::chrono::steady_clock::now();
  out.instances.resize(data.size());
  out.results.resize(data.size());
  const FleetSource source = fleet_run::Source(options);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= data.size()) return;
      InstanceVerdict iv = JudgeInstance(data[i], options.bounds, options.range.start, options.range.end,
                                         /*keep_history=*/true);
      data[i] = InstanceData{};  // its history is in iv now; memory stays one copy per instance
      if (!options.all_results && iv.verdict.verdict == "pass") iv.history.samples = {};
      out.results[i] = InstanceResultJson(iv, source);
      iv.history.samples = {};  // result.json holds them now
      out.instances[i] = std::move(iv);
    }
  };
  {
    const std::size_t threads =
        std::max<std::size_t>(1, options.judge_threads > 0 ? options.judge_threads : std::thread::hardware_concurrency());
    std::vector<std::jthread> pool;
    for (std::size_t k = 0; k < std::min(threads, std::max<std::size_t>(data.size(), 1)); ++k) pool.emplace_back(worker);
  }
  out.judge_seconds = fleet_run::SecondsSince(t1);
  out.fleet = FleetJson(out.instances, std::vector<std::string>(out.instances.size()), source);
  out.fleet["timing"] = {{"query_seconds", out.query_seconds},
                         {"judge_seconds", out.judge_seconds},
                         {"requests", out.query_stats.requests},
                         {"retries", out.query_stats.retries},
                         {"chunks_per_query", out.query_stats.chunks},
                         {"bytes", out.query_stats.bytes}};
  return out;
}

std::string WriteFleetFiles(const std::string& dir, FleetOutcome& outcome, const FleetOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create --out directory " + dir + ": " + ec.message());
  std::vector<std::string> written(outcome.instances.size());
  std::set<std::string> used;
  for (std::size_t i = 0; i < outcome.instances.size(); ++i) {
    if (!options.all_results && outcome.instances[i].verdict.verdict == "pass") continue;
    std::string name = InstanceDirName(outcome.instances[i].key);
    if (!used.insert(name).second) {
      name += "-" + std::to_string(i);
      used.insert(name);
    }
    written[i] = "instances/" + name;
    WriteResultFiles(dir + "/" + written[i], outcome.results[i]);
  }
  const nlohmann::json timing = outcome.fleet["timing"];
  outcome.fleet = FleetJson(outcome.instances, written, fleet_run::Source(options));
  outcome.fleet["timing"] = timing;
  fleet_run::WriteFile(dir + "/fleet.json", outcome.fleet.dump(1) + "\n");
  fleet_run::WriteFile(dir + "/junit.xml", FleetJunit(outcome.results));
  fleet_run::WriteFile(dir + "/summary.md", FleetSummaryMarkdown(outcome.fleet));
  std::size_t n = 0;
  for (const auto& w : written) n += !w.empty();
  return dir + "/fleet.json, " + dir + "/junit.xml, " + dir + "/summary.md, " + std::to_string(n) + " instance" +
         (n == 1 ? "" : "s") + " under " + dir + "/instances/";
}

}  // namespace leakbench::harness
