// The PromQL range queries a fleet verdict needs (threads, fds, RSS, goroutines, open streams, rotations, process start time), each one query for the whole selector, aggregated by the grouping labels; and the grouping of their answers into instances.
// log-capturer's own gauges are preferred; the standard process_* and
// go_* gauges of any exporter stand in (PromQL `or`, per instance and
// step). Pure; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/fleet/prom_client.h"
#include "harness/fleet/prom_matrix.h"

namespace leakbench::harness {

// kAgeAll / kAgeWithin: log_capturer_container_stream_age_seconds_bucket at
// le="+Inf" and at the bucket the rotation bound is judged at; kErrors: the
// engine's error counters but not_found and conflict.
enum class Resource : std::size_t {
  kThreads, kFds, kRss, kGoroutines, kStreamsActive, kRotations, kStartTime, kAgeAll, kAgeWithin, kErrors
};
inline constexpr std::size_t kResourceCount = 10;

// "threads", "fds", ...
const char* ResourceName(Resource r);
// The metric names a resource is read from, in order of preference, for messages.
std::string ResourceMetrics(Resource r);

class FleetQueryError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// --selector must be a label matcher set ("{job=\"log-capturer\"}", "{}"
// for everything); --by one or more label names. Throws FleetQueryError
// saying what is accepted.
void CheckSelector(const std::string& selector);
std::vector<std::string> ParseByLabels(const std::string& by);

// `metric{matchers}` for a selector "{matchers}" (CheckSelector's shape),
// with `extra` matchers (`le="+Inf"`) added: "log_capturer_process_threads{job=\"x\"}".
std::string SelectSeries(const std::string& metric, const std::string& selector, const std::string& extra = "");

// The first bucket of log_capturer_container_stream_age_seconds at or above
// `seconds` (rotation interval + tolerance), or nullopt above the top one.
std::optional<double> StreamAgeBucketAtOrAbove(double seconds);

// One query per Resource, in Resource order; without `age_bucket` the two
// stream-age queries have an empty expr (not to be sent).
std::vector<RangeQuery> FleetQueries(const std::string& selector, const std::vector<std::string>& by,
                                     std::optional<double> age_bucket = std::nullopt);

// One instance: the values of the grouping labels and every resource's series.
struct InstanceData {
  std::string key;  // "host1:9464" (one grouping label) or "instance=host1:9464, job=x"
  Labels labels;    // the grouping labels
  std::array<std::vector<Point>, kResourceCount> series;
};

// Groups the answers of FleetQueries (result[i] for Resource i) by the
// grouping labels; instances in key order. A series without a grouping
// label is grouped under its empty value.
std::vector<InstanceData> GroupInstances(std::vector<std::vector<RangeSeries>>&& answers,
                                         const std::vector<std::string>& by);

}  // namespace leakbench::harness
