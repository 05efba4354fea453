// The dockerd leakbench starts for one real-daemon run and always removes
// (docs/docker-semantics.md, section 11): vfs, no bridge, no iptables, its
// data and exec roots, pidfile, socket and containerd namespace in a
// directory of the run, its containers under a private cgroup parent. The
// destructor stops it (SIGTERM, bounded, then SIGKILL), kills what is left
// in its cgroups and unmounts what it left; if leakbench is killed the
// watchdog does the same (child_process.h). Main thread only.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/run/child_process.h"

namespace leakbench::harness {

// No daemon can be started here: what() says why and what to do.
// How result.json's run.failure starts when that was why (ci/test skips on it).
inline constexpr const char* kNoDaemon = "no Docker daemon could be started: ";

class DaemonUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PrivateDockerd {
 public:
  // `dir` must be short (the socket path lives in it); `env` is added to
  // dockerd's environment (the run marker). Throws DaemonUnavailable.
  PrivateDockerd(const std::string& dir, const std::vector<std::string>& env);
  ~PrivateDockerd();
  PrivateDockerd(const PrivateDockerd&) = delete;
  PrivateDockerd& operator=(const PrivateDockerd&) = delete;

  std::string host() const { return "unix://" + socket_; }
  const std::string& socket_path() const { return socket_; }
  pid_t pid() const { return daemon_ ? daemon_->pid() : -1; }
  std::chrono::milliseconds start_took() const { return start_took_; }
  // The cgroup its containers live under ("/leakbench-<run>"): container
  // <id>'s processes are in <this>/<id> (cgroupfs driver).
  const std::string& cgroup_parent() const { return cgroup_parent_; }
  // Stops it now (what the destructor does); idempotent.
  void Stop();
  // Stops it as Stop() does (SIGTERM: dockerd stops its containers first),
  // waits `down`, and starts it again on the same data root, socket and
  // cgroup parent: the containers come back stopped. Throws
  // std::runtime_error when it does not answer again, or was stopped.
  void Restart(std::chrono::nanoseconds down);

 private:
  // Starts dockerd with argv_ and waits for /_ping (30 s). Throws
  // DaemonUnavailable with the end of its log.
  void Launch();

  std::string dir_, socket_, cgroup_parent_;
  std::vector<std::string> argv_, env_;
  std::unique_ptr<ChildProcess> daemon_;
  std::chrono::milliseconds start_took_{0};
};

// The directory of an executable named `name` on $PATH or in the system
// directories (dockerd lives in /usr/sbin); "" when there is none.
std::string FindProgram(const std::string& name);

}  // namespace leakbench::harness
