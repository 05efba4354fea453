// One sample of a process's resources, read from /proc/<pid> without
// stopping or signalling it: threads, open fds by kind, RSS, PSS
// (smaps_rollup) and CPU time. What leakbench measures a target with.
// Pure reads; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace leakbench::harness {

struct FdKinds {
  std::size_t socket = 0;
  std::size_t pipe = 0;
  std::size_t file = 0;   // regular files, devices, directories (a path)
  std::size_t other = 0;  // anon_inode:[eventfd], [eventpoll], [timerfd], ...
  std::size_t total() const { return socket + pipe + file + other; }
};

struct ProcSample {
  bool ok = false;       // false: the process is gone or unreadable (error says why)
  bool gone = false;     // not ok because the process no longer exists (ENOENT/ESRCH)
  std::string error;
  std::size_t threads = 0;
  FdKinds fds;
  std::uint64_t rss_bytes = 0;
  std::optional<std::uint64_t> pss_bytes;  // absent when smaps_rollup is unreadable
  double cpu_seconds = 0;                  // utime + stime
};

// Reads /proc/<pid> (proc_root lets tests point at a fixture tree).
ProcSample ReadProcSample(pid_t pid, const std::string& proc_root = "/proc");

// Classifies a /proc/<pid>/fd link target ("socket:[123]", "pipe:[4]",
// "/var/log/x", "anon_inode:[eventfd]").
enum class FdKind { kSocket, kPipe, kFile, kOther };
FdKind ClassifyFdTarget(const std::string& target);

}  // namespace leakbench::harness
