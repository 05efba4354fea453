#include "harness/run/judge.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include "harness/stats/growth.h"

namespace leakbench::harness {
namespace {

using json = nlohmann::json;

std::string Fmt(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

CriterionResult NewCriterion(std::string id, std::string description, std::string unit) {
  CriterionResult r;
  r.id = std::move(id);
  r.description = std::move(description);
  r.unit = std::move(unit);
  return r;
}

// Marks a criterion as not judged, with the reason.
void Skip(CriterionResult& r, const std::string& why) {
  r.judged = false;
  r.detail = why;
}

// One resource series after the warm-up, against time and against rotations.
struct Series {
  std::vector<Point> by_time;       // t in seconds
  std::vector<Point> by_rotations;  // t in rotations (streams closed at the fake)
};

Series Extract(const RunData& run, const std::function<std::optional<double>(const Sample&)>& value) {
  Series s;
  const double warmup = std::chrono::duration<double>(run.scenario.warmup).count();
  for (const Sample& x : run.samples) {
    if (x.t < warmup || !x.proc.ok) continue;
    const auto v = value(x);
    if (!v) continue;
    s.by_time.push_back({x.t, *v});
    s.by_rotations.push_back({static_cast<double>(x.streams_closed), *v});
  }
  return s;
}

struct Growth {
  SlopeFit per_second;
  SlopeFit per_rotation;
  TrendTest trend;
  double window_s = 0;
};

Growth Fit(const Series& s) {
  Growth g;
  g.per_second = TheilSen(s.by_time);
  g.per_rotation = TheilSen(s.by_rotations);
  g.trend = MannKendall(s.by_time);
  if (s.by_time.size() >= 2) g.window_s = s.by_time.back().t - s.by_time.front().t;
  return g;
}

json GrowthJson(const Growth& g, double scale) {
  return {{"per_minute", g.per_second.valid ? g.per_second.slope * 60 * scale : 0.0},
          {"per_minute_ci", {g.per_second.lower * 60 * scale, g.per_second.upper * 60 * scale}},
          {"intercept", g.per_second.valid ? g.per_second.intercept * scale : 0.0},
          {"per_1000_rotations", g.per_rotation.valid ? g.per_rotation.slope * 1000 * scale : 0.0},
          {"trend_p_value", g.trend.p_value},
          {"trend_direction", g.trend.direction},
          {"points", g.per_second.n}};
}

// Growth criterion: per minute and per 1,000 rotations, both bounded.
CriterionResult GrowthCriterion(const std::string& id, const std::string& what, const std::string& unit,
                                const Growth& g, double scale, std::optional<double> per_min_bound,
                                std::optional<double> per_rot_bound) {
  CriterionResult r;
  r.id = id;
  r.unit = unit + "/min";
  r.description = what + " growth after the warm-up (Theil-Sen slope), per minute and per 1,000 rotations";
  if (!per_min_bound && !per_rot_bound) {
    Skip(r, "no bound in the scenario");
    return r;
  }
  if (!g.per_second.valid) {
    r.judged = false;
    r.pass = false;
    r.detail = "too few samples after the warm-up to fit a slope";
    return r;
  }
  const double per_min = g.per_second.slope * 60 * scale;
  const double per_rot = g.per_rotation.valid ? g.per_rotation.slope * 1000 * scale : 0;
  r.measured = per_min;
  r.bound = per_min_bound.value_or(0);
  const bool min_ok = !per_min_bound || per_min <= *per_min_bound;
  const bool rot_ok = !per_rot_bound || !g.per_rotation.valid || per_rot <= *per_rot_bound;
  r.pass = min_ok && rot_ok;
  r.detail = Fmt(per_min) + " " + unit + "/min (95% CI " + Fmt(g.per_second.lower * 60 * scale) + " .. " +
             Fmt(g.per_second.upper * 60 * scale) + ", bound " +
             (per_min_bound ? Fmt(*per_min_bound) : std::string("none")) + "); " + Fmt(per_rot) + " " + unit +
             " per 1,000 rotations (bound " + (per_rot_bound ? Fmt(*per_rot_bound) : std::string("none")) + ")";
  return r;
}

CriterionResult TrendCriterion(const std::string& id, const std::string& what, const Growth& g, bool enabled) {
  CriterionResult r;
  r.id = id;
  r.unit = "p-value";
  r.description = "no continuous upward trend in " + what +
                  " (Mann-Kendall p < 0.01 with a slope CI above zero and a fitted rise of at least 1.5)";
  if (!enabled) {
    Skip(r, "disabled in the scenario");
    return r;
  }
  if (!g.trend.valid || !g.per_second.valid) {
    r.judged = false;
    r.pass = false;
    r.detail = "too few samples after the warm-up";
    return r;
  }
  const double rise = g.per_second.slope * g.window_s;
  const bool trend = g.trend.direction > 0 && g.per_second.lower > 0 && rise >= 1.5;
  r.pass = !trend;
  r.measured = g.trend.p_value;
  r.bound = 0.01;
  r.detail = "Mann-Kendall p=" + Fmt(g.trend.p_value, 4) + ", direction " + std::to_string(g.trend.direction) +
             ", fitted rise " + Fmt(rise) + " over " + Fmt(g.window_s, 0) + " s";
  return r;
}

}  // namespace

Verdict Judge(const RunData& run) {
  Verdict v;
  const Scenario& s = run.scenario;
  const CriteriaSpec& c = s.criteria;
  v.expect_fail = s.expect_fail;
  if (!run.completed) {
    v.verdict = "error";
    v.expectation_met = false;
    v.figures = {{"failure", run.failure}};
    return v;
  }
  const bool capturer = s.target.kind != "command";

  const Series threads = Extract(run, [](const Sample& x) { return std::optional<double>(x.proc.threads); });
  const Series fds = Extract(run, [](const Sample& x) { return std::optional<double>(x.proc.fds.total()); });
  const Series rss = Extract(run, [](const Sample& x) { return std::optional<double>(x.proc.rss_bytes); });
  const Series series = Extract(run, [](const Sample& x) -> std::optional<double> {
    if (x.metric_series == 0) return std::nullopt;
    return static_cast<double>(x.metric_series);
  });
  const Growth g_threads = Fit(threads), g_fds = Fit(fds), g_rss = Fit(rss), g_series = Fit(series);
  constexpr double kMiB = 1.0 / (1 << 20);

  {  // threads_baseline
    CriterionResult r = NewCriterion("threads_baseline", "threads after the warm-up", "threads");
    if (!c.threads_max) {
      Skip(r, "no bound in the scenario");
    } else if (threads.by_time.empty()) {
      r.judged = false;
      r.pass = false;
      r.detail = "no sample after the warm-up";
    } else {
      r.measured = Summarize(threads.by_time).max;
      r.bound = *c.threads_max;
      r.pass = r.measured < r.bound;
      r.detail = "max " + Fmt(r.measured, 0) + " (bound < " + Fmt(r.bound, 0) + ")";
    }
    v.criteria.push_back(r);
  }
  v.criteria.push_back(GrowthCriterion("thread_growth", "thread", "threads", g_threads, 1, c.thread_growth_per_min,
                                       c.thread_growth_per_1000_rotations));
  v.criteria.push_back(GrowthCriterion("fd_growth", "open fd", "fds", g_fds, 1, c.fd_growth_per_min,
                                       c.fd_growth_per_1000_rotations));
  v.criteria.push_back(GrowthCriterion("memory_growth", "resident memory", "MiB", g_rss, kMiB, c.rss_growth_mib_per_min,
                                       c.rss_growth_mib_per_1000_rotations));
  v.criteria.push_back(TrendCriterion("thread_trend", "threads", g_threads, c.no_continuous_trend));
  v.criteria.push_back(TrendCriterion("fd_trend", "open fds", g_fds, c.no_continuous_trend));

  {  // rotation
    CriterionResult r = NewCriterion("rotation", "no follow stream lives longer than the rotation interval plus the tolerance", "s");
    const double rotation = std::chrono::duration<double>(s.target.rotation_interval).count();
    if (!c.rotation_tolerance_s) {
      Skip(r, "no bound in the scenario");
    } else {
      r.bound = rotation + *c.rotation_tolerance_s;
      r.measured = run.ages.max_age_s;
      r.pass = r.measured <= r.bound;
      r.detail = "oldest stream " + Fmt(r.measured) + " s (bound " + Fmt(r.bound) + " s); " +
                 std::to_string(run.ages.rotated) + " streams closed by the target, median age " +
                 Fmt(run.ages.median_age_s) + " s, p95 " + Fmt(run.ages.p95_age_s) + " s";
    }
    v.criteria.push_back(r);
  }
  {  // log_loss
    CriterionResult r = NewCriterion("log_loss", "every line the fake emitted arrives exactly once (by cid/seq), across rotations", "lines");
    if (!c.no_loss) {
      Skip(r, "disabled in the scenario");
    } else if (!run.loss.judged) {
      Skip(r, run.loss.why_not);
    } else {
      const std::uint64_t lost = run.loss.emitted - run.loss.captured + run.loss.gaps_in_gone;
      r.measured = static_cast<double>(lost + run.loss.duplicates);
      r.pass = r.measured == 0;
      r.detail = std::to_string(run.loss.emitted) + " emitted, " + std::to_string(run.loss.captured) +
                 " captured, " + std::to_string(lost) + " lost, " + std::to_string(run.loss.duplicates) +
                 " duplicated";
    }
    v.criteria.push_back(r);
  }
  {  // concurrency
    CriterionResult r = NewCriterion("concurrency", "never more concurrent follow streams than the cap (the fake's peak)", "streams");
    r.bound = c.max_concurrent_streams.value_or(static_cast<double>(s.target.max_streams));
    r.measured = static_cast<double>(run.follow_streams_peak);
    r.pass = r.measured <= r.bound;
    r.detail = "peak " + std::to_string(run.follow_streams_peak) + " (bound " + Fmt(r.bound, 0) + ")";
    v.criteria.push_back(r);
  }
  {  // capture
    CriterionResult r = NewCriterion("capture", "every monitored container's logs are captured", "containers");
    if (!c.capture_all) {
      Skip(r, "disabled in the scenario");
    } else if (!run.loss.judged) {
      Skip(r, run.loss.why_not);
    } else {
      r.bound = static_cast<double>(run.loss.containers);
      r.measured = static_cast<double>(run.loss.containers_captured);
      r.pass = run.loss.containers_captured == run.loss.containers;
      r.detail = std::to_string(run.loss.containers_captured) + " of " + std::to_string(run.loss.containers) +
                 " live containers captured";
    }
    v.criteria.push_back(r);
  }
  {  // engine_errors
    CriterionResult r = NewCriterion("engine_errors", "no error lines in the target's log", "lines");
    if (!c.max_error_lines) {
      Skip(r, "no bound in the scenario");
    } else {
      r.bound = *c.max_error_lines;
      r.measured = static_cast<double>(run.error_lines);
      r.pass = r.measured <= r.bound;
      r.detail = std::to_string(run.error_lines) + " error lines";
      for (const auto& e : run.error_examples) r.detail += "; " + e;
    }
    v.criteria.push_back(r);
  }
  {  // metrics
    CriterionResult r = NewCriterion("metrics", "streams_active matches the fake's open streams, rotations_total increases, metric series do not grow", "samples off");
    if (!c.metrics_consistent || !capturer) {
      Skip(r, capturer ? "disabled in the scenario" : "the target is not log-capturer");
    } else {
      std::size_t compared = 0, off = 0;
      double first_rot = -1, last_rot = -1;
      bool decreased = false;
      for (const Sample& x : run.samples) {
        if (x.metric_streams_active) {
          ++compared;
          const double diff = std::fabs(*x.metric_streams_active - static_cast<double>(x.streams_open));
          if (diff > std::max(2.0, 0.1 * static_cast<double>(x.streams_open))) ++off;
        }
        if (x.metric_rotations) {
          if (first_rot < 0) first_rot = *x.metric_rotations;
          if (last_rot >= 0 && *x.metric_rotations < last_rot) decreased = true;
          last_rot = *x.metric_rotations;
        }
      }
      const double series_per_1000 = g_series.per_rotation.valid ? g_series.per_rotation.slope * 1000 : 0;
      const bool active_ok = compared > 0 && static_cast<double>(off) <= 0.1 * static_cast<double>(compared);
      const bool rotations_ok = last_rot > first_rot && !decreased;
      const bool series_ok = series_per_1000 <= 5;
      r.measured = static_cast<double>(off);
      r.bound = 0.1 * static_cast<double>(compared);
      r.pass = active_ok && rotations_ok && series_ok;
      r.detail = std::to_string(off) + " of " + std::to_string(compared) +
                 " samples with streams_active off the fake's count; rotations_total " + Fmt(first_rot, 0) + " -> " +
                 Fmt(last_rot, 0) + (decreased ? " (decreased!)" : "") + "; metric series " +
                 Fmt(series_per_1000) + " per 1,000 rotations (bound 5)";
    }
    v.criteria.push_back(r);
  }

  bool all = true;
  for (const auto& r : v.criteria) all = all && (r.pass || !r.judged);
  v.verdict = all ? "pass" : "fail";
  if (s.expect_fail) {
    bool failed_there = false;
    for (const auto& r : v.criteria) failed_there = failed_there || (r.id == *s.expect_fail && r.judged && !r.pass);
    v.expectation_met = v.verdict == "fail" && failed_there;
  }
  double cost_max = 0, cost_sum = 0;
  for (const Sample& x : run.samples) {
    cost_max = std::max(cost_max, x.sample_cost_ms);
    cost_sum += x.sample_cost_ms;
  }
  v.figures = {{"threads", GrowthJson(g_threads, 1)},
               {"fds", GrowthJson(g_fds, 1)},
               {"rss_mib", GrowthJson(g_rss, kMiB)},
               {"metric_series", GrowthJson(g_series, 1)},
               {"follow_streams_peak", run.follow_streams_peak},
               {"stream_age_max_s", run.ages.max_age_s},
               {"stream_age_median_s", run.ages.median_age_s},
               {"streams_closed_by_target", run.ages.rotated},
               {"lines_emitted", run.loss.emitted},
               {"lines_captured", run.loss.captured},
               {"duplicates", run.loss.duplicates},
               {"target_exit", run.target_exit ? run.target_exit->ToString() : "unknown"},
               {"target_stop_ms", run.stop_took.count()},
               {"sample_cost_ms_mean", run.samples.empty() ? 0 : cost_sum / static_cast<double>(run.samples.size())},
               {"sample_cost_ms_max", cost_max}};
  return v;
}

int ExitCode(const Verdict& v) {
  if (v.verdict == "error") return 2;
  if (v.expect_fail) return v.expectation_met ? 0 : 1;
  return v.verdict == "pass" ? 0 : 1;
}

}  // namespace leakbench::harness
