// Time helpers shared by the engine's files: the wall clock as Docker counts
// it (ns since the epoch), durations in whole milliseconds (log messages,
// libcurl timeouts) and in seconds (log messages). Pure; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace logcap {

inline std::int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::chrono::milliseconds Ms(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

inline double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace logcap
