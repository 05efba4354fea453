#include "harness/fleet/segment_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>

namespace leakbench::harness {
namespace segment_run {

constexpr const char* kNeedsRun =
    "not in Prometheus: it needs the daemon's record or the target's log (a leakbench run judges it)";

struct Row {
  std::array<std::optional<double>, kResourceCount> v;
};

long long Key(double t) { return std::llround(t * 1000); }

}  // namespace segment_run

Present PresentResources(const InstanceData& data) {
  Present p{};
  for (std::size_t r = 0; r < kResourceCount; ++r) p[r] = !data.series[r].empty();
  return p;
}

double SegmentOrigin(const Segment& segment, bool first, double warmup_s) {
  if (segment.process_start) return *segment.process_start;
  return first ? segment.from - warmup_s : segment.from;
}

RunData SegmentRun(const InstanceData& data, const Present& present, const Segment& segment, double origin,
                   const Scenario& scenario) {
  RunData run;
  run.scenario = scenario;
  run.scenario.expect_fail.reset();
  run.scenario.expect_also_fail.clear();
  auto& na = run.scenario.not_applicable;
  na.clear();
  for (const char* id : {"log_loss", "delivery", "capture", "metrics", "engine_errors", "rotation"}) {
    na[id] = segment_run::kNeedsRun;
  }
  na["daemon_fd_growth"] = "not in Prometheus: the daemon's processes are sampled only in a leakbench run";
  const std::string same = "the gauges judged by fd_growth and memory_growth here";
  na["exported_fd_growth"] = same;
  na["exported_memory_growth"] = same;
  if (!present[static_cast<std::size_t>(Resource::kGoroutines)]) {
    na["goroutines_baseline"] = na["goroutine_growth"] = "no go_goroutines series: not a Go process";
  }
  if (!present[static_cast<std::size_t>(Resource::kStreamsActive)]) {
    na["concurrency"] = "no log_capturer_container_streams_active series: not log-capturer";
  }
  run.completed = true;

  std::map<long long, segment_run::Row> rows;
  for (std::size_t r = 0; r < kResourceCount; ++r) {
    const auto& pts = data.series[r];
    auto it = std::lower_bound(pts.begin(), pts.end(), segment.from, [](const Point& p, double t) { return p.t < t; });
    for (; it != pts.end() && it->t <= segment.to; ++it) rows[segment_run::Key(it->t)].v[r] = it->y;
  }
  constexpr std::array<Resource, 4> kRequired = {Resource::kThreads, Resource::kFds, Resource::kRss, Resource::kRotations};
  for (const auto& entry : rows) {  // not a structured binding: clang 14 cannot capture one
    const long long key = entry.first;
    const segment_run::Row& row = entry.second;
    bool complete = true;
    for (Resource r : kRequired) {
      const auto i = static_cast<std::size_t>(r);
      if (present[i] && !row.v[i]) complete = false;
    }
    if (!complete) continue;
    auto value = [&row](Resource r) { return row.v[static_cast<std::size_t>(r)]; };
    auto count = [&value](Resource r) -> std::uint64_t {
      const auto v = value(r);
      return v && *v > 0 ? static_cast<std::uint64_t>(std::llround(*v)) : 0;
    };
    Sample s;
    s.t = static_cast<double>(key) / 1000 - origin;
    s.proc.ok = true;
    s.proc.threads = count(Resource::kThreads);
    s.proc.fds.other = count(Resource::kFds);
    s.proc.rss_bytes = count(Resource::kRss);
    s.streams_closed = count(Resource::kRotations);
    s.goroutines = value(Resource::kGoroutines);
    s.metric_streams_active = value(Resource::kStreamsActive);
    s.metric_rotations = value(Resource::kRotations);
    if (s.metric_streams_active) {
      run.follow_streams_peak = std::max(run.follow_streams_peak, count(Resource::kStreamsActive));
    }
    run.samples.push_back(std::move(s));
  }
  return run;
}

}  // namespace leakbench::harness
