// One sample of a process's resources, read from /proc/<pid> without
// stopping or signalling it: threads, open fds by kind, RSS, PSS
// (smaps_rollup), CPU time and run-queue wait. What leakbench measures a
// target with and follow-load measures the fake with. Pure reads; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/proc/fd_count.h"

namespace leakbench {

struct ProcSample {
  bool ok = false;       // false: the process is gone or unreadable (error says why)
  bool gone = false;     // not ok because the process no longer exists (ENOENT/ESRCH)
  std::string error;
  std::size_t threads = 0;
  FdKinds fds;
  std::uint64_t rss_bytes = 0;
  std::optional<std::uint64_t> pss_bytes;  // absent when smaps_rollup is unreadable
  std::uint64_t cpu_ticks = 0;             // utime + stime, in clock ticks
  double cpu_seconds = 0;                  // the same in seconds
  std::uint64_t run_delay_ns = 0;          // schedstat: runnable but waiting for a CPU; 0 if unreadable
};

// Reads /proc/<pid> (proc_root lets tests point at a fixture tree).
ProcSample ReadProcSample(pid_t pid, const std::string& proc_root = "/proc");

// The run-queue wait of `pid_dir`/schedstat ("/proc/<pid>" or "/proc/self":
// its main thread's), 0 if unreadable.
std::uint64_t ReadRunDelayNs(const std::string& pid_dir);

}  // namespace leakbench
