// A synthetic fleet history in OpenMetrics text (for `promtool tsdb create-blocks-from openmetrics`) with known truth: healthy instances with noise, spikes, one-off steps, scrape gaps and restarts; leaking ones (threads, fds, RSS, also across a restart); some too short or missing a metric.
// Deterministic for a seed. Used by the Prometheus tests and the fleet benchmark.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace leakbench::harness::testing {

struct SyntheticSpec {
  double start = 1764547200;  // Unix seconds (2025-12-01T00:00:00Z)
  double duration_s = 2 * 3600;
  double scrape_s = 30;
  std::size_t instances = 300;
  std::uint64_t seed = 1;
  // Leak rates, per minute (the test's bounds sit well below them).
  double thread_leak_per_min = 0.5;
  double fd_leak_per_min = 1.0;
  double rss_leak_mib_per_min = 0.6;
};

// What an instance is, and the verdict a right judge gives it.
enum class Truth { kHealthy, kLeaking, kTooShort, kMissingMetric };
const char* TruthName(Truth truth);

struct SyntheticInstance {
  std::string instance;  // the `instance` label
  std::string kind;      // "healthy", "healthy-restart", "leak-threads", ...
  Truth truth = Truth::kHealthy;
  std::size_t restarts = 0;
};

// Every kind, in the order instances cycle through them.
const std::vector<std::string>& SyntheticKinds();

// Writes the whole history (job="log-capturer") and "# EOF"; returns the
// instances in the order written.
std::vector<SyntheticInstance> WriteSyntheticFleet(const SyntheticSpec& spec, std::ostream& out);

}  // namespace leakbench::harness::testing
