#include "fakes/dockerd/model/log_history.h"

#include <algorithm>

namespace fakedocker {

void LogHistory::Append(const LogEntry& entry) {
  entries_.push_back(entry);
  if (entries_.size() > retention_) {
    entries_.pop_front();
    ++evicted_;
  }
}

uint64_t LogHistory::LowerBound(UnixNanos ts) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), ts,
                             [](const LogEntry& e, UnixNanos t) { return e.ts < t; });
  return evicted_ + static_cast<uint64_t>(it - entries_.begin());
}

}  // namespace fakedocker
