// Reads figures out of the text of /proc files already in memory: a
// "Key: value" line of status or smaps_rollup, utime + stime of stat,
// schedstat's run-queue wait and loadavg's three averages. Pure functions
// on string_views (no streams, no regex); thread-safe.
#pragma once

#include <cstdint>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace leakbench::procfs {

// The first unsigned number after `key` ("Threads:", "VmRSS:", "Pss:"; the
// colon included) on the line that starts with it; nullopt when there is no
// such line or no number after it. Units ("kB") are left to the caller.
std::optional<std::uint64_t> StatusNumber(std::string_view text, std::string_view key);

// Splits /proc/<pid>/stat text after the last ')' (the comm field may hold
// spaces and parentheses) into its blank-separated fields: out[0] is field 3
// (state), out[k] field k + 3. Fills at most out.size() of them and returns
// how many it found (0 when there is no ')').
std::size_t SplitStatFields(std::string_view stat, std::span<std::string_view> out);

// utime + stime in clock ticks from /proc/<pid>/stat text. The comm field (2)
// is in parentheses and may itself hold spaces and parentheses, so fields are
// counted from after the last ')'. nullopt when there are too few fields.
std::optional<std::uint64_t> StatCpuTicks(std::string_view stat);

// The second field of /proc/<pid>/schedstat: nanoseconds the task was
// runnable but waiting for a CPU; nullopt if malformed.
std::optional<std::uint64_t> SchedstatRunDelayNs(std::string_view schedstat);

// The three load averages of /proc/loadavg text ("1.00 0.50 0.25 2/300 1234"
// gives "1.00 0.50 0.25").
std::string LoadAverages(std::string_view loadavg);

}  // namespace leakbench::procfs
