// Reads one ProcSample from /proc/<pid>: status (threads, RSS), stat (CPU),
// schedstat (run-queue wait), smaps_rollup (PSS) and fd/ (each link
// classified). Small files are read with one read() loop into a reused
// buffer and scanned as string_views; no streams, no regex, so a sample
// costs tens of microseconds plus one readlink per fd.
#include "common/proc/proc_sample.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/proc/proc_file.h"
#include "common/proc/proc_text.h"

namespace leakbench {
namespace {

using procfs::ReadSmallFile;
using procfs::StatusNumber;

ProcSample Failed(pid_t pid, const std::string& path, int err) {
  ProcSample sample;
  if (err == ENOENT || err == ESRCH) {
    sample.gone = true;
    sample.error = "process " + std::to_string(pid) + " is gone (" + path + ": " + std::strerror(err) + ")";
  } else {
    sample.error = "cannot read " + path + ": " + std::strerror(err);
  }
  return sample;
}

}  // namespace

ProcSample ReadProcSample(pid_t pid, const std::string& proc_root) {
  const std::string dir = proc_root + "/" + std::to_string(pid) + "/";
  ProcSample sample;
  std::string buf;

  std::string path = dir + "status";
  if (int err = ReadSmallFile(path, buf)) return Failed(pid, path, err);
  const auto threads = StatusNumber(buf, "Threads:");
  if (!threads) {
    sample.error = path + ": no Threads: line";
    return sample;
  }
  sample.threads = static_cast<std::size_t>(*threads);
  // Zombies and kernel threads have no VmRSS line: 0.
  sample.rss_bytes = StatusNumber(buf, "VmRSS:").value_or(0) * 1024;

  path = dir + "stat";
  if (int err = ReadSmallFile(path, buf)) return Failed(pid, path, err);
  const auto ticks = procfs::StatCpuTicks(buf);
  if (!ticks) {
    sample.error = path + ": cannot parse utime/stime";
    return sample;
  }
  static const long kTicksPerSecond = ::sysconf(_SC_CLK_TCK);
  sample.cpu_ticks = *ticks;
  sample.cpu_seconds = static_cast<double>(*ticks) / static_cast<double>(kTicksPerSecond > 0 ? kTicksPerSecond : 100);

  // Optional: absent without CONFIG_SCHEDSTATS.
  if (ReadSmallFile(dir + "schedstat", buf) == 0) {
    sample.run_delay_ns = procfs::SchedstatRunDelayNs(buf).value_or(0);
  }

  // Optional: absent on old kernels, unreadable without ptrace rights.
  if (ReadSmallFile(dir + "smaps_rollup", buf) == 0) {
    if (const auto pss = StatusNumber(buf, "Pss:")) sample.pss_bytes = *pss * 1024;
  }

  path = dir + "fd";
  const bool self = pid == ::getpid() && proc_root == "/proc";
  if (int err = CountFds(path, self, sample.fds)) return Failed(pid, path, err);

  sample.ok = true;
  return sample;
}

std::uint64_t ReadRunDelayNs(const std::string& pid_dir) {
  std::string text;
  if (ReadSmallFile(pid_dir + "/schedstat", text) != 0) return 0;
  return procfs::SchedstatRunDelayNs(text).value_or(0);
}

}  // namespace leakbench
