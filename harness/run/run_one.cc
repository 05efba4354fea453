#include "harness/run/run_one.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/duration.h"
#include "harness/run/judge.h"
#include "harness/run/repeat.h"
#include "harness/run/result_files.h"

namespace leakbench::harness {
namespace {

// One run: judged, its result files written into `out_dir` (when given).
nlohmann::json RunAndJudge(const Scenario& s, const RunOptions& options, const std::string& out_dir,
                           const std::string& junit) {
  const RunData run = RunScenario(s, options);
  const Verdict verdict = Judge(run);
  nlohmann::json result = ResultJson(run, verdict);
  const bool goroutines_failed = std::any_of(verdict.criteria.begin(), verdict.criteria.end(), [](const auto& c) {
    return c.id.starts_with("goroutine") && c.status == Status::kFail;
  });
  if (!out_dir.empty() && goroutines_failed && !run.goroutine_dump.empty()) {
    std::filesystem::create_directories(out_dir);
    std::ofstream(out_dir + "/goroutines-debug2.txt", std::ios::binary) << run.goroutine_dump;
    result["goroutine_dump"] = "goroutines-debug2.txt";
  }
  if (!out_dir.empty()) result["written"] = WriteResultFiles(out_dir, result, junit);
  return result;
}

bool Interrupted(const RunOptions& options) { return options.interrupted != nullptr && options.interrupted->load(); }

}  // namespace

int RunOne(const Scenario& s, const RunOptions& options, const std::string& out_dir, const std::string& junit,
           bool quiet, ReportTool* reports, std::size_t repeat) {
  if (!quiet) {
    std::fprintf(stderr, "leakbench: %s: %zu containers, %s, rotation %s, max_streams %zu, %s (warm-up %s)%s\n",
                 s.name.c_str(), s.fake.containers,
                 s.target.kind == "command" ? ("command `" + s.target.command + "`").c_str() : "log-capturer",
                 FormatDuration(s.target.rotation_interval).c_str(), s.target.max_streams,
                 FormatDuration(s.duration).c_str(), FormatDuration(s.warmup).c_str(),
                 repeat > 1 ? (", " + std::to_string(repeat) + " times").c_str() : "");
  }
  nlohmann::json result;
  if (repeat <= 1) {
    result = RunAndJudge(s, options, out_dir, junit);
  } else {
    std::vector<nlohmann::json> runs;
    for (std::size_t k = 1; k <= repeat && !Interrupted(options); ++k) {
      const std::string dir = out_dir.empty() ? "" : out_dir + "/run-" + std::to_string(k);
      runs.push_back(RunAndJudge(s, options, dir, ""));
      if (!quiet) {
        std::fprintf(stderr, "leakbench: %s run %zu/%zu: %s\n", s.name.c_str(), k, repeat,
                     runs.back()["verdict"].get<std::string>().c_str());
      }
    }
    result = PoolResults(runs);
    result.erase("written");
    if (!out_dir.empty()) result["written"] = WriteResultFiles(out_dir, result, junit);
  }
  std::string html;
  if (!out_dir.empty() && reports != nullptr) html = RenderHtmlReport(*reports, out_dir);
  if (!quiet) {
    nlohmann::json shown = result;
    shown.erase("written");
    std::fputs(SummaryMarkdown(shown).c_str(), stdout);
    if (result.contains("written")) {
      std::fprintf(stdout, "\nwritten: %s%s\n", result["written"].get<std::string>().c_str(),
                   html.empty() ? "" : (", " + html).c_str());
    }
  }
  return result["exit_code"].get<int>();
}

}  // namespace leakbench::harness
