#include "harness/run/process_sweep.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <string_view>
#include <thread>
#include <vector>

#include "common/unique_fd.h"

namespace leakbench::harness {
namespace {

// Whether /proc/<pid>/environ holds `marker` as one whole entry.
bool Carries(const char* pid, const std::string& marker) {
  const std::string path = std::string("/proc/") + pid + "/environ";
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  std::string env;
  char buf[8192];
  for (;;) {
    const ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n <= 0) break;
    env.append(buf, static_cast<std::size_t>(n));
  }
  for (std::size_t at = 0; at < env.size();) {
    const std::size_t end = env.find('\0', at);
    const std::string_view entry(env.data() + at, (end == std::string::npos ? env.size() : end) - at);
    if (entry == marker) return true;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return false;
}

// Pids carrying `marker` (the caller excluded).
std::vector<pid_t> Marked(const std::string& marker) {
  std::vector<pid_t> out;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return out;
  const pid_t self = getpid();
  while (const dirent* e = readdir(proc)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    const pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
    if (pid != self && Carries(e->d_name, marker)) out.push_back(pid);
  }
  closedir(proc);
  return out;
}

}  // namespace

std::string RunMarker(const std::string& run_dir) { return "LEAKBENCH_RUN_DIR=" + run_dir; }

std::size_t KillMarked(const std::string& marker, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  std::size_t killed = 0;
  for (;;) {
    // A zombie still shows its environ until reaped; killing it again is harmless.
    const std::vector<pid_t> found = Marked(marker);
    std::size_t sent = 0;
    for (pid_t pid : found) {
      if (kill(pid, SIGKILL) == 0) ++sent;
    }
    killed += sent;
    if (found.empty() || std::chrono::steady_clock::now() >= until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return killed;
}

}  // namespace leakbench::harness
