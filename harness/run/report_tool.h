// Finds and runs reports/leakbench-report (Debian's /usr/bin/python3 with
// python3-matplotlib) so leakbench can render HTML reports, CI summaries and
// comparisons itself, and says how to get the tool when it is missing.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace leakbench::harness {

class ReportTool {
 public:
  // `script`: the leakbench-report script; `python`: the interpreter to run it.
  ReportTool(std::string script, std::string python = "/usr/bin/python3");

  // Empty when the tool can run; otherwise what is missing and how to get it
  // (checked once: the script is there, the interpreter is, and it imports
  // matplotlib and numpy).
  const std::string& Unavailable();

  // Runs `leakbench-report ARGS...` with leakbench's stdout and stderr,
  // killing it after `timeout`. Returns its exit code (2 if it could not be
  // run or was killed, with a line on stderr saying why).
  int Run(const std::vector<std::string>& args, std::chrono::seconds timeout = std::chrono::seconds(300));

  const std::string& script() const { return script_; }

 private:
  std::string script_;
  std::string python_;
  bool checked_ = false;
  std::string unavailable_;
};

// Renders DIR/report.html from DIR/result.json when the report tool can run;
// says once (per process) why not when it cannot. Returns the report's path
// or "". Main thread only.
std::string RenderHtmlReport(ReportTool& reports, const std::string& dir);

// Renders DIR/index.html (and the reports of its worst instances) from the
// fleet verdict in DIR (`leakbench judge --out DIR`), like RenderHtmlReport.
std::string RenderFleetReport(ReportTool& reports, const std::string& dir);

}  // namespace leakbench::harness
