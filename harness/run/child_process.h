// A child process leakbench owns: started with fork/exec in its own process
// group, stdout/stderr to files, stdin from /dev/null, optional extra
// environment; it dies with leakbench (PR_SET_PDEATHSIG), and the whole
// group is killed and reaped by Stop() or the destructor. Used from one
// thread (leakbench's main thread, which must be the one that starts it:
// PDEATHSIG fires when the starting thread exits).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace leakbench::harness {

struct ChildExit {
  int code = -1;   // exit code, or -1 if killed by a signal
  int signal = 0;
  std::string ToString() const;
};

class ChildProcess {
 public:
  // argv[0] must be a path. The output files are truncated first unless
  // `append`; writes always append (both may be one file). Throws
  // std::runtime_error if it cannot start.
  ChildProcess(std::vector<std::string> argv, const std::string& stdout_path, const std::string& stderr_path,
               const std::vector<std::string>& extra_env = {}, bool append = false);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Reaps it if it exited; returns the exit once known.
  std::optional<ChildExit> Poll();
  // Sends `sig` to the child, waits up to `grace`, then SIGKILLs the whole
  // group and reaps. Returns the exit and how long it took.
  ChildExit Stop(int sig, std::chrono::milliseconds grace, std::chrono::milliseconds* took = nullptr);

 private:
  pid_t pid_ = -1;
  std::optional<ChildExit> exit_;
};

// Forked before any thread exists, the watchdog outlives leakbench: when
// leakbench dies (even by SIGKILL), the pipe to it closes and it kills every
// process group, every process carrying a watched run directory's marker
// (process_sweep.h) and in a watched cgroup, removes the run's containers
// from a daemon it does not own, unmounts what is mounted below
// the directories it was told about and removes them. Register()
// and Release() talk to it over that pipe.
class Watchdog {
 public:
  // Call first thing in main (no threads yet). Throws if fork fails.
  static void Start();
  static void WatchGroup(pid_t pgid);
  static void WatchDirectory(const std::string& path);
  // A cgroup subtree (a private dockerd's --cgroup-parent) whose processes
  // it kills, and whose cgroups it removes, before the directories.
  static void WatchCgroup(const std::string& name);
  // The containers labelled leakbench.run=`run` on the daemon at `socket`
  // (--docker-host: a daemon leakbench does not stop), which it removes
  // through the Docker API.
  static void WatchContainers(const std::string& socket, const std::string& run);
  // Normal exit: the caller cleaned up; the watchdog exits without acting.
  static void Disarm();
};

}  // namespace leakbench::harness
