// Reads values out of a Prometheus text exposition (what a target's
// /metrics answers): one unlabelled sample, every sample of a family, the
// number of series, and Go's pprof goroutine total. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace leakbench::harness {

// The value of an unlabelled sample ("name 12"), or nullopt.
std::optional<double> MetricValue(const std::string& text, const std::string& name);
// Every sample of metric `name` (any labels).
std::vector<double> MetricValues(const std::string& text, const std::string& name);
// Sample lines (not comments, not blank).
std::size_t SeriesCount(const std::string& text);
// "goroutine profile: total 83" (the first line of /debug/pprof/goroutine?debug=1).
std::optional<double> PprofGoroutineTotal(const std::string& text);

}  // namespace leakbench::harness
