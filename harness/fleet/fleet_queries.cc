#include "harness/fleet/fleet_queries.h"

#include <algorithm>
#include <cstdio>

#include "common/stream_age_buckets.h"

namespace leakbench::harness {
namespace fleet_queries {

bool LabelNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

std::string Join(const std::vector<std::string>& by) {
  std::string out;
  for (const auto& l : by) out += (out.empty() ? "" : ", ") + l;
  return out;
}

// agg by (labels) (first{sel}) or agg by (labels) (second{sel}) ...
std::string Expr(const char* agg, const std::vector<std::string>& metrics, const std::string& selector,
                 const std::vector<std::string>& by, const std::string& extra = "") {
  std::string out;
  for (const auto& m : metrics) {
    if (!out.empty()) out += " or ";
    out += std::string(agg) + " by (" + Join(by) + ") (" + SelectSeries(m, selector, extra) + ")";
  }
  return out;
}

struct ResourceSpec {
  const char* name;
  const char* agg;
  std::vector<std::string> metrics;
};

const std::array<ResourceSpec, kResourceCount>& Specs() {
  static const std::array<ResourceSpec, kResourceCount> specs = {{
      {"threads", "sum", {"log_capturer_process_threads", "go_threads"}},
      {"fds", "sum", {"log_capturer_process_open_fds", "process_open_fds"}},
      {"rss", "sum", {"log_capturer_process_resident_memory_bytes", "process_resident_memory_bytes"}},
      {"goroutines", "sum", {"go_goroutines"}},
      {"streams_active", "sum", {"log_capturer_container_streams_active"}},
      {"rotations", "sum", {"log_capturer_container_stream_rotations_total"}},
      // The newest process of the group: a change is a restart.
      {"start_time", "max", {"process_start_time_seconds"}},
      // Counters of the rotation and engine_errors criteria (their matchers: FleetQueries).
      {"stream_age_all", "sum", {"log_capturer_container_stream_age_seconds_bucket"}},
      {"stream_age_within", "sum", {"log_capturer_container_stream_age_seconds_bucket"}},
      {"errors", "sum", {"log_capturer_container_stream_errors_total"}},
  }};
  return specs;
}

}  // namespace fleet_queries

const char* ResourceName(Resource r) { return fleet_queries::Specs()[static_cast<std::size_t>(r)].name; }

std::string ResourceMetrics(Resource r) {
  std::string out;
  for (const auto& m : fleet_queries::Specs()[static_cast<std::size_t>(r)].metrics) out += (out.empty() ? "" : " or ") + m;
  return out;
}

void CheckSelector(const std::string& selector) {
  if (selector.size() < 2 || selector.front() != '{' || selector.back() != '}') {
    throw FleetQueryError("--selector '" + selector.substr(0, 200) +
                          "': give a label matcher set in braces, e.g. {job=\"log-capturer\"} or {} (the metric "
                          "names are leakbench's)");
  }
}

std::vector<std::string> ParseByLabels(const std::string& by) {
  std::vector<std::string> labels;
  std::string cur;
  auto flush = [&] {
    if (cur.empty()) throw FleetQueryError("--by '" + by + "': an empty label name (give names separated by commas)");
    for (std::size_t i = 0; i < cur.size(); ++i) {
      if (!fleet_queries::LabelNameChar(cur[i], i == 0)) {
        throw FleetQueryError("--by '" + by + "': '" + cur + "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
      }
    }
    labels.push_back(cur);
    cur.clear();
  };
  for (char c : by) {
    if (c == ',') {
      flush();
    } else if (c != ' ') {
      cur += c;
    }
  }
  flush();
  return labels;
}

std::string SelectSeries(const std::string& metric, const std::string& selector, const std::string& extra) {
  std::string inner = selector.size() >= 2 ? selector.substr(1, selector.size() - 2) : "";
  if (inner.find_first_not_of(" \t") == std::string::npos) inner.clear();
  if (!extra.empty()) inner += (inner.empty() ? "" : ", ") + extra;
  return inner.empty() ? metric : metric + "{" + inner + "}";
}

std::optional<double> StreamAgeBucketAtOrAbove(double seconds) {
  for (double b : leakbench::kStreamAgeBucketsSeconds) {
    if (b >= seconds) return b;
  }
  return std::nullopt;
}

std::vector<RangeQuery> FleetQueries(const std::string& selector, const std::vector<std::string>& by,
                                     std::optional<double> age_bucket) {
  CheckSelector(selector);
  std::vector<RangeQuery> queries;
  char le[64];
  std::snprintf(le, sizeof le, "le=\"%g\"", age_bucket.value_or(0));
  for (std::size_t r = 0; r < kResourceCount; ++r) {
    const auto& spec = fleet_queries::Specs()[r];
    std::string extra;
    switch (static_cast<Resource>(r)) {
      case Resource::kAgeAll: extra = "le=\"+Inf\""; break;
      case Resource::kAgeWithin: extra = le; break;
      case Resource::kErrors: extra = "error_type!~\"not_found|conflict\""; break;
      default: break;
    }
    const bool age = r == static_cast<std::size_t>(Resource::kAgeAll) || r == static_cast<std::size_t>(Resource::kAgeWithin);
    queries.push_back({spec.name, age && !age_bucket ? "" : fleet_queries::Expr(spec.agg, spec.metrics, selector, by, extra)});
  }
  return queries;
}

std::vector<InstanceData> GroupInstances(std::vector<std::vector<RangeSeries>>&& answers,
                                         const std::vector<std::string>& by) {
  std::map<std::string, InstanceData> instances;
  for (std::size_t r = 0; r < answers.size() && r < kResourceCount; ++r) {
    for (RangeSeries& s : answers[r]) {
      Labels group;
      std::string key;
      for (const auto& l : by) {
        const auto it = s.labels.find(l);
        const std::string value = it == s.labels.end() ? "" : it->second;
        group[l] = value;
        key += (key.empty() ? "" : ", ") + (by.size() == 1 ? value : l + "=" + value);
      }
      InstanceData& inst = instances[key];
      inst.key = key;
      inst.labels = std::move(group);
      auto& points = inst.series[r];
      // Aggregated by the grouping labels, a group has one series a query;
      // should one come twice (a label missing on some), its points are merged in time order.
      if (points.empty()) {
        points = std::move(s.points);  // the usual case: no copy
      } else {
        points.insert(points.end(), s.points.begin(), s.points.end());
        std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.t < b.t; });
      }
      std::vector<Point>().swap(s.points);
    }
    std::vector<RangeSeries>().swap(answers[r]);
  }
  std::vector<InstanceData> out;
  out.reserve(instances.size());
  for (auto& [key, inst] : instances) out.push_back(std::move(inst));
  return out;
}

}  // namespace leakbench::harness
