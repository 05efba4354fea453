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

  // First retained index whose timestamp is >= ts (end() if none).
  uint64_t LowerBound(UnixNanos ts) const;

 private:
  size_t retention_;
  uint64_t evicted_ = 0;
  std::deque<LogEntry> entries_;
};

}  // namespace fakedocker
