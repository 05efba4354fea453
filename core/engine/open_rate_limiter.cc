#include "core/engine/open_rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace logcap {

OpenRateLimiter::OpenRateLimiter(double per_second) {
  if (!std::isfinite(per_second) || per_second <= 0) return;
  limited_ = true;
  // Never below 1 ns: a huge rate is as good as no limit.
  interval_ = std::chrono::nanoseconds(std::max<std::int64_t>(1, std::llround(1e9 / per_second)));
  const double burst = std::max(1.0, std::floor(per_second));
  tolerance_ = std::chrono::nanoseconds(std::llround((burst - 1.0) * static_cast<double>(interval_.count())));
}

OpenRateLimiter::TimePoint OpenRateLimiter::Reserve(TimePoint now) {
  if (!limited_) return now;
  const TimePoint start = std::max(now, theoretical_ - tolerance_);
  theoretical_ = std::max(theoretical_, now) + interval_;
  if (start > now) ++delayed_;
  return start;
}

}  // namespace logcap
