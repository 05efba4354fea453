#include "core/metrics/process_collector.h"

#include <utility>

#include "core/metrics/process_stats.h"

namespace logcap {
namespace {

void AddGauge(std::vector<prometheus::MetricFamily>& out, const char* name, const char* help,
              const std::optional<std::int64_t>& value) {
  if (!value) return;
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric metric;
  metric.gauge.value = static_cast<double>(*value);
  family.metric.push_back(std::move(metric));
  out.push_back(std::move(family));
}

}  // namespace

ProcessCollector::ProcessCollector(std::string proc_dir) : proc_dir_(std::move(proc_dir)) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  const ProcessStats stats = ReadProcessStats(proc_dir_);
  std::vector<prometheus::MetricFamily> out;
  AddGauge(out, "log_capturer_process_threads", "Threads of the log-capturer process, read from /proc at scrape time.",
           stats.threads);
  AddGauge(out, "log_capturer_process_open_fds",
           "Open file descriptors of the log-capturer process, read from /proc at scrape time.",
           stats.open_fds);
  AddGauge(out, "log_capturer_process_resident_memory_bytes",
           "Resident memory (VmRSS) of the log-capturer process in bytes, read from /proc at scrape time.",
           stats.resident_bytes);
  return out;
}

}  // namespace logcap
