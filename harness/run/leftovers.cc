#include "harness/run/leftovers.h"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace leakbench::harness {
namespace {

namespace fs = std::filesystem;

// /proc/self/mountinfo escapes spaces and the like as \ooo.
std::string Unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Mount {
  std::string point, type;
};

std::vector<Mount> Mounts() {
  std::vector<Mount> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, opts, field;
    f >> id >> parent >> dev >> root >> point >> opts;
    while (f >> field && field != "-") {
    }
    std::string type;
    f >> type;
    out.push_back({Unescape(point), type});
  }
  return out;
}

// `root` and every directory below it (a cgroup's children).
std::vector<std::string> CgroupDirs(const std::string& root) {
  std::error_code ec;
  std::vector<std::string> dirs = {root};
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec)) dirs.push_back(it->path().string());
  }
  return dirs;
}

bool Under(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

// `name`'s directory in every cgroup hierarchy mounted here that has it.
std::vector<std::string> CgroupRoots(const std::string& name) {
  std::vector<std::string> roots;
  for (const Mount& m : Mounts()) {
    if (m.type != "cgroup" && m.type != "cgroup2") continue;
    const std::string root = m.point + name;
    std::error_code ec;
    if (fs::is_directory(root, ec)) roots.push_back(root);
  }
  return roots;
}

}  // namespace

std::vector<pid_t> CgroupProcesses(const std::string& name) {
  std::vector<pid_t> pids;
  if (name.empty() || name == "/") return pids;
  for (const std::string& root : CgroupRoots(name)) {
    for (const std::string& d : CgroupDirs(root)) {
      std::ifstream procs(d + "/cgroup.procs");
      for (pid_t pid; procs >> pid;) {
        if (pid > 0) pids.push_back(pid);
      }
    }
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

std::size_t KillCgroupTree(const std::string& name) {
  if (name.empty() || name == "/") return 0;
  const std::vector<std::string> roots = CgroupRoots(name);
  std::size_t killed = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (bool any = true; any && std::chrono::steady_clock::now() < until;) {
    any = false;
    for (const std::string& root : roots) {
      for (const std::string& d : CgroupDirs(root)) {
        std::ifstream procs(d + "/cgroup.procs");
        pid_t pid;
        while (procs >> pid) {
          if (pid > 0 && kill(pid, SIGKILL) == 0) {
            ++killed;
            any = true;
          }
        }
      }
    }
    if (any) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const std::string& root : roots) {
    std::vector<std::string> dirs = CgroupDirs(root);
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const std::string& d : dirs) rmdir(d.c_str());  // cgroup files go with their directory
  }
  return killed;
}

void UnmountUnder(const std::string& dir) {
  if (dir.empty()) return;
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> points;
    for (const Mount& m : Mounts()) {
      if (Under(m.point, dir)) points.push_back(m.point);
    }
    if (points.empty()) return;
    std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const std::string& p : points) umount2(p.c_str(), MNT_DETACH);
  }
}

}  // namespace leakbench::harness
