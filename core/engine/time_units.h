// Time helpers shared by the engine's files: the wall clock as Docker counts
// it (ns since the epoch) and durations in whole milliseconds (log messages,
// libcurl timeouts). Pure; thread-safe.
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

}  // namespace logcap
