#include "core/position/position.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace logcap {

std::uint64_t Position::replay_count() const {
  // Saturating: counts come from a state file and could be absurd.
  std::uint64_t n = count;
  for (const auto& e : earlier) {
    n = e.second > std::numeric_limits<std::uint64_t>::max() - n
            ? std::numeric_limits<std::uint64_t>::max()
            : n + e.second;
  }
  return n;
}

std::string FormatSince(std::int64_t ts_ns) {
  constexpr std::int64_t kNsPerSec = 1'000'000'000;
  const std::int64_t ts = std::max<std::int64_t>(ts_ns, 0);
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%lld.%09lld",
                              static_cast<long long>(ts / kNsPerSec),
                              static_cast<long long>(ts % kNsPerSec));
  return std::string(buf, static_cast<std::size_t>(n));
}

namespace {

// ts - lookback without underflow.
std::int64_t Back(std::int64_t ts, std::int64_t lookback) {
  return ts < std::numeric_limits<std::int64_t>::min() + lookback
             ? std::numeric_limits<std::int64_t>::min()
             : ts - lookback;
}

}  // namespace

PositionTracker::AdvanceResult PositionTracker::Advance(std::int64_t ts_ns) {
  if (pos_.empty()) {
    pos_ = Position(ts_ns, 1);
    pruned_ = 0;
    pos_.since_ns = Back(ts_ns, lookback_ns_);
    return AdvanceResult::kNewTimestamp;
  }
  if (ts_ns > pos_.ts_ns) {
    if (lookback_ns_ > 0) pos_.earlier.emplace_back(pos_.ts_ns, pos_.count);
    pos_.ts_ns = ts_ns;
    pos_.count = 1;
    // since only ever moves up: every earlier reopen started at or before it.
    pos_.since_ns = std::max(pos_.since_ns, Back(ts_ns, lookback_ns_));
    Prune();
    return AdvanceResult::kNewTimestamp;
  }
  if (ts_ns == pos_.ts_ns) {
    ++pos_.count;
    return AdvanceResult::kSameTimestamp;
  }
  ++out_of_order_;
  last_inversion_ns_ = pos_.ts_ns - ts_ns;
  max_inversion_ns_ = std::max(max_inversion_ns_, last_inversion_ns_);
  if (ts_ns >= pos_.since_ns) {
    // The daemon will replay it on the next reopen: remember it.
    auto it = std::lower_bound(
        pos_.earlier.begin() + static_cast<std::ptrdiff_t>(pruned_), pos_.earlier.end(), ts_ns,
        [](const auto& e, std::int64_t t) { return e.first < t; });
    if (it != pos_.earlier.end() && it->first == ts_ns) {
      ++it->second;
    } else {
      pos_.earlier.insert(it, {ts_ns, 1});
    }
    Prune();
  }
  return AdvanceResult::kOutOfOrder;
}

PositionTracker::AdvanceResult PositionTracker::Advance(std::int64_t ts_ns,
                                                        std::uint64_t frames) {
  if (frames == 0) return AdvanceResult::kSameTimestamp;
  const AdvanceResult first = Advance(ts_ns);
  for (std::uint64_t i = 1; i < frames; ++i) Advance(ts_ns);
  return first;
}

void PositionTracker::Prune() {
  auto& e = pos_.earlier;
  const std::size_t live = e.size() - pruned_;
  if (live > kMaxEarlier) {
    // Too many distinct timestamps in the window: start later, just after
    // the entries we drop.
    const std::size_t drop = live - kMaxEarlier;
    pos_.since_ns = std::max(pos_.since_ns, e[pruned_ + drop - 1].first + 1);
  }
  // Sorted: what fell before since is a prefix of the live entries.
  while (pruned_ < e.size() && e[pruned_].first < pos_.since_ns) ++pruned_;
  // Erasing once the dead entries outnumber the live ones moves each live
  // entry at most once per entry appended since: O(1) amortised.
  constexpr std::size_t kMinErase = 64;
  if (pruned_ >= kMinErase && pruned_ >= e.size() - pruned_) Compact();
}

void PositionTracker::Compact() const {
  if (pruned_ == 0) return;
  entries_moved_ += pos_.earlier.size() - pruned_;
  pos_.earlier.erase(pos_.earlier.begin(),
                     pos_.earlier.begin() + static_cast<std::ptrdiff_t>(pruned_));
  pruned_ = 0;
}

}  // namespace logcap
