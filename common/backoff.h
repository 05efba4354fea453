// Exponential backoff with jitter for reconnecting a container's stream after
// a 5xx, a refused connection or a reset. The randomness is injected (a
// function returning uniform doubles in [0, 1)), so tests are deterministic
// and many Backoffs can share one generator (the engine's); the caller owns
// the clock and decides when to retry. One Backoff per container, used on
// the event loop; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace leakbench {

class Backoff {
 public:
  using Duration = std::chrono::nanoseconds;
  // Returns a uniform double in [0, 1). Called once per NextDelay().
  using Uniform = std::function<double()>;

  enum class Jitter {
    // AWS "full jitter": U(0, min(cap, base * 2^n)). Widest spread.
    kFull,
    // "decorrelated jitter": U(base, min(cap, 3 * previous)). Never below
    // base, grows on average by ~2x per failure; at the cap it stays spread
    // over [base, cap] rather than collapsing onto the cap.
    kDecorrelated,
  };

  struct Options {
    Duration base = std::chrono::milliseconds(250);
    Duration cap = std::chrono::seconds(30);
    Jitter jitter = Jitter::kFull;
    // Lower bound on every delay, so full jitter can never make a tight
    // reconnect loop against a failing daemon.
    Duration min_delay = std::chrono::milliseconds(10);
  };

  // Requires 0 < base <= cap and 0 <= min_delay <= cap (checked, aborts).
  Backoff(Options options, Uniform uniform);

  // Delay before the next attempt after one more failure.
  Duration NextDelay();
  // After a success: the next failure starts from base again.
  void Reset();

  // Failures since the last Reset().
  std::uint32_t failures() const { return failures_; }
  const Options& options() const { return options_; }

  // A Uniform backed by its own std::mt19937_64 seeded with `seed`.
  static Uniform SeededUniform(std::uint64_t seed);

 private:
  Duration Ceiling() const;  // min(cap, base * 2^failures_)

  Options options_;
  Uniform uniform_;
  std::uint32_t failures_ = 0;
  Duration previous_{0};  // last delay (decorrelated jitter)
};

}  // namespace leakbench
