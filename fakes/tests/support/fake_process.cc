#include "fakes/tests/support/fake_process.h"
#include "common/unique_fd.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "fakes/tests/support/http_test_client.h"

extern char** environ;

namespace leakbench::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::runtime_error SysError(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

using Fd = leakbench::UniqueFd;

struct Pipe {
  Fd read;
  Fd write;
};

Pipe MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw SysError("pipe2");
  return {Fd(fds[0]), Fd(fds[1])};
}

Fd OpenDevNull() {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw SysError("open /dev/null");
  return Fd(fd);
}

// The environment with `changes` applied ("K=V" sets, "K" removes).
std::vector<std::string> BuildEnv(const std::vector<std::string>& changes) {
  std::vector<std::string> env;
  auto key_of = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    bool replaced = false;
    for (const auto& c : changes) replaced = replaced || key_of(c) == key_of(kv);
    if (!replaced) env.push_back(std::move(kv));
  }
  for (const auto& c : changes) {
    if (c.find('=') != std::string::npos) env.push_back(c);
  }
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// fork + exec. Everything the child needs is prepared before fork, so the
// child calls only async-signal-safe functions (the test may have threads).
pid_t Spawn(const std::string& path, std::vector<std::string> argv, std::vector<std::string> env, int in_fd,
            int out_fd, int err_fd) {
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw SysError("fork");
  if (pid == 0) {
    // Die with the test, even if it crashes before its destructors run.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP}) ::sigaction(sig, &dfl, nullptr);
    if (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) ::_exit(127);
    ::close_range(3, ~0U, 0);
    ::execve(path.c_str(), c_argv.data(), c_env.data());
    const char msg[] = "exec failed\n";
    [[maybe_unused]] auto ignored = ::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  return pid;
}

ExitStatus FromWaitStatus(int ws) {
  ExitStatus s;
  if (WIFEXITED(ws)) s.code = WEXITSTATUS(ws);
  if (WIFSIGNALED(ws)) s.signal = WTERMSIG(ws);
  return s;
}

// Waits for `pid` until `deadline`; nullopt if still running.
std::optional<ExitStatus> WaitUntil(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int ws = 0;
    pid_t r = ::waitpid(pid, &ws, WNOHANG);
    if (r == pid) return FromWaitStatus(ws);
    if (r < 0 && errno != EINTR) return ExitStatus{};  // not our child any more: nothing to wait for
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(2ms);
  }
}

int MsUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1000));
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (code >= 0) return "exit " + std::to_string(code);
  if (signal != 0) return "signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
  return "unknown";
}

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::vector<std::string>& env) {
  if (argv.empty()) throw std::invalid_argument("RunCommand: empty argv");
  CommandResult result;
  std::string path = argv[0];
  if (path.find('/') == std::string::npos) {
    auto found = FindExecutable(path);
    if (!found) {
      result.status.code = 127;
      result.err = path + ": not found in PATH\n";
      return result;
    }
    path = *found;
  }
  Fd in = OpenDevNull();
  Pipe out = MakePipe();
  Pipe err = MakePipe();
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  pid_t pid = Spawn(path, argv, BuildEnv(env), in.get(), out.write.get(), err.write.get());
  out.write.Reset();
  err.write.Reset();

  std::string* sinks[2] = {&result.out, &result.err};
  Fd* fds[2] = {&out.read, &err.read};
  auto drain_until = [&](Clock::time_point until) {
    while (out.read.get() >= 0 || err.read.get() >= 0) {
      pollfd pfd[2] = {{out.read.get(), POLLIN, 0}, {err.read.get(), POLLIN, 0}};
      int wait_ms = MsUntil(until);
      if (wait_ms <= 0 && Clock::now() >= until) return false;
      int n = ::poll(pfd, 2, wait_ms);
      if (n < 0 && errno != EINTR) return false;
      for (int i = 0; i < 2; ++i) {
        if (pfd[i].fd < 0 || (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        char buf[65536];
        ssize_t got = ::read(pfd[i].fd, buf, sizeof buf);
        if (got > 0) {
          sinks[i]->append(buf, static_cast<size_t>(got));
        } else if (got == 0 || errno != EINTR) {
          fds[i]->Reset();
        }
      }
    }
    return true;
  };
  if (!drain_until(deadline)) {
    result.timed_out = true;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    drain_until(Clock::now() + 2s);
  }
  // Both pipes are closed, so it has exited or is about to; bound the wait anyway.
  auto status = WaitUntil(pid, std::max(deadline, Clock::now()) + 2s);
  if (!status) {
    result.timed_out = true;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    status = WaitUntil(pid, Clock::now() + 5s);
  }
  result.status = status.value_or(ExitStatus{});
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

std::optional<std::string> FindExecutable(const std::string& name, const std::vector<std::string>& fallbacks) {
  std::vector<std::string> candidates;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty()) candidates.push_back(dir + "/" + name);
    }
  }
  candidates.insert(candidates.end(), fallbacks.begin(), fallbacks.end());
  for (const auto& c : candidates) {
    struct stat st{};
    if (::stat(c.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(c.c_str(), X_OK) == 0) return c;
  }
  return std::nullopt;
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw SysError("mkdtemp " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string file = path_ + "/" + name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file);
  return file;
}

namespace {
FakeProcessOptions WithFlags(std::vector<std::string> flags) {
  FakeProcessOptions o;
  o.flags = std::move(flags);
  return o;
}
}  // namespace

FakeProcess::FakeProcess(std::string binary, std::vector<std::string> flags)
    : FakeProcess(std::move(binary), WithFlags(std::move(flags))) {}

FakeProcess::FakeProcess(std::string binary, FakeProcessOptions options) : binary_(std::move(binary)) {
  char tmpl[] = "/tmp/lbproc.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw SysError("mkdtemp");
  dir_ = tmpl;
  socket_ = options.socket.empty() ? dir_ + "/docker.sock" : options.socket;
  control_socket_ = options.control_socket.empty() ? dir_ + "/control.sock" : options.control_socket;
  stderr_path_ = dir_ + "/stderr.log";

  std::vector<std::string> argv = {binary_};
  if (options.socket_flags) argv.insert(argv.end(), {"--socket", socket_, "--control-socket", control_socket_});
  argv.insert(argv.end(), options.flags.begin(), options.flags.end());

  Fd in = OpenDevNull();
  Fd err(::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (err.get() < 0) throw SysError("open " + stderr_path_);
  Pipe out = MakePipe();
  try {
    pid_ = Spawn(binary_, argv, BuildEnv({}), in.get(), out.write.get(), err.get());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
  out.write.Reset();
  WaitReady(out.read.get(), options.ready_timeout);
  // The fake prints nothing after its ready line and ignores SIGPIPE, so
  // stdout can be let go instead of needing a reader for the child's life.
}

void FakeProcess::WaitReady(int stdout_fd, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    size_t nl = stdout_text_.find('\n');
    if (nl != std::string::npos) {
      ready_line_ = stdout_text_.substr(0, nl);
      ready_ = ready_line_.find("\"ready\":true") != std::string::npos;
      if (ready_) return;
      stdout_text_.erase(0, nl + 1);  // not the ready line: keep looking
      continue;
    }
    if (Clock::now() >= deadline) {
      timed_out_ = true;
      return;
    }
    pollfd pfd{stdout_fd, POLLIN, 0};
    int n = ::poll(&pfd, 1, MsUntil(deadline));
    if (n < 0 && errno != EINTR) return;
    if (n <= 0) continue;
    char buf[4096];
    ssize_t got = ::read(stdout_fd, buf, sizeof buf);
    if (got > 0) {
      stdout_text_.append(buf, static_cast<size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      // stdout closed without a ready line: it is exiting; collect its status.
      if (auto s = WaitUntil(pid_, Clock::now() + 5s)) {
        exit_status_ = s;
        pid_ = -1;
      }
      return;
    }
  }
}

FakeProcess::~FakeProcess() {
  if (pid_ > 0) Terminate();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string FakeProcess::failure() const {
  if (ready_) return "";
  std::string why = timed_out_ ? "no ready line before the deadline"
                    : exit_status_ ? "exited (" + exit_status_->ToString() + ") without a ready line"
                                   : "no ready line";
  if (!stdout_text_.empty()) why += "; stdout: " + stdout_text_;
  return why + "; stderr: " + stderr_text();
}

std::optional<ExitStatus> FakeProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_status_;
  auto s = WaitUntil(pid_, Clock::now() + timeout);
  if (s) {
    exit_status_ = s;
    pid_ = -1;
  }
  return s;
}

ExitStatus FakeProcess::Terminate() { return Terminate(SIGTERM, 5s); }

ExitStatus FakeProcess::Terminate(int sig, std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_status_.value_or(ExitStatus{});
  ::kill(pid_, sig);
  auto s = WaitUntil(pid_, Clock::now() + grace);
  if (!s) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    s = WaitUntil(pid_, Clock::now() + 10s);
  }
  exit_status_ = s.value_or(ExitStatus{});
  pid_ = -1;
  return *exit_status_;
}

std::string FakeProcess::stderr_text() const {
  std::ifstream in(stderr_path_, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json FakeProcess::Control(const std::string& method, const std::string& path, const nlohmann::json& body,
                                    int* status) const {
  HttpTestClient client(control_socket_);
  HttpResponse r = client.Request(method, path, body.is_null() ? "" : body.dump());
  if (status) *status = r.status;
  return nlohmann::json::parse(r.body, nullptr, false);
}

nlohmann::json FakeProcess::Act(const nlohmann::json& action) const {
  int status = 0;
  auto out = Control("POST", "/actions", action, &status);
  if (status != 200) throw std::runtime_error("action " + action.dump() + " failed: " + out.dump());
  return out;
}

}  // namespace leakbench::testing
