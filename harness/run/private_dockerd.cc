#include "harness/run/private_dockerd.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/run/docker_client.h"
#include "harness/run/leftovers.h"

namespace leakbench::harness {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string Tail(const std::string& path, std::size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  const std::string all = s.str();
  return all.size() <= bytes ? all : all.substr(all.size() - bytes);
}

}  // namespace

std::string FindProgram(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string d; std::getline(ss, d, ':');) {
      if (!d.empty()) dirs.push_back(d);
    }
  }
  for (const char* d : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}) dirs.emplace_back(d);
  for (const auto& d : dirs) {
    const std::string p = d + "/" + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

PrivateDockerd::PrivateDockerd(const std::string& dir, const std::vector<std::string>& env) : dir_(dir) {
  const auto started = Clock::now();
  if (geteuid() != 0) {
    throw DaemonUnavailable("a private dockerd needs root (leakbench runs as uid " + std::to_string(geteuid()) +
                            "); run as root, or give --docker-host unix:///path/to/docker.sock");
  }
  const std::string dockerd = FindProgram("dockerd");
  if (dockerd.empty() || FindProgram("containerd").empty() || FindProgram("runc").empty()) {
    throw DaemonUnavailable("dockerd, containerd or runc is not installed (Debian: apt-get install docker.io); "
                            "or give --docker-host unix:///path/to/docker.sock");
  }
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw DaemonUnavailable("cannot create " + dir_ + ": " + ec.message());
  socket_ = dir_ + "/docker.sock";
  const std::string suffix = fs::path(fs::path(dir_).parent_path()).filename().string();
  cgroup_parent_ = "/leakbench-" + (suffix.empty() ? std::to_string(getpid()) : suffix.substr(suffix.rfind('.') + 1));
  Watchdog::WatchCgroup(cgroup_parent_);
  std::ofstream(dir_ + "/daemon.json") << "{}\n";  // keeps /etc/docker/daemon.json out of it
  const std::string ns = "leakbench" + cgroup_parent_.substr(10);
  argv_ = {dockerd,
           "--config-file=" + dir_ + "/daemon.json",
           "--host=unix://" + socket_,
           "--data-root=" + dir_ + "/data",
           "--exec-root=" + dir_ + "/exec",
           "--pidfile=" + dir_ + "/dockerd.pid",
           "--iptables=false",
           "--ip6tables=false",
           "--bridge=none",
           "--storage-driver=vfs",
           "--shutdown-timeout=2",
           "--cgroup-parent=" + cgroup_parent_,
           "--containerd-namespace=" + ns,
           "--containerd-plugins-namespace=" + ns + "-plugins"};
  env_ = env;
  env_.push_back("NOTIFY_SOCKET=");
  env_.push_back("DOCKER_HOST=");
  Launch();
  start_took_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
}

void PrivateDockerd::Launch() {
  // Appends: a restarted dockerd's log follows the first one's.
  daemon_ = std::make_unique<ChildProcess>(argv_, dir_ + "/dockerd.log", dir_ + "/dockerd.log", env_,
                                           /*append=*/true);
  const DockerClient client(socket_);
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!client.Ping()) {
    if (auto exit = daemon_->Poll()) {
      const std::string log = Tail(dir_ + "/dockerd.log", 1500);
      daemon_.reset();
      Stop();
      throw DaemonUnavailable("dockerd ended during start-up (" + exit->ToString() + "); the end of its log:\n" + log);
    }
    if (Clock::now() > deadline) {
      const std::string log = Tail(dir_ + "/dockerd.log", 1500);
      Stop();
      throw DaemonUnavailable("dockerd did not answer /_ping on " + socket_ + " within 30 s; the end of its log:\n" + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void PrivateDockerd::Restart(std::chrono::nanoseconds down) {
  if (!daemon_) throw std::runtime_error("the private dockerd was stopped; it cannot be restarted");
  daemon_->Stop(SIGTERM, std::chrono::seconds(20));
  daemon_.reset();
  // What a clean stop leaves is nothing; after a SIGKILL (20 s passed),
  // shims and mounts would stand in the new dockerd's way.
  KillCgroupTree(cgroup_parent_);
  UnmountUnder(dir_);
  std::this_thread::sleep_for(down);
  try {
    Launch();
  } catch (const DaemonUnavailable& e) {
    throw std::runtime_error(std::string("restarting the private dockerd: ") + e.what());
  }
}

PrivateDockerd::~PrivateDockerd() { Stop(); }

void PrivateDockerd::Stop() {
  if (daemon_) {
    // SIGTERM: dockerd stops its containers (2 s each at most, in
    // parallel) and takes containerd and the shims with it.
    daemon_->Stop(SIGTERM, std::chrono::seconds(20));
    daemon_.reset();
  }
  if (!cgroup_parent_.empty()) KillCgroupTree(cgroup_parent_);
  UnmountUnder(dir_);
}

}  // namespace leakbench::harness
