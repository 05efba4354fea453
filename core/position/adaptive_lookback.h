// How far before its position a follower reopens, grown from the stdout/stderr timestamp inversions it has seen.
#pragma once

#include <chrono>
#include <cstdint>

namespace logcap {

// dockerd stamps stdout and stderr in separate goroutines and stores lines
// in the order they are written, while `since=` filters each record by its
// own stamp. A reopen at since = position - L loses every line stamped more
// than L before a line stored ahead of it that the stream had not carried
// yet. On a quiet daemon inversions are a few ms; on a CPU-starved one a
// stream's copier falls behind by seconds (docs/docker-semantics.md).
//
// The lookback therefore follows the largest inversion seen recently on the
// daemon (any container: the cause is the daemon's scheduling, not one
// container): `margin` times that, never below `floor` nor above `cap`. The
// recent largest decays by half every `half_life` without a larger one, so
// one stall does not make every later reopen replay seconds of lines.
// Not thread-safe: owned by the engine's event loop. Time is passed in.
class AdaptiveLookback {
 public:
  struct Options {
    std::chrono::nanoseconds floor = std::chrono::milliseconds(10);
    std::chrono::nanoseconds cap = std::chrono::seconds(30);
    double margin = 2.0;
    std::chrono::nanoseconds half_life = std::chrono::minutes(10);
  };
  using TimePoint = std::chrono::steady_clock::time_point;

  AdaptiveLookback() : AdaptiveLookback(Options{}) {}
  explicit AdaptiveLookback(Options o);

  // A frame arrived `inversion` behind the position of its container.
  // Returns true when the lookback grew by this observation.
  bool Observe(std::chrono::nanoseconds inversion, TimePoint now);
  // The lookback to use from `now` on.
  std::chrono::nanoseconds Current(TimePoint now) const;
  // The largest inversion ever observed (for the log and the metrics).
  std::chrono::nanoseconds largest_ever() const { return std::chrono::nanoseconds(largest_ever_ns_); }

 private:
  double RecentNs(TimePoint now) const;  // the decayed recent largest

  Options o_;
  double recent_ns_ = 0;  // as of recent_at_
  TimePoint recent_at_{};
  std::int64_t largest_ever_ns_ = 0;
};

}  // namespace logcap
