// A prometheus-cpp Collectable that reads this process's threads, open fds
// and resident memory (process_stats.h) at every Collect(), so each scrape
// sees fresh figures without a sampling thread. Families:
//   log_capturer_process_threads, log_capturer_process_open_fds,
//   log_capturer_process_resident_memory_bytes (all gauges).
// Owned by EngineMetrics and registered with its Exposer; stateless, so
// thread-safe.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace logcap {

class ProcessCollector : public prometheus::Collectable {
 public:
  // `proc_dir` as for ReadProcessStats().
  explicit ProcessCollector(std::string proc_dir = "/proc/self");

  // One family per figure /proc could tell.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string proc_dir_;
};

}  // namespace logcap
