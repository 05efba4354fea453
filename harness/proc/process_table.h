// Per-process figures over a run, folded from successive ProcessTreeSamples:
// each process's first and last sighting and peaks, and each sample's
// largest process, so a bound per process ("threads per follower <= 100")
// is judged per process, not on the sum. Memory is bounded by max_tracked
// processes (plus one ProcessPeak per sample). Not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "harness/proc/process_tree.h"

namespace leakbench::harness {

// One process over the run: (pid, start_ticks) names it, so a reused pid is
// a new record.
struct ProcessRecord {
  pid_t pid = 0;
  std::uint64_t start_ticks = 0;
  std::string comm;  // as last seen (exec changes it)
  double first_seen_t = 0;
  double last_seen_t = 0;
  std::size_t samples = 0;  // how many samples saw it
  std::size_t threads_max = 0;
  std::size_t fds_max = 0;
  std::uint64_t rss_max_bytes = 0;
  bool by_marker = false;  // ever found by the marker only (an orphan)
};

// The largest process of one sample (over every process in it, tracked or
// not). pid 0 when the sample had no process.
struct ProcessPeak {
  double t = 0;
  std::size_t processes = 0;
  std::size_t threads_max = 0;
  pid_t threads_max_pid = 0;
  std::size_t fds_max = 0;
  pid_t fds_max_pid = 0;
  std::uint64_t rss_max_bytes = 0;
  pid_t rss_max_pid = 0;
};

class ProcessTable {
 public:
  static constexpr std::size_t kDefaultMaxTracked = 10'000;

  explicit ProcessTable(std::size_t max_tracked = kDefaultMaxTracked);

  // Folds the sample taken `t` seconds into the run and returns its peaks
  // (also appended to peaks()). A sample that is not ok adds a peak of zero
  // processes. Peaks are the largest process, first one on a tie.
  ProcessPeak Add(double t, const ProcessTreeSample& sample);

  const std::vector<ProcessRecord>& records() const { return records_; }  // in order first seen
  const std::vector<ProcessPeak>& peaks() const { return peaks_; }        // one per Add
  // Distinct processes seen after the table was full: not in records(), but
  // in every peak.
  std::size_t untracked() const { return untracked_; }
  std::size_t max_tracked() const { return max_tracked_; }

 private:
  struct Key {
    pid_t pid;
    std::uint64_t start_ticks;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      return std::hash<std::uint64_t>()((static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.pid)) << 40) ^
                                        k.start_ticks);
    }
  };

  std::size_t max_tracked_;
  std::vector<ProcessRecord> records_;
  std::unordered_map<pid_t, std::size_t> latest_;  // pid -> its latest record
  std::vector<ProcessPeak> peaks_;
  std::size_t untracked_ = 0;
  // Untracked processes of the previous sample: a process is counted once,
  // when first seen (memory bounded by the processes alive at once).
  std::unordered_set<Key, KeyHash> untracked_prev_;
};

}  // namespace leakbench::harness
