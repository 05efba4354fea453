#include "fakes/tests/support/real_dockerd.h"
#include "common/unique_fd.h"

#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace leakbench::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr auto kStartupTimeout = std::chrono::seconds(30);
constexpr auto kPingInterval = milliseconds(50);
constexpr auto kStopTimeout = std::chrono::seconds(15);
constexpr auto kStragglerTimeout = std::chrono::seconds(5);
constexpr const char* kBusybox = "/bin/busybox";
// Where dockerd, containerd and runc live on Debian, in case the test runs
// with a PATH that lacks the sbin directories.
constexpr const char* kSystemDirs[] = {"/usr/local/sbin", "/usr/local/bin",
                                       "/usr/sbin", "/usr/bin", "/sbin",
                                       "/bin"};

using leakbench::UniqueFd;

// Thread-safe strerror.
std::string ErrnoText(int err) { return std::generic_category().message(err); }

// In a forked child (async-signal-safe): default SIGPIPE, nothing blocked.
void ResetSignals() {
  ::signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// argv/envp for execve, built before fork so the child only does
// async-signal-safe work.
class CStringArray {
 public:
  explicit CStringArray(const std::vector<std::string>& items) : items_(items) {
    for (auto& s : items_) ptrs_.push_back(s.data());
    ptrs_.push_back(nullptr);
  }
  char* const* get() { return ptrs_.data(); }

 private:
  std::vector<std::string> items_;
  std::vector<char*> ptrs_;
};

// In a forked child (async-signal-safe): closes every fd above 2 except keep.
void CloseInheritedFds(int keep, int max_fd) {
  auto close_range = [max_fd](int lo, int hi) {  // inclusive; hi may be huge
    if (lo > hi) return;
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, static_cast<unsigned>(lo),
                  static_cast<unsigned>(hi), 0u) == 0) {
      return;
    }
#endif
    for (int fd = lo; fd <= hi && fd < max_fd; ++fd) ::close(fd);
  };
  if (keep < 3) {
    close_range(3, INT32_MAX);
  } else {
    close_range(3, keep - 1);
    close_range(keep + 1, INT32_MAX);
  }
}

int MaxFd() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      rl.rlim_cur < 65536) {
    return static_cast<int>(rl.rlim_cur);
  }
  return 65536;
}

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

// Directories of $PATH followed by the usual system directories.
std::vector<std::string> SearchDirs() {
  std::vector<std::string> dirs;
  if (const char* path = ::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  for (const char* dir : kSystemDirs) {
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) {
      dirs.emplace_back(dir);
    }
  }
  return dirs;
}

std::optional<std::string> FindExecutable(const std::string& name) {
  for (const auto& dir : SearchDirs()) {
    std::string candidate = dir + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
  }
  return std::nullopt;
}

std::string SearchPathValue() {
  std::string out;
  for (const auto& dir : SearchDirs()) {
    if (!out.empty()) out += ':';
    out += dir;
  }
  return out;
}

// True when `path` is an ELF executable without a program interpreter, i.e.
// one that runs inside an empty rootfs. Sets *why otherwise.
bool IsStaticElf(const std::string& path, std::string* why) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof(eh)) ||
      std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64) {
    *why = path + " is not a 64-bit ELF executable";
    return false;
  }
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    in.seekg(static_cast<std::streamoff>(eh.e_phoff + i * eh.e_phentsize));
    if (!in.read(reinterpret_cast<char*>(&ph), sizeof(ph))) {
      *why = path + ": truncated ELF program headers";
      return false;
    }
    if (ph.p_type == PT_INTERP) {
      *why = path + " is dynamically linked (install busybox-static)";
      return false;
    }
  }
  return true;
}

// The current environment minus `drop` (variable names), plus `add`.
std::vector<std::string> MakeEnv(const std::vector<std::string>& drop,
                                 const std::vector<std::string>& add) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    bool dropped = std::find(drop.begin(), drop.end(), name) != drop.end();
    bool replaced = std::any_of(add.begin(), add.end(), [&](const auto& a) {
      return a.compare(0, name.size() + 1, name + "=") == 0;
    });
    if (!dropped && !replaced) env.push_back(std::move(entry));
  }
  env.insert(env.end(), add.begin(), add.end());
  return env;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

struct RunResult {
  int status = -1;  // waitpid status
  bool timed_out = false;
  std::string out;
  std::string err;
  bool ok() const { return !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

// Runs argv with env, stdin from /dev/null, capturing stdout and stderr.
// The child leads its own process group so a timeout kills the whole group.
RunResult RunProcess(const std::vector<std::string>& argv,
                     const std::vector<std::string>& env,
                     std::chrono::milliseconds timeout) {
  RunResult result;
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));

  CStringArray c_argv(argv);
  CStringArray c_env(env);
  const int max_fd = MaxFd();
  pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    if (null_fd.valid()) ::dup2(null_fd.get(), 0);
    ::dup2(out_w.get(), 1);
    ::dup2(err_w.get(), 2);
    CloseInheritedFds(-1, max_fd);
    ResetSignals();
    ::execve(c_argv.get()[0], c_argv.get(), c_env.get());
    static const char kMsg[] = "execve failed\n";
    (void)!::write(2, kMsg, sizeof(kMsg) - 1);
    ::_exit(127);
  }
  out_w.Reset();
  err_w.Reset();

  const auto deadline = Clock::now() + timeout;
  bool out_open = true, err_open = true;
  char buf[16384];
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    pollfd fds[2] = {{out_open ? out_r.get() : -1, POLLIN, 0},
                     {err_open ? err_r.get() : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        (i == 0 ? out_open : err_open) = false;
      }
    }
  }
  // The pipes are closed (or we killed the group): reap, bounded.
  const auto reap_deadline = Clock::now() + std::chrono::seconds(5);
  while (true) {
    pid_t r = ::waitpid(pid, &result.status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) break;
    if (Clock::now() > reap_deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &result.status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return result;
}

// Starts argv as a daemon in its own session with stdout/stderr appended to
// log_fd. Returns its pid, or -1 with *error set when it could not be
// executed at all.
pid_t SpawnDaemon(const std::vector<std::string>& argv,
                  const std::vector<std::string>& env, int log_fd,
                  std::string* error) {
  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    *error = "pipe2: " + ErrnoText(errno);
    return -1;
  }
  UniqueFd status_r(status_pipe[0]), status_w(status_pipe[1]);
  UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  CStringArray c_argv(argv);
  CStringArray c_env(env);
  const int max_fd = MaxFd();
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = "fork: " + ErrnoText(errno);
    return -1;
  }
  if (pid == 0) {
    ::setsid();
    if (null_fd.valid()) ::dup2(null_fd.get(), 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    // The status pipe is O_CLOEXEC: it closes itself when execve succeeds.
    const int status_fd = status_w.get();
    CloseInheritedFds(status_fd, max_fd);
    ResetSignals();
    ::execve(c_argv.get()[0], c_argv.get(), c_env.get());
    int err = errno;
    (void)!::write(status_fd, &err, sizeof(err));
    ::_exit(127);
  }
  status_w.Reset();
  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(status_r.get(), &child_errno, sizeof(child_errno));
  } while (got < 0 && errno == EINTR);
  if (got == sizeof(child_errno)) {
    ::waitpid(pid, nullptr, 0);
    *error = "cannot execute " + argv[0] + ": " + ErrnoText(child_errno);
    return -1;
  }
  return pid;
}

// One GET /_ping over the Unix socket; true on "200 ... OK".
bool PingOnce(const std::string& socket_path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return false;
  }
  static const char kRequest[] =
      "GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n";
  if (::send(fd.get(), kRequest, sizeof(kRequest) - 1, MSG_NOSIGNAL) !=
      static_cast<ssize_t>(sizeof(kRequest) - 1)) {
    return false;
  }
  std::string response;
  char buf[1024];
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (Clock::now() < deadline) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    ssize_t got = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (got <= 0) break;
    response.append(buf, static_cast<size_t>(got));
  }
  return response.rfind("HTTP/1.1 200 ", 0) == 0 && response.size() >= 2 &&
         response.compare(response.size() - 2, 2, "OK") == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string LastLines(const std::string& text, int lines) {
  std::vector<std::string> all;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) all.push_back(line);
  std::string out;
  const size_t first = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  for (size_t i = first; i < all.size(); ++i) out += all[i] + "\n";
  return out;
}

// Decodes the octal escapes (\040 for a space, etc.) of /proc/self/mountinfo.
std::string UnescapeMountPath(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() &&
        std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                    s.begin() + static_cast<std::ptrdiff_t>(i) + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IsUnder(const std::string& path, const std::string& root) {
  return path == root ||
         (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
          path[root.size()] == '/');
}

// Mount points at or below root, deepest first.
std::vector<std::string> MountsUnder(const std::string& root) {
  std::vector<std::string> mounts;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, fs_root, mount_point;
    if (!(fields >> id >> parent >> dev >> fs_root >> mount_point)) continue;
    std::string path = UnescapeMountPath(mount_point);
    if (IsUnder(path, root)) mounts.push_back(path);
  }
  std::sort(mounts.begin(), mounts.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return mounts;
}

// A live process that belongs to one private daemon.
struct Straggler {
  pid_t pid;
  bool in_container;  // in the daemon's cgroup tree (a container's process)
};

// Live (non-zombie) processes that belong to the daemon rooted at root_dir
// whose containers live under the cgroup cgroup_parent: its containerd and
// shims (their command lines mention root_dir) and the containers' processes
// (their cgroup path starts with cgroup_parent).
std::vector<Straggler> FindStragglers(const std::string& root_dir,
                                      const std::string& cgroup_parent) {
  std::vector<Straggler> found;
  const pid_t self = ::getpid();
  const std::string cgroup_needle = ":" + cgroup_parent + "/";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(),
                                     [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == self) continue;
    const std::string dir = "/proc/" + name;
    std::string stat = ReadFile(dir + "/stat");
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) continue;
    if (stat[paren + 2] == 'Z') continue;
    std::string cgroups = ReadFile(dir + "/cgroup");
    if (cgroups.find(cgroup_needle) != std::string::npos) {
      found.push_back({pid, true});
      continue;
    }
    std::string cmdline = ReadFile(dir + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(root_dir) != std::string::npos) found.push_back({pid, false});
  }
  return found;
}

// Mount points of cgroup hierarchies (v1 controllers and v2).
std::vector<std::string> CgroupMounts() {
  std::vector<std::string> mounts;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    size_t sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    std::istringstream pre(line.substr(0, sep));
    std::istringstream post(line.substr(sep + 3));
    std::string id, parent, dev, fs_root, mount_point, fstype;
    if (!(pre >> id >> parent >> dev >> fs_root >> mount_point) || !(post >> fstype)) {
      continue;
    }
    if (fstype == "cgroup" || fstype == "cgroup2") {
      mounts.push_back(UnescapeMountPath(mount_point));
    }
  }
  return mounts;
}

// rmdir()s dir and the cgroups below it, deepest first. Cgroup directories
// hold only pseudo-files, so rmdir is the way to delete them.
void RemoveCgroupTree(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) {
      RemoveCgroupTree(entry.path().string());
    }
  }
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
    std::fprintf(stderr, "RealDockerd: rmdir %s: %s\n", dir.c_str(),
                 ErrnoText(errno).c_str());
  }
}

bool IsAlive(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() &&
         stat[paren + 2] != 'Z';
}

}  // namespace

std::unique_ptr<RealDockerd> RealDockerd::Start(std::string* skip_reason) {
  std::string scratch;
  std::string& reason = skip_reason != nullptr ? *skip_reason : scratch;
  const auto started = Clock::now();

  if (::geteuid() != 0) {
    reason = "RealDockerd needs root (euid is " + std::to_string(::geteuid()) + ")";
    return nullptr;
  }
  auto dockerd = FindExecutable("dockerd");
  if (!dockerd) {
    reason = "dockerd not found in PATH or /usr/sbin (install docker.io)";
    return nullptr;
  }
  for (const char* helper : {"containerd", "containerd-shim-runc-v2", "runc"}) {
    if (!FindExecutable(helper)) {
      reason = std::string(helper) + " not found (install docker.io)";
      return nullptr;
    }
  }
  auto docker_cli = FindExecutable("docker");
  if (!docker_cli) {
    reason = "docker CLI not found in PATH (install docker.io)";
    return nullptr;
  }
  if (!IsExecutableFile(kBusybox)) {
    reason = std::string(kBusybox) + " not found (install busybox-static)";
    return nullptr;
  }
  if (std::string why; !IsStaticElf(kBusybox, &why)) {
    reason = why;
    return nullptr;
  }

  // A short temp path: the socket path must fit in sockaddr_un (108 bytes).
  std::string base = "/tmp";
  if (const char* tmpdir = ::getenv("TMPDIR"); tmpdir != nullptr && *tmpdir == '/' &&
                                              std::strlen(tmpdir) < 60) {
    base = tmpdir;
  }
  std::string templ = base + "/leakbench-dockerd-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    reason = "mkdtemp(" + templ + "): " + ErrnoText(errno);
    return nullptr;
  }

  // From here on the destructor cleans up whatever exists.
  auto d = std::make_unique<RealDockerd>(PassKey{});
  d->root_dir_ = templ;
  d->socket_path_ = templ + "/docker.sock";
  d->log_path_ = templ + "/dockerd.log";
  d->docker_cli_ = *docker_cli;
  d->cli_config_dir_ = templ + "/cli";
  const std::string suffix = templ.substr(templ.size() - 6);
  d->cgroup_parent_ = "/leakbench-" + suffix;

  std::error_code ec;
  for (const char* sub : {"data", "exec", "cli"}) {
    fs::create_directories(templ + "/" + sub, ec);
    if (ec) {
      reason = "cannot create " + templ + "/" + sub + ": " + ec.message();
      return nullptr;
    }
  }
  // An empty config file keeps /etc/docker/daemon.json out of the picture.
  const std::string config_file = templ + "/daemon.json";
  std::ofstream(config_file) << "{}\n";

  UniqueFd log_fd(::open(d->log_path_.c_str(),
                         O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!log_fd.valid()) {
    reason = "cannot create " + d->log_path_ + ": " + ErrnoText(errno);
    return nullptr;
  }
  const std::vector<std::string> argv = {
      *dockerd,
      "--config-file=" + config_file,
      "--host=unix://" + d->socket_path_,
      "--data-root=" + templ + "/data",
      "--exec-root=" + templ + "/exec",
      "--pidfile=" + templ + "/dockerd.pid",
      "--iptables=false",
      "--ip6tables=false",
      "--bridge=none",
      "--storage-driver=vfs",
      "--shutdown-timeout=2",
      // A private cgroup subtree: how leftover container processes are found.
      "--cgroup-parent=" + d->cgroup_parent_,
      // Unique namespaces, in case dockerd picks a system-wide containerd.
      "--containerd-namespace=leakbench-" + suffix,
      "--containerd-plugins-namespace=leakbench-" + suffix + "-plugins",
  };
  const auto env = MakeEnv({"NOTIFY_SOCKET", "DOCKER_HOST", "DOCKER_CONTEXT"},
                           {"PATH=" + SearchPathValue()});
  std::string spawn_error;
  d->pid_ = SpawnDaemon(argv, env, log_fd.get(), &spawn_error);
  log_fd.Reset();
  if (d->pid_ < 0) {
    reason = spawn_error;
    return nullptr;
  }

  // Wait for /_ping, watching for an early death.
  const auto deadline = Clock::now() + kStartupTimeout;
  while (true) {
    int status = 0;
    if (::waitpid(d->pid_, &status, WNOHANG) == d->pid_) {
      d->pid_ = -1;
      reason = "dockerd " + DescribeStatus(status) +
               " during startup; last lines of its log:\n" +
               d->LogTail(15);
      return nullptr;
    }
    if (PingOnce(d->socket_path_)) break;
    if (Clock::now() > deadline) {
      reason = "dockerd did not answer /_ping on " + d->socket_path_ + " within " +
               std::to_string(kStartupTimeout.count()) + " s; last log lines:\n" +
               d->LogTail(15);
      return nullptr;
    }
    std::this_thread::sleep_for(kPingInterval);
  }

  // busybox rootfs -> tar -> docker import.
  try {
    const std::string rootfs = templ + "/rootfs";
    fs::create_directories(rootfs + "/bin");
    fs::create_directories(rootfs + "/tmp");
    fs::permissions(rootfs + "/tmp", fs::perms::all | fs::perms::sticky_bit);
    fs::copy_file(kBusybox, rootfs + "/bin/busybox");
    RunResult list = RunProcess({kBusybox, "--list"}, MakeEnv({}, {}), std::chrono::seconds(10));
    if (!list.ok()) {
      reason = std::string(kBusybox) + " --list failed: " + list.err;
      return nullptr;
    }
    std::istringstream applets(list.out);
    std::string applet;
    while (std::getline(applets, applet)) {
      if (applet.empty() || applet == "busybox" || applet.find('/') != std::string::npos) {
        continue;
      }
      fs::create_symlink("busybox", rootfs + "/bin/" + applet, ec);
    }
    const std::string tarball = templ + "/rootfs.tar";
    RunResult tar = RunProcess({kBusybox, "tar", "-C", rootfs, "-cf", tarball, "."},
                               MakeEnv({}, {}), std::chrono::seconds(30));
    if (!tar.ok()) {
      reason = "building the rootfs tarball failed (" + DescribeStatus(tar.status) +
               "): " + tar.err;
      return nullptr;
    }
    d->Docker("import " + ShellQuote(tarball) + " " + kImage);
    fs::remove_all(rootfs, ec);
    fs::remove(tarball, ec);
  } catch (const std::exception& e) {
    reason = std::string("importing ") + kImage + " failed: " + e.what();
    return nullptr;
  }

  d->start_duration_ = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  return d;
}

RealDockerd::~RealDockerd() {
  if (pid_ > 0) {
    RemoveAllContainers();
    StopDaemon();
  }
  KillStragglers();
  UnmountAll();
  if (!root_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(root_dir_, ec);
    if (ec) {
      std::fprintf(stderr, "RealDockerd: cannot remove %s: %s\n", root_dir_.c_str(),
                   ec.message().c_str());
    }
  }
}

std::string RealDockerd::Docker(const std::string& args,
                                std::chrono::seconds timeout) const {
  const std::string command =
      ShellQuote(docker_cli_) + " -H " + ShellQuote(host()) + " " + args;
  const auto env = MakeEnv({"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY",
                            "DOCKER_CERT_PATH", "DOCKER_API_VERSION"},
                           {"DOCKER_CONFIG=" + cli_config_dir_, "DOCKER_CLI_HINTS=false"});
  RunResult r = RunProcess({"/bin/sh", "-c", command}, env, timeout);
  if (!r.ok()) {
    throw DockerCliError("docker " + args + ": " +
                         (r.timed_out ? "timed out after " + std::to_string(timeout.count()) + " s"
                                      : DescribeStatus(r.status)) +
                         "; stderr: " + r.err);
  }
  return r.out;
}

std::string RealDockerd::LogTail(int lines) const {
  return LastLines(ReadFile(log_path_), lines);
}

void RealDockerd::RemoveAllContainers() noexcept {
  try {
    std::string ids = Docker("ps -aq --no-trunc", std::chrono::seconds(20));
    std::replace(ids.begin(), ids.end(), '\n', ' ');
    if (ids.find_first_not_of(' ') != std::string::npos) {
      Docker("rm -f -v " + ids, std::chrono::seconds(60));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "RealDockerd: removing containers: %s\n", e.what());
  }
}

void RealDockerd::StopDaemon() noexcept {
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + kStopTimeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) break;
    if (Clock::now() > deadline) {
      std::fprintf(stderr, "RealDockerd: dockerd ignored SIGTERM for %lld s; killing\n",
                   static_cast<long long>(kStopTimeout.count()));
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  pid_ = -1;
}

void RealDockerd::KillStragglers() noexcept {
  if (root_dir_.empty()) return;
  try {
    // containerd normally exits with dockerd, and rm -f has already killed
    // the containers. After a crash (or a SIGKILL) containerd, the shims and
    // the containers' processes may survive. Container processes die at once
    // (SIGKILL); the daemons get SIGTERM first.
    auto stragglers = FindStragglers(root_dir_, cgroup_parent_);
    for (const auto& s : stragglers) ::kill(s.pid, s.in_container ? SIGKILL : SIGTERM);
    auto any_alive = [&stragglers] {
      return std::any_of(stragglers.begin(), stragglers.end(),
                         [](const Straggler& s) { return IsAlive(s.pid); });
    };
    auto deadline = Clock::now() + kStragglerTimeout;
    while (Clock::now() < deadline && any_alive()) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    for (const auto& s : stragglers) {
      if (IsAlive(s.pid)) ::kill(s.pid, SIGKILL);
    }
    deadline = Clock::now() + kStragglerTimeout;
    while (Clock::now() < deadline && any_alive()) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    for (const auto& s : stragglers) {
      if (IsAlive(s.pid)) {
        std::fprintf(stderr, "RealDockerd: process %d survived SIGKILL\n", s.pid);
      }
    }
    // runc removes a container's cgroups when the container is deleted;
    // after a crash they stay behind. Remove the whole private subtree.
    for (const auto& mount : CgroupMounts()) RemoveCgroupTree(mount + cgroup_parent_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "RealDockerd: killing leftovers: %s\n", e.what());
  }
}

void RealDockerd::UnmountAll() noexcept {
  if (root_dir_.empty()) return;
  try {
    for (int round = 0; round < 3; ++round) {
      auto mounts = MountsUnder(root_dir_);
      if (mounts.empty()) return;
      for (const auto& m : mounts) {
        if (::umount2(m.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
          std::fprintf(stderr, "RealDockerd: umount %s: %s\n", m.c_str(),
                       ErrnoText(errno).c_str());
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "RealDockerd: unmounting: %s\n", e.what());
  }
}

}  // namespace leakbench::testing
