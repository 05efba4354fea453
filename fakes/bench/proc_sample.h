// Samples a process's cost from /proc (CPU ticks, threads, RSS, fds, run-queue delay) for follow-load.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace followload {

struct ProcSample {
  bool ok = false;  // false when /proc/<pid> could not be read (the process is gone?)
  std::chrono::steady_clock::time_point at;
  uint64_t cpu_ticks = 0;  // utime + stime
  int threads = 0;
  uint64_t rss_kib = 0;
  int fds = -1;
  uint64_t run_delay_ns = 0;  // /proc/<pid>/schedstat: time runnable but waiting for a CPU
};

// /proc/<pid>/status (Threads, VmRSS), stat (utime + stime), schedstat and fd/.
ProcSample SampleProc(int pid);

// The second field of <base>/schedstat, base being /proc/<pid> or /proc/self
// (its main thread's run-queue wait); 0 if unreadable.
uint64_t RunDelayNs(const std::string& base);

// The three load averages of /proc/loadavg ("1.00 0.50 0.25"); "" if unreadable.
std::string LoadAverage();

// This process's user + system CPU time so far.
double SelfCpuSeconds();

// The whole of a small file, or nullopt when it cannot be opened.
std::optional<std::string> ReadSmallFile(const std::string& path);

// The number after `key` (e.g. "\nVmRSS:") in /proc/<pid>/status text; 0 if absent.
uint64_t StatusField(std::string_view status, std::string_view key);

// utime + stime from /proc/<pid>/stat text, or nullopt if it has too few fields.
std::optional<uint64_t> StatCpuTicks(std::string_view stat);

}  // namespace followload
