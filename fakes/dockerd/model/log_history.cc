#include "fakes/dockerd/model/log_history.h"

#include <algorithm>

namespace fakedocker {

void LogHistory::Append(const LogEntry& entry) {
  if (max_ts_.empty() && !entries_.empty() && entry.ts < entries_.back().ts) {
    // The first entry stamped before an earlier-stored one: until now each
    // stamp was the running maximum.
    for (const LogEntry& e : entries_) max_ts_.push_back(e.ts);
  }
  entries_.push_back(entry);
  if (!max_ts_.empty()) max_ts_.push_back(std::max(max_ts_.back(), entry.ts));
  if (entries_.size() > retention_) {
    entries_.pop_front();
    if (!max_ts_.empty()) max_ts_.pop_front();
    ++evicted_;
  }
}

uint64_t LogHistory::LowerBound(UnixNanos ts) const {
  if (max_ts_.empty()) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), ts,
                               [](const LogEntry& e, UnixNanos t) { return e.ts < t; });
    return evicted_ + static_cast<uint64_t>(it - entries_.begin());
  }
  // The running maximum may count evicted entries: still monotone, and still
  // >= every retained stamp up to it, so the entries before the answer are
  // all stamped before ts.
  auto it = std::lower_bound(max_ts_.begin(), max_ts_.end(), ts);
  return evicted_ + static_cast<uint64_t>(it - max_ts_.begin());
}

}  // namespace fakedocker
