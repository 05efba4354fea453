#include "harness/fleet/fleet_run.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "harness/fleet/counter_criteria.h"
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

// Unique directory names under instances/ for the instance keys.
std::vector<std::string> DirNames(const std::vector<InstanceData>& data) {
  std::vector<std::string> names;
  std::set<std::string> used;
  for (std::size_t i = 0; i < data.size(); ++i) {
    std::string name = InstanceDirName(data[i].key);
    if (!used.insert(name).second) {
      name += "-" + std::to_string(i);
      used.insert(name);
    }
    names.push_back("instances/" + name);
  }
  return names;
}

// Runs the queries that have an expression; the others answer nothing.
std::vector<std::vector<RangeSeries>> RunQueries(const FleetOptions& options, PromQueryStats* stats) {
  const std::vector<RangeQuery> all = FleetQueries(options.selector, options.by, StreamAgeBucket(options.bounds));
  std::vector<RangeQuery> sent;
  for (const auto& q : all) {
    if (!q.expr.empty()) sent.push_back(q);
  }
  std::vector<std::vector<RangeSeries>> answers = RunRangeQueries(options.client, sent, options.range, stats);
  std::vector<std::vector<RangeSeries>> out(all.size());
  for (std::size_t i = 0, j = 0; i < all.size(); ++i) {
    if (!all[i].expr.empty()) out[i] = std::move(answers[j++]);
  }
  return out;
}

}  // namespace fleet_run

FleetOutcome JudgeFleet(const FleetOptions& options, const std::string& out_dir) {
  FleetOutcome out;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<InstanceData> data = GroupInstances(fleet_run::RunQueries(options, &out.query_stats), options.by);
  out.query_seconds = fleet_run::SecondsSince(t0);
  ::malloc_trim(0);  // the answers' JSON and chunks are gone: give their pages back before judging
  const auto t1 = std::chrono::steady_clock::now();
  out.instances.resize(data.size());
  out.results.resize(data.size());
  out.written.resize(data.size());
  const std::vector<std::string> names = fleet_run::DirNames(data);
  const FleetSource source = fleet_run::Source(options);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::string write_error;
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= data.size() || failed.load()) return;
      InstanceVerdict iv = JudgeInstance(data[i], options.bounds, options.range.start, options.range.end,
                                         /*keep_history=*/!out_dir.empty());
      data[i] = InstanceData{};  // judged: its history is not needed again
      const bool write = !out_dir.empty() && (options.all_results || iv.verdict.verdict != "pass");
      // `samples = {}` would keep the capacity (initializer-list assignment):
      // 0.8 MiB an instance, for the whole run.
      if (!write) std::vector<Sample>().swap(iv.history.samples);
      nlohmann::json result = InstanceResultJson(iv, source);
      std::vector<Sample>().swap(iv.history.samples);
      if (write) {
        try {
          WriteResultFiles(out_dir + "/" + names[i], result);
          out.written[i] = names[i];
        } catch (const std::exception& e) {
          std::lock_guard lock(mu);
          if (write_error.empty()) write_error = e.what();
          failed.store(true);
        }
      }
      result.erase("samples");
      result.erase("rotations");
      out.results[i] = std::move(result);
      out.instances[i] = std::move(iv);
    }
  };
  {
    const std::size_t threads =
        std::max<std::size_t>(1, options.judge_threads > 0 ? options.judge_threads : std::thread::hardware_concurrency());
    std::vector<std::jthread> pool;
    for (std::size_t k = 0; k < std::min(threads, std::max<std::size_t>(data.size(), 1)); ++k) pool.emplace_back(worker);
  }
  if (!write_error.empty()) throw std::runtime_error(write_error);
  out.judge_seconds = fleet_run::SecondsSince(t1);
  out.fleet = FleetJson(out.instances, out.written, source);
  out.fleet["timing"] = {{"query_seconds", out.query_seconds},
                         {"judge_seconds", out.judge_seconds},
                         {"requests", out.query_stats.requests},
                         {"retries", out.query_stats.retries},
                         {"chunks_per_query", out.query_stats.chunks},
                         {"bytes", out.query_stats.bytes}};
  return out;
}

std::string WriteFleetFiles(const std::string& dir, const FleetOutcome& outcome) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create --out directory " + dir + ": " + ec.message());
  fleet_run::WriteFile(dir + "/fleet.json", outcome.fleet.dump(1) + "\n");
  fleet_run::WriteFile(dir + "/junit.xml", FleetJunit(outcome.results));
  fleet_run::WriteFile(dir + "/summary.md", FleetSummaryMarkdown(outcome.fleet));
  std::size_t n = 0;
  for (const auto& w : outcome.written) n += !w.empty();
  return dir + "/fleet.json, " + dir + "/junit.xml, " + dir + "/summary.md, " + std::to_string(n) + " instance" +
         (n == 1 ? "" : "s") + " under " + dir + "/instances/";
}

}  // namespace leakbench::harness
