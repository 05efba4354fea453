// Test support for running real binaries as child processes: FakeProcess
// starts the fake-dockerd executable in a private temporary directory with
// its own sockets and owns it until destruction (SIGTERM, bounded wait,
// SIGKILL, reap, directory removed); RunCommand runs any command with a
// deadline and captures what it printed. Children get their own process
// group and die with the test (PR_SET_PDEATHSIG), so a crashed test leaves no
// daemon behind.
//
// Thread-safety: one FakeProcess is used from one thread at a time;
// RunCommand, FindExecutable and TempDir are safe to call concurrently.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakbench::testing {

// How a child process ended.
struct ExitStatus {
  int code = -1;   // its exit code when it exited, else -1
  int signal = 0;  // the signal that ended it, else 0

  bool exited() const { return code >= 0; }
  std::string ToString() const;  // "exit 0", "signal 9 (Killed)"
};

struct CommandResult {
  ExitStatus status;
  std::string out;
  std::string err;
  bool timed_out = false;  // still running at the deadline, so its group got SIGKILL
  std::chrono::milliseconds elapsed{0};
};

// Runs argv (argv[0] a path or a name looked up in PATH) with stdin from
// /dev/null, stdout and stderr captured, in its own process group. At the
// deadline the whole group gets SIGKILL and what was printed so far is kept.
// `env` entries "KEY=VALUE" replace or add variables; "KEY" alone removes one.
CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::vector<std::string>& env = {});

// The first executable named `name` in PATH, else the first executable of
// `fallbacks`; nullopt if none.
std::optional<std::string> FindExecutable(const std::string& name, const std::vector<std::string>& fallbacks = {});

// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "lbtest");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path; throws on failure.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

struct FakeProcessOptions {
  std::vector<std::string> flags;  // extra flags, after --socket/--control-socket
  std::string socket;              // default: <dir>/docker.sock
  std::string control_socket;      // default: <dir>/control.sock
  bool socket_flags = true;        // pass --socket and --control-socket at all
  std::chrono::milliseconds ready_timeout{15000};
};

class FakeProcess {
 public:
  // Starts `binary` and waits until it prints its ready line, exits, or
  // ready_timeout passes. Never throws for what the child does: check ready()
  // (and failure() for why not). Throws std::runtime_error only when it
  // cannot spawn at all.
  FakeProcess(std::string binary, FakeProcessOptions options);
  FakeProcess(std::string binary, std::vector<std::string> flags);
  ~FakeProcess();
  FakeProcess(const FakeProcess&) = delete;
  FakeProcess& operator=(const FakeProcess&) = delete;

  bool ready() const { return ready_; }
  const std::string& ready_line() const { return ready_line_; }
  // Why it is not ready (exit status or timeout, plus its stderr); "" if ready.
  std::string failure() const;

  const std::string& socket() const { return socket_; }
  const std::string& control_socket() const { return control_socket_; }
  const std::string& dir() const { return dir_; }
  // The child's pid while it has not been reaped, else -1.
  pid_t pid() const { return pid_; }
  // Its exit status once reaped.
  const std::optional<ExitStatus>& exit_status() const { return exit_status_; }

  // Sends `sig`, waits up to `grace` for the child to exit, then SIGKILLs it,
  // and reaps it. Returns how it ended (the stored status if already reaped).
  ExitStatus Terminate(int sig, std::chrono::milliseconds grace);
  ExitStatus Terminate();  // SIGTERM, 5 s grace
  // Waits up to `timeout` for the child to exit on its own and reaps it.
  std::optional<ExitStatus> WaitExit(std::chrono::milliseconds timeout);

  // Everything the child wrote to stderr so far.
  std::string stderr_text() const;

  // A control API call; returns the parsed body (discarded on bad JSON) and sets *status.
  nlohmann::json Control(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr,
                         int* status = nullptr) const;
  // POST /actions; throws std::runtime_error unless it answers 200.
  nlohmann::json Act(const nlohmann::json& action) const;

 private:
  void WaitReady(int stdout_fd, std::chrono::milliseconds timeout);
  bool Reap(bool block_until_exit);

  std::string binary_;
  std::string dir_;
  std::string socket_;
  std::string control_socket_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  bool ready_ = false;
  bool timed_out_ = false;
  std::string ready_line_;
  std::string stdout_text_;
  std::optional<ExitStatus> exit_status_;
};

}  // namespace leakbench::testing
