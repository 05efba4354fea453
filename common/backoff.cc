#include "common/backoff.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <utility>

namespace leakbench {
namespace {

void CheckInvariant(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "leakbench::Backoff: invariant violated: %s\n", what);
    std::abort();
  }
}

// Clamps the injected value into [0, 1) so a bad generator cannot push a
// delay out of its bounds.
double ClampToUnit(const Backoff::Uniform& u) {
  const double x = u();
  if (!(x >= 0.0)) return 0.0;  // also NaN
  return std::min(x, std::nextafter(1.0, 0.0));
}

}  // namespace

Backoff::Backoff(Options options, Uniform uniform)
    : options_(options), uniform_(std::move(uniform)) {
  CheckInvariant(options_.base.count() > 0, "base > 0");
  CheckInvariant(options_.base <= options_.cap, "base <= cap");
  CheckInvariant(options_.min_delay.count() >= 0 && options_.min_delay <= options_.cap,
        "0 <= min_delay <= cap");
  CheckInvariant(static_cast<bool>(uniform_), "uniform set");
}

Backoff::Duration Backoff::Ceiling() const {
  // Computed in double and compared before converting back, so 2^n never
  // overflows however many failures there were.
  const double ceiling =
      static_cast<double>(options_.base.count()) *
      std::ldexp(1.0, static_cast<int>(std::min<std::uint32_t>(failures_, 62)));
  const double cap = static_cast<double>(options_.cap.count());
  return ceiling >= cap ? options_.cap
                        : Duration(static_cast<Duration::rep>(ceiling));
}

Backoff::Duration Backoff::NextDelay() {
  const double u = ClampToUnit(uniform_);
  Duration delay;
  if (options_.jitter == Jitter::kFull) {
    delay = Duration(
        static_cast<Duration::rep>(u * static_cast<double>(Ceiling().count())));
  } else {
    // The upper end is clamped BEFORE drawing (unlike the textbook
    // min(cap, U(base, 3 * prev))), so saturated containers spread over
    // [base, cap] instead of piling up exactly at the cap.
    const Duration prev = failures_ == 0 ? options_.base : previous_;
    const double lo = static_cast<double>(options_.base.count());
    const double hi = std::clamp(3.0 * static_cast<double>(prev.count()), lo,
                                 static_cast<double>(options_.cap.count()));
    delay = Duration(static_cast<Duration::rep>(lo + u * (hi - lo)));
  }
  delay = std::clamp(delay, options_.min_delay, options_.cap);
  previous_ = delay;
  if (failures_ < UINT32_MAX) ++failures_;
  return delay;
}

void Backoff::Reset() {
  failures_ = 0;
  previous_ = Duration(0);
}

Backoff::Uniform Backoff::SeededUniform(std::uint64_t seed) {
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return [engine] {
    // 53 random bits -> [0, 1), identical on every platform (unlike
    // std::uniform_real_distribution, whose algorithm is unspecified).
    return static_cast<double>((*engine)() >> 11) * 0x1.0p-53;
  };
}

}  // namespace leakbench
