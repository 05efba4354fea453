#include "harness/fleet/testing/run_command.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace leakbench::harness::testing {
std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::optional<std::string> OnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& dir, std::chrono::seconds limit) {
  static std::atomic<unsigned> counter{0};
  const std::string base = dir + "/cmd" + std::to_string(counter++);
  ChildProcess child(argv, base + ".out", base + ".err");
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::optional<ChildExit> exit;
  while (!(exit = child.Poll())) {
    if (std::chrono::steady_clock::now() > deadline) {
      child.Stop(SIGKILL, std::chrono::milliseconds(0));
      throw std::runtime_error(argv[0] + " took more than " + std::to_string(limit.count()) +
                               " s: " + ReadFile(base + ".err").substr(0, 2000));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // waiting for a child to end, under a deadline
  }
  return {*exit, ReadFile(base + ".out"), ReadFile(base + ".err")};
}

}  // namespace leakbench::harness::testing
