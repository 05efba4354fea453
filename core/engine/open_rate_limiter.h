// Spaces follow-stream opens toward the daemon: at most `per_second` opens
// a second on average, with a burst of one second's worth. Every open costs
// dockerd a container lookup and a seek in the log file, so a pool of
// thousands of streams must not reopen faster than a real daemon serves.
// A generic cell rate algorithm with time passed in (no clock), so it is
// unit-tested with injected times. Not thread-safe: owned by the engine's
// loop thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace logcap {

class OpenRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  // per_second <= 0 or not finite: no limit.
  explicit OpenRateLimiter(double per_second);

  // Reserves the next open and returns when it may happen: `now` when the
  // budget allows it, else the earliest later moment (opens reserved while
  // delayed queue up behind each other, in call order).
  TimePoint Reserve(TimePoint now);

  // Opens that Reserve had to delay so far.
  std::uint64_t delayed() const { return delayed_; }

 private:
  std::chrono::nanoseconds interval_{0};   // 1 / per_second
  std::chrono::nanoseconds tolerance_{0};  // the burst, as a time credit
  TimePoint theoretical_{};                // when the budget is next full
  bool limited_ = false;
  std::uint64_t delayed_ = 0;
};

}  // namespace logcap
