// Deliberate faults (--inject-fault), so that leakbench can show each of its
// criteria failing; --inject-leak covers the leaks. Each fault imitates a
// buggy engine at one spot of Engine, which asks this class through a bool
// first (drops_lines(), ...), so the normal path costs one branch:
//
//   drop-line:N          every N-th line handed to the sink is not written,
//                        but the position moves past it (log_loss fails;
//                        the daemon sent it, so daemon-side delivery holds)
//   duplicate-on-reopen  a reopen asks since = last delivered timestamp -
//                        kDuplicateRewind and drops nothing as already
//                        delivered (log_loss fails on duplicates)
//   skip-container:N     the N-th, 2N-th, ... container discovered is never
//                        followed (capture fails)
//   error-lines:N        one error-level line through the engine's logger
//                        every N rotations (engine_errors fails)
//   threads-at-start:N   N idle threads from construction to destruction,
//                        constant in between (threads_baseline fails, the
//                        growth criteria do not)
//   late-since:S         a reopen asks since = last delivered timestamp + S s:
//                        what the container wrote in between is never asked
//                        for (daemon-side delivery and log_loss fail)
//
// Off unless configured; when any is on, the constructor logs one warning
// naming them. Used on the engine's loop thread (the idle threads only wait);
// counters readable from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "core/config/config.h"

namespace logcap {

class FaultInjector {
 public:
  // duplicate-on-reopen asks this far before the last delivered line.
  static constexpr std::chrono::seconds kDuplicateRewind{3};

  // Starts threads-at-start's threads; logs the warning.
  explicit FaultInjector(const FaultConfig& config);
  // Stops and joins the idle threads.
  ~FaultInjector();
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // drop-line: ask DropsNextLine() for the line about to be written, then
  // CountLine() once it is written or dropped (a line the sink refused is
  // asked again, not counted twice).
  bool drops_lines() const { return drop_every_ != 0; }
  bool DropsNextLine() const { return (lines_seen_ + 1) % drop_every_ == 0; }
  void CountLine(bool dropped);

  // skip-container: once for each container discovered (never again for the
  // same one); true when this one must never be followed.
  bool skips_containers() const { return skip_every_ != 0; }
  bool SkipNextContainer();

  // error-lines: once per rotation; logs the error line when due.
  bool logs_errors() const { return error_every_ != 0; }
  void OnRotation();

  // duplicate-on-reopen and late-since: the since (Unix ns) of a reopen
  // whose last delivered line is stamped `last_ts_ns`, asked instead of the
  // position's; the engine then drops nothing as already delivered.
  bool moves_since() const { return rewind_ns_ != 0 || late_ns_ != 0; }
  std::int64_t ReopenSinceNs(std::int64_t last_ts_ns) const;

  // What the faults did so far.
  std::uint64_t dropped_lines() const { return dropped_lines_.load(std::memory_order_relaxed); }
  std::uint64_t skipped_containers() const { return skipped_containers_.load(std::memory_order_relaxed); }
  std::uint64_t error_lines() const { return error_lines_.load(std::memory_order_relaxed); }
  std::size_t idle_threads() const { return threads_.size(); }

 private:
  FaultConfig config_;
  std::uint32_t drop_every_;
  std::uint32_t skip_every_;
  std::uint32_t error_every_;
  std::int64_t rewind_ns_;
  std::int64_t late_ns_;
  std::uint64_t lines_seen_ = 0;
  std::uint64_t containers_seen_ = 0;
  std::uint64_t rotations_ = 0;
  std::atomic<std::uint64_t> dropped_lines_{0};
  std::atomic<std::uint64_t> skipped_containers_{0};
  std::atomic<std::uint64_t> error_lines_{0};
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::vector<std::jthread> threads_;  // last: joined before the rest goes
};

}  // namespace logcap
