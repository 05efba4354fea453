#include "harness/run/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "harness/run/docker_client.h"
#include "harness/run/leftovers.h"
#include "harness/run/process_sweep.h"

extern char** environ;

namespace leakbench::harness {

std::string ChildExit::ToString() const {
  if (code >= 0) return "exit " + std::to_string(code);
  return "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& stdout_path,
                           const std::string& stderr_path, const std::vector<std::string>& extra_env, bool append) {
  if (argv.empty()) throw std::runtime_error("ChildProcess: empty command");
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& x : extra_env) replaced = replaced || x.substr(0, x.find('=')) == key;
    if (!replaced) env_strings.push_back(entry);
  }
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);

  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork failed: ") + strerror(errno));
  if (pid_ == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int in = open("/dev/null", O_RDONLY);
    const int flags = O_WRONLY | O_CREAT | O_APPEND | (append ? 0 : O_TRUNC);
    const int out = open(stdout_path.c_str(), flags, 0644);
    const int err = open(stderr_path.c_str(), flags, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    execve(args[0], args.data(), env.data());
    dprintf(2, "leakbench: cannot run %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  setpgid(pid_, pid_);  // also from the parent: no race with a fast exec
  Watchdog::WatchGroup(pid_);
}

ChildProcess::~ChildProcess() {
  if (!exit_ && pid_ > 0) Stop(SIGKILL, std::chrono::milliseconds(2000));
}

std::optional<ChildExit> ChildProcess::Poll() {
  if (exit_ || pid_ <= 0) return exit_;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    ChildExit e;
    if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
    exit_ = e;
    kill(-pid_, SIGKILL);  // whatever it left in its group
  }
  return exit_;
}

ChildExit ChildProcess::Stop(int sig, std::chrono::milliseconds grace, std::chrono::milliseconds* took) {
  const auto start = std::chrono::steady_clock::now();
  if (!Poll()) {
    kill(pid_, sig);
    const auto until = start + grace;
    while (!Poll() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  if (took != nullptr) {
    *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  }
  if (!exit_) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    ChildExit e;
    if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
    exit_ = e;
  }
  kill(-pid_, SIGKILL);
  return *exit_;
}

// --- watchdog ---------------------------------------------------------------

namespace {
int g_watchdog_fd = -1;

void Send(const std::string& line) {
  if (g_watchdog_fd < 0) return;
  const std::string msg = line + "\n";
  (void)!write(g_watchdog_fd, msg.data(), msg.size());
}

// The run's containers on a daemon leakbench does not own. A create sent
// just before leakbench died can still land after a first listing (seen on
// a loaded machine: the 8th of 8 appeared after the 7 were removed), so it
// sweeps until the daemon has shown none of them for kQuiet, giving up
// after kGiveUp; the next leakbench on that daemon removes what is left
// (RemoveStale).
void RemoveRunContainers(const std::string& socket, const std::string& run) {
  constexpr auto kQuiet = std::chrono::seconds(10);
  constexpr auto kGiveUp = std::chrono::seconds(120);
  const auto start = std::chrono::steady_clock::now();
  auto none_since = start;
  std::size_t left = 0;
  std::string last_error;
  while (std::chrono::steady_clock::now() - start < kGiveUp) {
    try {
      const DockerClient docker(socket);
      const std::vector<std::string> ids = docker.ListByLabel("leakbench.run", run);
      left = ids.size();
      if (ids.empty() && std::chrono::steady_clock::now() - none_since >= kQuiet) return;
      if (!ids.empty()) none_since = std::chrono::steady_clock::now();
      for (const std::string& id : ids) {
        try {
          docker.Remove(id);
        } catch (const std::exception& e) {
          last_error = e.what();  // e.g. a removal already in progress: the next sweep sees whether it went
        }
      }
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::fprintf(stderr,
               "leakbench watchdog: gave up removing the containers of run %s at %s after %lld s: %zu left (%s); "
               "remove them with: docker -H unix://%s rm -f $(docker -H unix://%s ps -aq --filter label=leakbench.run=%s)\n",
               run.c_str(), socket.c_str(), static_cast<long long>(kGiveUp.count()), left, last_error.c_str(),
               socket.c_str(), socket.c_str(), run.c_str());
}

[[noreturn]] void WatchdogMain(int read_fd) {
  std::vector<pid_t> groups;
  std::vector<std::string> dirs, cgroups;
  std::vector<std::pair<std::string, std::string>> containers;  // (run, socket)
  std::string buffer;
  char chunk[4096];
  bool disarmed = false;
  for (;;) {
    const ssize_t n = read(read_fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      const std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line.rfind("group ", 0) == 0) groups.push_back(static_cast<pid_t>(std::stol(line.substr(6))));
      if (line.rfind("dir ", 0) == 0) dirs.push_back(line.substr(4));
      if (line.rfind("cgroup ", 0) == 0) cgroups.push_back(line.substr(7));
      if (line.rfind("containers ", 0) == 0) {
        const std::string rest = line.substr(11);
        const std::size_t space = rest.find(' ');
        if (space != std::string::npos) containers.emplace_back(rest.substr(0, space), rest.substr(space + 1));
      }
      if (line == "disarm") disarmed = true;
    }
  }
  if (!disarmed) {
    for (pid_t g : groups) kill(-g, SIGKILL);
    std::error_code ec;
    for (const auto& d : dirs) KillMarked(RunMarker(d), std::chrono::seconds(2));  // what left its group (setsid)
    for (const auto& c : cgroups) KillCgroupTree(c);  // a private dockerd's containers
    for (const auto& [run, socket] : containers) RemoveRunContainers(socket, run);  // --docker-host
    for (const auto& d : dirs) {
      UnmountUnder(d);  // and its mounts
      std::filesystem::remove_all(d, ec);
    }
  }
  _exit(0);
}
}  // namespace

void Watchdog::Start() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("watchdog: pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("watchdog: fork failed");
  if (pid == 0) {
    close(fds[1]);
    setsid();  // not in leakbench's group: a Ctrl-C on the terminal must not kill it first
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    WatchdogMain(fds[0]);
  }
  close(fds[0]);
  g_watchdog_fd = fds[1];
}

void Watchdog::WatchGroup(pid_t pgid) { Send("group " + std::to_string(pgid)); }
void Watchdog::WatchDirectory(const std::string& path) { Send("dir " + path); }
void Watchdog::WatchCgroup(const std::string& name) { Send("cgroup " + name); }
void Watchdog::WatchContainers(const std::string& socket, const std::string& run) {
  Send("containers " + run + " " + socket);
}
void Watchdog::Disarm() {
  Send("disarm");
  if (g_watchdog_fd >= 0) close(g_watchdog_fd);
  g_watchdog_fd = -1;
}

}  // namespace leakbench::harness
