#include "core/position/adaptive_lookback.h"

#include <algorithm>
#include <cmath>

namespace logcap {

AdaptiveLookback::AdaptiveLookback(Options o) : o_(o) {
  o_.floor = std::max(o_.floor, std::chrono::nanoseconds(0));
  o_.cap = std::max(o_.cap, o_.floor);
  o_.margin = std::max(o_.margin, 1.0);
  o_.half_life = std::max(o_.half_life, std::chrono::nanoseconds(1));
}

double AdaptiveLookback::RecentNs(TimePoint now) const {
  if (recent_ns_ <= 0 || now <= recent_at_) return recent_ns_;
  const double halves = std::chrono::duration<double>(now - recent_at_) / std::chrono::duration<double>(o_.half_life);
  return recent_ns_ * std::exp2(-halves);
}

bool AdaptiveLookback::Observe(std::chrono::nanoseconds inversion, TimePoint now) {
  if (inversion.count() <= 0) return false;
  largest_ever_ns_ = std::max(largest_ever_ns_, static_cast<std::int64_t>(inversion.count()));
  const std::chrono::nanoseconds before = Current(now);
  const double recent = RecentNs(now);
  if (static_cast<double>(inversion.count()) <= recent) return false;
  recent_ns_ = static_cast<double>(inversion.count());
  recent_at_ = now;
  return Current(now) > before;
}

std::chrono::nanoseconds AdaptiveLookback::Current(TimePoint now) const {
  const double want = RecentNs(now) * o_.margin;
  if (want <= static_cast<double>(o_.floor.count())) return o_.floor;
  if (want >= static_cast<double>(o_.cap.count())) return o_.cap;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(want));
}

}  // namespace logcap
