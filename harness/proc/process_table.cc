// ProcessTable: one record per (pid, start time) while there is room; peaks
// are computed over the whole sample, so a full table never hides a process
// from the per-process bound.
#include "harness/proc/process_table.h"

#include <algorithm>
#include <utility>

namespace leakbench::harness {

ProcessTable::ProcessTable(std::size_t max_tracked) : max_tracked_(max_tracked) {}

ProcessPeak ProcessTable::Add(double t, const ProcessTreeSample& sample) {
  ProcessPeak peak;
  peak.t = t;
  if (!sample.ok) return peaks_.emplace_back(peak);
  std::unordered_set<Key, KeyHash> untracked_now;
  for (const ProcessEntry& p : sample.processes) {
    const ProcSample& s = p.sample;
    ++peak.processes;
    if (peak.threads_max_pid == 0 || s.threads > peak.threads_max) {
      peak.threads_max = s.threads;
      peak.threads_max_pid = p.pid;
    }
    if (peak.fds_max_pid == 0 || s.fds.total() > peak.fds_max) {
      peak.fds_max = s.fds.total();
      peak.fds_max_pid = p.pid;
    }
    if (peak.rss_max_pid == 0 || s.rss_bytes > peak.rss_max_bytes) {
      peak.rss_max_bytes = s.rss_bytes;
      peak.rss_max_pid = p.pid;
    }

    ProcessRecord* record = nullptr;
    if (const auto it = latest_.find(p.pid); it != latest_.end()) {
      ProcessRecord& known = records_[it->second];
      if (known.start_ticks == p.start_ticks) record = &known;
    }
    if (record == nullptr) {
      const Key key{p.pid, p.start_ticks};
      if (records_.size() >= max_tracked_) {
        if (!untracked_prev_.contains(key)) ++untracked_;
        untracked_now.insert(key);
        continue;
      }
      latest_[p.pid] = records_.size();
      record = &records_.emplace_back();
      record->pid = p.pid;
      record->start_ticks = p.start_ticks;
      record->first_seen_t = t;
    }
    record->comm = p.comm;
    record->last_seen_t = t;
    ++record->samples;
    record->threads_max = std::max(record->threads_max, s.threads);
    record->fds_max = std::max(record->fds_max, s.fds.total());
    record->rss_max_bytes = std::max(record->rss_max_bytes, s.rss_bytes);
    record->by_marker = record->by_marker || p.by_marker;
  }
  untracked_prev_ = std::move(untracked_now);
  return peaks_.emplace_back(peak);
}

}  // namespace leakbench::harness
