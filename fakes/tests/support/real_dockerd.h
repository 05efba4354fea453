// A private, real Docker daemon for tests that must check the fake (or the
// engine) against the genuine article. RealDockerd::Start() launches dockerd
// (Debian docker.io 20.10) in a fresh temporary directory with its own socket,
// data-root, exec-root, pidfile and containerd namespace, and no iptables, no
// bridge and the vfs storage driver, and puts its containers under a private
// cgroup parent. It waits until /_ping answers, then
// imports a busybox rootfs (from busybox-static's /bin/busybox) as
// `bb:latest`. When the host cannot do this (not root, dockerd/docker/busybox
// missing, the daemon dies or never answers), Start() returns null and says
// why, so a test can GTEST_SKIP with that reason. The destructor removes every
// container, stops dockerd (SIGTERM, bounded wait, then SIGKILL), makes sure
// its containerd, shims and container processes are gone (even after a
// crash), removes its cgroups, unmounts whatever it left under the temporary
// directory and deletes the directory.
//
// Thread-safety: Start() may be called from any thread; the accessors and
// Docker() may be called concurrently from several threads on one instance.
// Destruction must not overlap with any other call on the same instance.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

namespace leakbench::testing {

// Thrown by RealDockerd::Docker() when the CLI fails; what() holds the command,
// its exit status and its stderr.
class DockerCliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RealDockerd {
 public:
  // The image Start() imports (busybox with all its applets linked in /bin).
  static constexpr const char* kImage = "bb:latest";

  // Starts a private dockerd and imports kImage. Returns null and fills
  // *skip_reason (if non-null) when that is impossible here.
  static std::unique_ptr<RealDockerd> Start(std::string* skip_reason);

  // Only Start() can make a PassKey; the constructor is public for make_unique.
  class PassKey {
   private:
    friend class RealDockerd;
    PassKey() = default;
  };
  explicit RealDockerd(PassKey) {}
  ~RealDockerd();
  RealDockerd(const RealDockerd&) = delete;
  RealDockerd& operator=(const RealDockerd&) = delete;

  // The daemon's Unix socket, e.g. "/tmp/leakbench-dockerd-AbC123/docker.sock".
  const std::string& socket_path() const { return socket_path_; }
  // "unix://" + socket_path(), for DOCKER_HOST or an engine's config.
  std::string host() const { return "unix://" + socket_path_; }
  // The temporary directory that holds everything the daemon writes.
  const std::string& root_dir() const { return root_dir_; }
  // dockerd's process id (our child).
  pid_t pid() const { return pid_; }
  // How long Start() took, import included.
  std::chrono::milliseconds start_duration() const { return start_duration_; }

  // Runs `docker -H unix://<socket> <args>` through /bin/sh (so `args` is
  // shell-quoted text, e.g. "run -d --network none bb:latest sh -c 'echo hi'")
  // with an isolated CLI config, and returns its stdout. Throws
  // DockerCliError with the stderr when it exits non-zero or runs longer than
  // `timeout`.
  std::string Docker(const std::string& args,
                     std::chrono::seconds timeout = std::chrono::seconds(120)) const;

  // The last `lines` lines of dockerd's own log, for failure messages.
  std::string LogTail(int lines = 20) const;

 private:
  // The steps of the destructor, each bounded in time and never throwing.
  void RemoveAllContainers() noexcept;
  void StopDaemon() noexcept;
  void KillStragglers() noexcept;
  void UnmountAll() noexcept;

  std::string root_dir_;
  std::string socket_path_;
  std::string log_path_;
  std::string docker_cli_;
  std::string cli_config_dir_;
  std::string cgroup_parent_;  // "/leakbench-XXXXXX", the containers' cgroup parent
  pid_t pid_ = -1;  // -1 once reaped
  std::chrono::milliseconds start_duration_{0};
};

}  // namespace leakbench::testing
