#include "harness/run/report_tool.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>
#include <utility>

extern char** environ;

namespace leakbench::harness {
namespace {

constexpr const char* kInstall =
    "install Debian's packages: apt-get install python3-matplotlib python3-numpy (or run ci/setup)";

// Spawns argv with leakbench's stdio; waits up to `timeout`. -1: could not
// start; -2: killed after the timeout; else the exit code (128+N for signal N).
int SpawnAndWait(const std::vector<std::string>& args, std::chrono::seconds timeout, bool quiet_output) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (quiet_output) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return -2;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

ReportTool::ReportTool(std::string script, std::string python)
    : script_(std::move(script)), python_(std::move(python)) {}

const std::string& ReportTool::Unavailable() {
  if (checked_) return unavailable_;
  checked_ = true;
  if (access(script_.c_str(), R_OK) != 0) {
    unavailable_ = "the report tool is not at " + script_ + " (pass --reports-dir DIR, the reports/ folder of a leakbench checkout)";
  } else if (access(python_.c_str(), X_OK) != 0) {
    unavailable_ = python_ + " is not installed: apt-get install python3 python3-matplotlib python3-numpy (or run ci/setup)";
  } else if (SpawnAndWait({python_, "-c", "import matplotlib, numpy"}, std::chrono::seconds(60), true) != 0) {
    unavailable_ = python_ + " cannot import matplotlib and numpy: " + std::string(kInstall);
  }
  return unavailable_;
}

int ReportTool::Run(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  if (!Unavailable().empty()) {
    std::fprintf(stderr, "leakbench: reports: %s\n", unavailable_.c_str());
    return 2;
  }
  std::vector<std::string> argv = {python_, script_};
  argv.insert(argv.end(), args.begin(), args.end());
  std::fflush(stdout);
  std::fflush(stderr);
  const int code = SpawnAndWait(argv, timeout, false);
  if (code == -1) {
    std::fprintf(stderr, "leakbench: reports: could not start %s: %s\n", python_.c_str(), std::strerror(errno));
    return 2;
  }
  if (code == -2) {
    std::fprintf(stderr, "leakbench: reports: %s took longer than %lld s and was stopped\n", script_.c_str(),
                 static_cast<long long>(timeout.count()));
    return 2;
  }
  return code;
}

namespace report_tool {

// Runs the tool's `args` to write `page`; says once why it cannot, and when it failed.
std::string Render(ReportTool& reports, const std::vector<std::string>& args, const std::string& page,
                   const char* what) {
  static bool told = false;
  if (!reports.Unavailable().empty()) {
    if (!std::exchange(told, true)) {
      std::fprintf(stderr, "leakbench: no HTML report: %s\n", reports.Unavailable().c_str());
    }
    return "";
  }
  if (reports.Run(args) != 0) {
    std::fprintf(stderr, "leakbench: the %s %s could not be rendered (see above); the verdict stands\n", what,
                 page.c_str());
    return "";
  }
  return page;
}

}  // namespace report_tool

std::string RenderHtmlReport(ReportTool& reports, const std::string& dir) {
  const std::string html = dir + "/report.html";
  return report_tool::Render(reports, {"html", dir + "/result.json", "-o", html}, html, "HTML report");
}

std::string RenderFleetReport(ReportTool& reports, const std::string& dir) {
  const std::string html = dir + "/index.html";
  return report_tool::Render(reports, {"fleet", dir, "-o", html}, html, "fleet report");
}

}  // namespace leakbench::harness
