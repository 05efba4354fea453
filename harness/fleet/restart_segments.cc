#include "harness/fleet/restart_segments.h"

#include <cmath>
#include <cstdio>

namespace leakbench::harness {
namespace restart_segments {

std::string Fixed(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace restart_segments

std::vector<Segment> SplitAtRestarts(const std::vector<Point>& start_times, const std::vector<Point>& counter,
                                     double range_start, double range_end) {
  std::vector<Segment> segments;
  segments.push_back({range_start, range_end, std::nullopt, "range start"});
  auto begin_new = [&segments, range_end](double t, std::optional<double> start, std::string how) {
    // Steps between the last point of the old process and the first of
    // the new one belong to the old segment.
    segments.back().to = std::nextafter(t, -INFINITY);
    segments.push_back({t, range_end, start, std::move(how)});
  };
  if (!start_times.empty()) {
    segments.back().process_start = start_times.front().y;
    for (std::size_t i = 1; i < start_times.size(); ++i) {
      const double before = *segments.back().process_start, now = start_times[i].y;
      if (std::fabs(now - before) > kStartTimeTolerance) {
        begin_new(start_times[i].t, now,
                  "restart: process_start_time_seconds " + restart_segments::Fixed(before) + " -> " +
                      restart_segments::Fixed(now));
      }
    }
    return segments;
  }
  for (std::size_t i = 1; i < counter.size(); ++i) {
    if (counter[i].y < counter[i - 1].y) {
      begin_new(counter[i].t, std::nullopt,
                "restart: counter reset " + restart_segments::Fixed(counter[i - 1].y) + " -> " +
                    restart_segments::Fixed(counter[i].y) + " (no process_start_time_seconds)");
    }
  }
  return segments;
}

}  // namespace leakbench::harness
