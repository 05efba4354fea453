#include "core/metrics/process_stats.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <memory>
#include <sstream>

namespace logcap {
namespace {

// The first integer after `field` ("Threads:") on its line, times `scale`.
std::optional<std::int64_t> Field(std::string_view status, std::string_view field,
                                  std::int64_t scale) {
  std::size_t at = 0;
  while (at < status.size()) {
    const std::size_t end = std::min(status.find('\n', at), status.size());
    std::string_view line = status.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(field)) continue;
    line.remove_prefix(field.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
    if (ec != std::errc() || ptr == line.data()) return std::nullopt;
    return value * scale;
  }
  return std::nullopt;
}

// Entries of `fd_dir`; `skip_own` leaves out the descriptor that lists it
// (when the directory is this process's own).
std::optional<std::int64_t> CountFds(const std::string& fd_dir, bool skip_own) {
  struct Closer {
    void operator()(DIR* d) const { ::closedir(d); }
  };
  const std::unique_ptr<DIR, Closer> dir(::opendir(fd_dir.c_str()));
  if (!dir) return std::nullopt;
  const std::string own = std::to_string(::dirfd(dir.get()));
  std::int64_t n = 0;
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == ".." || (skip_own && name == own)) continue;
    ++n;
  }
  return n;
}

}  // namespace

void ParseProcStatus(std::string_view status, ProcessStats& stats) {
  stats.threads = Field(status, "Threads:", 1);
  stats.resident_bytes = Field(status, "VmRSS:", 1024);  // the kernel writes "NNN kB"
}

ProcessStats ReadProcessStats(const std::string& proc_dir) {
  ProcessStats stats;
  {
    std::ifstream status(proc_dir + "/status");  // closed before fd/ is counted
    if (status) {
      std::ostringstream text;
      text << status.rdbuf();
      ParseProcStatus(text.str(), stats);
    }
  }
  const bool own = proc_dir == "/proc/self" || proc_dir == "/proc/" + std::to_string(::getpid());
  stats.open_fds = CountFds(proc_dir + "/fd", own);
  return stats;
}

}  // namespace logcap
