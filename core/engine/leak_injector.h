// Deliberate leaks, one kind at a time, for testing the harness that must
// catch them (--inject-leak). At every rotation it keeps one more thread,
// fd, 64 KiB of memory or metric series; kStream asks the engine to leave
// the rotated stream open; kSeriesContainer keeps removed containers'
// series. Off (kNone) unless asked for. Everything it holds is released at
// destruction so the process still exits cleanly. Used on the loop thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/unique_fd.h"
#include "core/config/config.h"
#include "core/metrics/engine_metrics.h"

namespace logcap {

class LeakInjector {
 public:
  // Leaks at one rotation in `every` (1 = each rotation).
  LeakInjector(LeakKind kind, EngineMetrics& metrics, std::uint32_t every = 1);
  ~LeakInjector();
  LeakInjector(const LeakInjector&) = delete;
  LeakInjector& operator=(const LeakInjector&) = delete;

  void OnRotation();
  // kStream: the engine must not close the stream it is rotating now (asked
  // right after OnRotation()).
  bool keep_rotated_streams() const { return kind_ == LeakKind::kStream && leak_now_; }
  LeakKind kind() const { return kind_; }
  std::uint64_t leaked() const { return leaked_; }

 private:
  LeakKind kind_;
  EngineMetrics& metrics_;
  std::uint32_t every_;
  std::uint64_t rotations_ = 0;
  std::uint64_t leaked_ = 0;
  bool leak_now_ = false;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::vector<std::jthread> threads_;
  std::vector<leakbench::UniqueFd> fds_;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

}  // namespace logcap
