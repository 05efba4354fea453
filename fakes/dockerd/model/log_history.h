// The bounded log a synthetic container keeps, like the json-file the daemon
// still holds: since/until/tail read from it, follow streams keep a cursor
// into it. Entries are addressed by absolute index (0 = first line ever), so
// a cursor stays valid while old entries are evicted. Not thread-safe: owned
// by the daemon's event loop.
#pragma once

#include <cstdint>
#include <deque>

#include "fakes/dockerd/model/log_entry.h"

namespace fakedocker {

class LogHistory {
 public:
  explicit LogHistory(size_t retention) : retention_(retention == 0 ? 1 : retention) {}

  void Append(const LogEntry& entry);

  uint64_t begin() const { return evicted_; }                    // oldest retained
  uint64_t end() const { return evicted_ + entries_.size(); }   // one past newest
  bool empty() const { return entries_.empty(); }
  const LogEntry& at(uint64_t index) const { return entries_[index - evicted_]; }
  const LogEntry& back() const { return entries_.back(); }
  uint64_t evicted() const { return evicted_; }
  size_t retention() const { return retention_; }

  // A retained index such that every retained entry before it is stamped
  // before ts: with monotone stamps the first one stamped >= ts (end() if
  // none). Stamps need not be monotone (stderr_lag, like a starved dockerd),
  // so entries from it on may still be stamped before ts: a `since` reader
  // filters each one, as dockerd does. O(log n).
  uint64_t LowerBound(UnixNanos ts) const;

 private:
  size_t retention_;
  uint64_t evicted_ = 0;
  std::deque<LogEntry> entries_;
  // The largest stamp of every entry up to each retained one: a monotone key
  // to binary-search when the stamps are not. Empty while they are monotone
  // (it would repeat each stamp), so the usual history keeps 24 bytes a line.
  std::deque<UnixNanos> max_ts_;
};

}  // namespace fakedocker
