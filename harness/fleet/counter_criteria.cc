#include "harness/fleet/counter_criteria.h"

#include <algorithm>
#include <cstdio>

#include "common/stream_age_buckets.h"

namespace leakbench::harness {
namespace counter_criteria {

std::string Fixed(double v, int digits = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The counter's increase between from and to (inclusive); a value going down is a reset.
double Increase(const std::vector<Point>& pts, double from, double to) {
  auto it = std::lower_bound(pts.begin(), pts.end(), from, [](const Point& p, double t) { return p.t < t; });
  double total = 0;
  const Point* last = nullptr;
  for (; it != pts.end() && it->t <= to; ++it) {
    if (last != nullptr) total += it->y >= last->y ? it->y - last->y : it->y;
    last = &*it;
  }
  return total;
}

CriterionResult* Row(Verdict& v, const char* id) {
  for (auto& c : v.criteria) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

}  // namespace counter_criteria

std::optional<double> StreamAgeBucket(const FleetBounds& bounds) {
  const auto& tolerance = bounds.scenario.criteria.rotation_tolerance_s;
  if (!tolerance) return std::nullopt;
  return StreamAgeBucketAtOrAbove(std::chrono::duration<double>(bounds.scenario.target.rotation_interval).count() +
                                  *tolerance);
}

void JudgeCounters(Verdict& verdict, const InstanceData& data, double from, double to, const FleetBounds& bounds) {
  using counter_criteria::Fixed;
  const auto& series = data.series;
  const CriteriaSpec& k = bounds.scenario.criteria;
  if (CriterionResult* c = counter_criteria::Row(verdict, "rotation"); c != nullptr && k.rotation_tolerance_s) {
    const double rotation = std::chrono::duration<double>(bounds.scenario.target.rotation_interval).count();
    const double limit = rotation + *k.rotation_tolerance_s;
    const auto bucket = StreamAgeBucket(bounds);
    const auto& all = series[static_cast<std::size_t>(Resource::kAgeAll)];
    const auto& within = series[static_cast<std::size_t>(Resource::kAgeWithin)];
    c->unit = "streams";
    c->bound = 0;
    c->measured = 0;
    if (!bucket) {
      c->status = Status::kOff;
      c->detail = "rotation + tolerance (" + Fixed(limit) + " s) is above the top bucket of "
                  "log_capturer_container_stream_age_seconds (" + Fixed(leakbench::kStreamAgeBucketsSeconds.back()) +
                  " s): not judged";
    } else if (all.empty()) {
      c->status = Status::kOff;
      c->detail = "no log_capturer_container_stream_age_seconds series: not log-capturer";
    } else {
      c->measured = std::max(0.0, counter_criteria::Increase(all, from, to) - counter_criteria::Increase(within, from, to));
      c->status = c->measured > 0.5 ? Status::kFail : Status::kPass;
      c->detail = Fixed(c->measured) + " streams closed older than " + Fixed(*bucket) +
                  " s (the first stream-age bucket at or above rotation " + Fixed(rotation) + " s + tolerance " +
                  Fixed(*k.rotation_tolerance_s) + " s) after the warm-up";
    }
  }
  if (CriterionResult* c = counter_criteria::Row(verdict, "engine_errors"); c != nullptr && k.max_error_lines) {
    const auto& errors = series[static_cast<std::size_t>(Resource::kErrors)];
    c->unit = "errors";
    c->bound = *k.max_error_lines;
    c->measured = 0;
    if (errors.empty()) {
      c->status = Status::kOff;
      c->detail = "no log_capturer_container_stream_errors_total series: not log-capturer";
    } else {
      c->measured = counter_criteria::Increase(errors, from, to);
      c->status = c->measured > *k.max_error_lines + 0.5 ? Status::kFail : Status::kPass;
      c->detail = Fixed(c->measured) + " errors on Docker requests or follow streams after the warm-up (not "
                  "not_found or conflict: containers removed while followed; bound " + Fixed(c->bound) + ")";
    }
  }
}

}  // namespace leakbench::harness
