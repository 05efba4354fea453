// The `leakbench judge` subcommand: its flags (Prometheus URL, selector, grouping, time range, step, bounds, credentials files, concurrency) and running it: fleet verdicts into --out, the summary on stdout, a run's exit codes.
// Call from the main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace leakbench::harness {

class ReportTool;

class JudgeCommand {
 public:
  // Adds `judge` and its flags to `app`.
  explicit JudgeCommand(CLI::App& app);

  bool chosen() const { return command_->parsed(); }

  // Exit code as for a run: 0 pass, 1 fail, 2 error (printed on stderr
  // with what to do), 3 inconclusive. `out_dir` "" writes nothing; with
  // `reports` (not --no-report) out_dir/index.html is rendered too (the
  // verdict stands when it cannot be).
  int Run(const std::string& out_dir, bool quiet, const std::atomic<bool>* interrupted, ReportTool* reports,
          const std::function<std::chrono::system_clock::time_point()>& now = std::chrono::system_clock::now);

 private:
  CLI::App* command_ = nullptr;
  std::string url_, selector_ = "{job=\"log-capturer\"}", by_ = "instance";
  std::string range_ = "6h", start_, end_, step_ = "15s", chunk_ = "1h", timeout_ = "60s";
  std::string bounds_file_, warmup_, min_window_ = "30m";
  std::size_t max_streams_ = 0, concurrency_ = 4, jobs_ = 0;
  int retries_ = 3;
  std::string bearer_file_, basic_file_;
  bool all_results_ = false;
};

// "2026-12-01T10:00:00Z" (fraction allowed, UTC only) or Unix seconds.
// Throws std::invalid_argument naming what is accepted.
double ParseInstant(const std::string& text);

}  // namespace leakbench::harness
