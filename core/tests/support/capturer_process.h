// Runs the log-capturer binary as a child process for tests: stdout and
// stderr go to files in a private directory, the child gets its own process
// group and dies with the test (PR_SET_PDEATHSIG). The destructor SIGKILLs
// and reaps it if it is still running. One instance per test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fakes/tests/support/fake_process.h"

namespace logcap::testing {

class CapturerProcess {
 public:
  // Starts `binary` with `args`; throws std::runtime_error if it cannot.
  CapturerProcess(const std::string& binary, const std::vector<std::string>& args);
  ~CapturerProcess();
  CapturerProcess(const CapturerProcess&) = delete;
  CapturerProcess& operator=(const CapturerProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_.path(); }
  std::string stdout_text() const;
  std::string stderr_text() const;

  // Sends `sig` and waits up to `limit` for the exit; SIGKILL after that.
  // Returns the status and how long the exit took.
  leakbench::testing::ExitStatus Signal(int sig, std::chrono::milliseconds limit,
                                        std::chrono::milliseconds* took = nullptr);
  // Waits for an exit on its own.
  std::optional<leakbench::testing::ExitStatus> WaitExit(std::chrono::milliseconds limit);

  // /proc figures of the child.
  std::size_t Threads() const;
  std::size_t OpenFds() const;
  std::size_t RssKiB() const;

 private:
  leakbench::testing::TempDir dir_{"lbcap"};
  pid_t pid_ = -1;
  std::optional<leakbench::testing::ExitStatus> status_;
};

// GET http://127.0.0.1:port/path with a plain socket; the body, or "" on failure.
std::string HttpGetLocal(int port, const std::string& path);

}  // namespace logcap::testing
