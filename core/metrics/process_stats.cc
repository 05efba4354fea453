#include "core/metrics/process_stats.h"

#include <unistd.h>

#include "common/proc/fd_count.h"
#include "common/proc/proc_file.h"
#include "common/proc/proc_text.h"

namespace logcap {
namespace {

// StatusNumber as the signed figure a gauge takes, times `scale`.
std::optional<std::int64_t> StatusFigure(std::string_view status, std::string_view key, std::int64_t scale) {
  const std::optional<std::uint64_t> value = leakbench::procfs::StatusNumber(status, key);
  if (!value) return std::nullopt;
  return static_cast<std::int64_t>(*value) * scale;
}

}  // namespace

void ParseProcStatus(std::string_view status, ProcessStats& stats) {
  stats.threads = StatusFigure(status, "Threads:", 1);
  stats.resident_bytes = StatusFigure(status, "VmRSS:", 1024);  // the kernel writes "NNN kB"
}

ProcessStats ReadProcessStats(const std::string& proc_dir) {
  ProcessStats stats;
  std::string status;
  if (leakbench::procfs::ReadSmallFile(proc_dir + "/status", status) == 0) ParseProcStatus(status, stats);
  const bool own = proc_dir == "/proc/self" || proc_dir == "/proc/" + std::to_string(::getpid());
  leakbench::FdKinds fds;
  if (leakbench::CountFds(proc_dir + "/fd", own, fds) == 0) {
    stats.open_fds = static_cast<std::int64_t>(fds.total());
  }
  return stats;
}

}  // namespace logcap
