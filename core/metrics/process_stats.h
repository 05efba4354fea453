// Reads this process's own figures from /proc: thread count, open file
// descriptors and resident memory, as a leak harness would see them (read
// with common/proc, the harness's own readers). Used by the metrics endpoint
// at every scrape. Pure functions over /proc; a field is empty when /proc
// could not tell. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logcap {

struct ProcessStats {
  std::optional<std::int64_t> threads;         // "Threads:" of status
  std::optional<std::int64_t> open_fds;        // entries of fd/
  std::optional<std::int64_t> resident_bytes;  // "VmRSS:" of status
};

// Reads `proc_dir`/status and `proc_dir`/fd ("/proc/self" by default; tests
// may pass "/proc/<pid>"). The descriptor used to list fd/ is not counted.
ProcessStats ReadProcessStats(const std::string& proc_dir = "/proc/self");

// Fills threads and resident_bytes from the text of a /proc/<pid>/status.
void ParseProcStatus(std::string_view status, ProcessStats& stats);

}  // namespace logcap
