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

void Off(CriterionResult& r, const std::string& why) {
  r.status = Status::kOff;
  r.detail = why;
}

void Inconclusive(CriterionResult& r, const std::string& why) {
  r.status = Status::kInconclusive;
  r.detail = why;
}

void Decide(CriterionResult& r, bool pass) { r.status = pass ? Status::kPass : Status::kFail; }

// One resource series after the warm-up, against time and against rotations.
struct Series {
  std::vector<Point> by_time;       // t in seconds
  std::vector<Point> by_rotations;  // t in rotations (follow streams the target closed)
};

Series Extract(const RunData& run, const std::function<std::optional<double>(const Sample&)>& value) {
  Series s;
  const double warmup = std::chrono::duration<double>(run.scenario.warmup).count();
  for (const Sample& x : run.samples) {
    if (x.t < warmup) continue;
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
          {"per_1000_rotations_ci", {g.per_rotation.lower * 1000 * scale, g.per_rotation.upper * 1000 * scale}},
          {"trend_p_value", g.trend.p_value},
          {"trend_direction", g.trend.direction},
          {"points", g.per_second.n}};
}

std::string BoundText(std::optional<double> bound) { return bound ? Fmt(*bound) : std::string("off"); }

// Growth criterion: per minute and per 1,000 rotations, both bounded; it
// fails only when a slope's 95% CI lies wholly above its bound.
CriterionResult GrowthCriterion(const std::string& id, const std::string& what, const std::string& unit,
                                const Growth& g, double scale, std::optional<double> per_min_bound,
                                std::optional<double> per_rot_bound) {
  CriterionResult r = NewCriterion(id, what + " growth after the warm-up (Theil-Sen slope), per minute and per 1,000 "
                                              "rotations; fails when the slope's 95% CI lies above the bound",
                                   unit + "/min");
  if (!per_min_bound && !per_rot_bound) {
    Off(r, "off in the scenario (no bound)");
    return r;
  }
  if (!g.per_second.valid) {
    Inconclusive(r, "too few samples after the warm-up to fit a slope (" + std::to_string(g.per_second.n) + ")");
    return r;
  }
  const double per_min = g.per_second.slope * 60 * scale;
  const double per_min_lo = g.per_second.lower * 60 * scale, per_min_hi = g.per_second.upper * 60 * scale;
  const double per_rot = g.per_rotation.valid ? g.per_rotation.slope * 1000 * scale : 0;
  const double per_rot_lo = g.per_rotation.lower * 1000 * scale, per_rot_hi = g.per_rotation.upper * 1000 * scale;
  r.measured = per_min;
  r.bound = per_min_bound.value_or(0);
  const bool min_above = GrowthAboveBound(per_min_lo, per_min_bound);
  const bool rot_above = g.per_rotation.valid && GrowthAboveBound(per_rot_lo, per_rot_bound);
  Decide(r, !min_above && !rot_above);
  r.detail = Fmt(per_min) + " " + unit + "/min (95% CI " + Fmt(per_min_lo) + " .. " + Fmt(per_min_hi) + ", bound " +
             BoundText(per_min_bound) + (min_above ? ": CI above the bound" : "") + "); ";
  if (g.per_rotation.valid) {
    r.detail += Fmt(per_rot) + " " + unit + " per 1,000 rotations (95% CI " + Fmt(per_rot_lo) + " .. " +
                Fmt(per_rot_hi) + ", bound " + BoundText(per_rot_bound) + (rot_above ? ": CI above the bound" : "") +
                ")";
  } else {
    r.detail += "per 1,000 rotations not fitted (the target closed too few streams after the warm-up)";
  }
  if (r.pass() && ((per_min_bound && per_min > *per_min_bound) || (per_rot_bound && per_rot > *per_rot_bound))) {
    r.detail += "; the point estimate is above a bound but its CI reaches below it: not shown to grow past it";
  }
  return r;
}

CriterionResult TrendCriterion(const std::string& id, const std::string& what, const Growth& g, bool enabled) {
  CriterionResult r = NewCriterion(id, "no continuous upward trend in " + what +
                                           " (Mann-Kendall p < 0.01 with a slope CI above zero and a fitted rise of at "
                                           "least 1.5)",
                                   "p-value");
  if (!enabled) {
    Off(r, "off in the scenario");
    return r;
  }
  if (!g.trend.valid || !g.per_second.valid) {
    Inconclusive(r, "too few samples after the warm-up");
    return r;
  }
  const double rise = g.per_second.slope * g.window_s;
  const bool trend = g.trend.direction > 0 && g.per_second.lower > 0 && rise >= 1.5;
  Decide(r, !trend);
  r.measured = g.trend.p_value;
  r.bound = 0.01;
  r.detail = "Mann-Kendall p=" + Fmt(g.trend.p_value, 4) + ", direction " + std::to_string(g.trend.direction) +
             ", fitted rise " + Fmt(rise) + " over " + Fmt(g.window_s, 0) + " s";
  return r;
}

// A criterion that needs the fake's full stream record is inconclusive
// when the fake had to drop part of it.
bool HistoryCut(const RunData& run, CriterionResult& r) {
  if (run.truth_end.streams_closed_dropped == 0) return false;
  Inconclusive(r, "the fake dropped " + std::to_string(run.truth_end.streams_closed_dropped) +
                      " closed stream records (it keeps 200,000): a cut history is not judged; shorten the run or "
                      "lower the rotation rate");
  return true;
}

}  // namespace

std::string_view StatusName(Status status) {
  switch (status) {
    case Status::kPass: return "pass";
    case Status::kFail: return "fail";
    case Status::kInconclusive: return "inconclusive";
    case Status::kOff: return "off";
  }
  return "?";
}

bool GrowthAboveBound(double ci_lower, std::optional<double> bound) { return bound && ci_lower > *bound; }

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
  auto proc = [](auto f) {
    return [f](const Sample& x) -> std::optional<double> {
      if (!x.proc.ok) return std::nullopt;
      return f(x);
    };
  };
  const Series threads = Extract(run, proc([](const Sample& x) { return static_cast<double>(x.proc.threads); }));
  const Series fds = Extract(run, proc([](const Sample& x) { return static_cast<double>(x.proc.fds.total()); }));
  const Series rss = Extract(run, proc([](const Sample& x) { return static_cast<double>(x.proc.rss_bytes); }));
  const Series series = Extract(run, [](const Sample& x) -> std::optional<double> {
    if (x.metric_series == 0) return std::nullopt;
    return static_cast<double>(x.metric_series);
  });
  const Series goroutines = Extract(run, [](const Sample& x) { return x.goroutines; });
  auto count = [](std::optional<std::size_t> n) { return n ? std::optional<double>(static_cast<double>(*n)) : std::nullopt; };
  const Series per_process_threads = Extract(run, [&count](const Sample& x) { return count(x.threads_max_per_process); });
  const Series process_count = Extract(run, [&count](const Sample& x) { return count(x.processes); });
  const Growth g_threads = Fit(threads), g_fds = Fit(fds), g_rss = Fit(rss), g_series = Fit(series),
               g_goroutines = Fit(goroutines);
  constexpr double kMiB = 1.0 / (1 << 20);
  auto not_applicable = [&](const std::string& id) -> const std::string* {
    auto it = s.not_applicable.find(id);
    return it == s.not_applicable.end() ? nullptr : &it->second;
  };

  {  // threads_baseline
    CriterionResult r = NewCriterion("threads_baseline", "threads after the warm-up", "threads");
    if (!c.threads_max) {
      Off(r, "off in the scenario (no bound)");
    } else if (threads.by_time.empty()) {
      Inconclusive(r, "no /proc sample of the target after the warm-up");
    } else if (!per_process_threads.by_time.empty()) {
      // A command target: the bound is per follower process; the sum is told.
      r.measured = Summarize(per_process_threads.by_time).max;
      r.bound = *c.threads_max;
      r.unit = "threads per process";
      Decide(r, r.measured < r.bound);
      r.detail = "largest process: max " + Fmt(r.measured, 0) + " threads (bound < " + Fmt(r.bound, 0) +
                 " per process); all " + Fmt(Summarize(process_count.by_time).max, 0) +
                 " processes together: max " + Fmt(Summarize(threads.by_time).max, 0);
    } else {
      r.measured = Summarize(threads.by_time).max;
      r.bound = *c.threads_max;
      Decide(r, r.measured < r.bound);
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
      Off(r, "off in the scenario (no bound)");
    } else if (HistoryCut(run, r)) {
    } else if (run.ages.streams == 0) {
      Inconclusive(r, "the target opened no follow stream: there is no stream age to judge");
    } else {
      r.bound = rotation + *c.rotation_tolerance_s;
      r.measured = run.ages.max_age_s;
      Decide(r, r.measured <= r.bound);
      r.detail = "oldest stream " + Fmt(r.measured) + " s (bound " + Fmt(r.bound) + " s); " +
                 std::to_string(run.ages.rotated) + " of " + std::to_string(run.ages.streams) +
                 " follow streams closed by the target, median age " + Fmt(run.ages.median_age_s) + " s, p95 " +
                 Fmt(run.ages.p95_age_s) + " s";
    }
    v.criteria.push_back(r);
  }
  {  // log_loss
    CriterionResult r = NewCriterion("log_loss", "every line the fake emitted arrives exactly once in the target's output (by cid/seq), across rotations", "lines");
    if (!c.no_loss) {
      Off(r, "off in the scenario");
    } else if (!run.loss.judged) {
      Inconclusive(r, run.loss.why_not + " (a target that ships elsewhere: give target.output, or switch no_loss "
                                          "off and rely on delivery)");
    } else {
      const std::uint64_t lost = run.loss.emitted - run.loss.captured + run.loss.gaps_in_gone;
      r.measured = static_cast<double>(lost + run.loss.duplicates);
      Decide(r, r.measured == 0);
      r.detail = std::to_string(run.loss.emitted) + " emitted, " + std::to_string(run.loss.captured) +
                 " captured, " + std::to_string(lost) + " lost, " + std::to_string(run.loss.duplicates) +
                 " duplicated";
    }
    v.criteria.push_back(r);
  }
  {  // delivery
    CriterionResult r = NewCriterion("delivery", "the daemon sent every emitted line to the target at least once, across its follow streams (its own record)", "lines");
    const Delivery& d = run.delivery;
    if (!c.no_loss_at_source) {
      Off(r, "off in the scenario");
    } else if (HistoryCut(run, r)) {
    } else if (d.containers == 0 || d.lines_emitted == 0) {
      Inconclusive(r, "no container emitted lines long enough before the end to judge (" +
                          std::to_string(d.containers_too_young) + " too young)");
    } else {
      r.measured = static_cast<double>(d.lost_at_source);
      Decide(r, d.lost_at_source == 0);
      r.detail = std::to_string(d.lines_emitted) + " emitted, " + std::to_string(d.lines_delivered) + " sent, " +
                 std::to_string(d.lost_at_source) + " never sent (lost at the source: a `since` too late or a gap at "
                 "a reopen), " + std::to_string(d.delivered_twice) + " sent twice (re-read cost)";
      for (const auto& e : d.examples) r.detail += "; " + e;
    }
    v.criteria.push_back(r);
  }
  {  // concurrency
    CriterionResult r = NewCriterion("concurrency", "never more concurrent follow streams than the cap (the fake's peak)", "streams");
    if (!c.max_concurrent_streams) {
      Off(r, "off in the scenario");
    } else {
      r.bound = *c.max_concurrent_streams;
      r.measured = static_cast<double>(run.follow_streams_peak);
      Decide(r, r.measured <= r.bound);
      r.detail = "peak " + std::to_string(run.follow_streams_peak) + " (bound " + Fmt(r.bound, 0) + ")";
    }
    v.criteria.push_back(r);
  }
  {  // capture
    CriterionResult r = NewCriterion("capture", "every container that logged had a follow stream that delivered its lines (the daemon's record)", "containers");
    const Delivery& d = run.delivery;
    if (!c.capture_all) {
      Off(r, "off in the scenario");
    } else if (HistoryCut(run, r)) {
    } else if (d.containers == 0) {
      Inconclusive(r, "no container logged long enough before the end to judge (" +
                          std::to_string(d.containers_too_young) + " too young)");
    } else {
      r.bound = static_cast<double>(d.containers);
      r.measured = static_cast<double>(d.containers_delivered);
      Decide(r, d.containers_delivered == d.containers);
      r.detail = std::to_string(d.containers_delivered) + " of " + std::to_string(d.containers) +
                 " containers had lines delivered to the target";
      if (run.ages.streams == 0) r.detail += "; the target opened no follow stream at all";
      if (d.containers_too_young > 0) {
        r.detail += "; " + std::to_string(d.containers_too_young) + " started in the last " +
                    Fmt(static_cast<double>(run.capture_grace_ns) / 1e9, 0) + " s not judged";
      }
    }
    v.criteria.push_back(r);
  }
  {  // engine_errors
    CriterionResult r = NewCriterion("engine_errors", "no error lines in the target's log", "lines");
    if (!c.max_error_lines) {
      Off(r, "off in the scenario (no bound)");
    } else {
      r.bound = *c.max_error_lines;
      r.measured = static_cast<double>(run.error_lines);
      Decide(r, r.measured <= r.bound);
      r.detail = std::to_string(run.error_lines) + " error lines (" + run.error_rule + ")";
      for (const auto& e : run.error_examples) r.detail += "; " + e;
    }
    v.criteria.push_back(r);
  }
  {  // metrics
    CriterionResult r = NewCriterion("metrics", "streams_active lies within the fake's open streams during each scrape, rotations_total increases, metric series do not grow", "samples off");
    std::size_t compared = 0, off = 0;
    for (const Sample& x : run.samples) {
      if (!x.metric_streams_active || !x.streams_open_min || !x.streams_open_max) continue;
      ++compared;
      if (*x.metric_streams_active < static_cast<double>(*x.streams_open_min) ||
          *x.metric_streams_active > static_cast<double>(*x.streams_open_max)) {
        ++off;
      }
    }
    if (!c.metrics_consistent) {
      Off(r, "off in the scenario");
    } else if (const std::string* why = not_applicable("metrics")) {
      Off(r, *why);
    } else if (HistoryCut(run, r)) {
    } else if (compared == 0) {
      Inconclusive(r, "no scrape of the target's /metrics succeeded (" + std::to_string(run.metrics_scrapes_failed) +
                          " failed)");
    } else {
      double first_rot = -1, last_rot = -1;
      bool decreased = false;
      for (const Sample& x : run.samples) {
        if (!x.metric_rotations) continue;
        if (first_rot < 0) first_rot = *x.metric_rotations;
        if (last_rot >= 0 && *x.metric_rotations < last_rot) decreased = true;
        last_rot = *x.metric_rotations;
      }
      const double series_per_1000 = g_series.per_rotation.valid ? g_series.per_rotation.slope * 1000 : 0;
      const bool rotations_ok = last_rot > first_rot && !decreased;
      const bool series_ok = series_per_1000 <= 5;
      r.measured = static_cast<double>(off);
      r.bound = 0;
      Decide(r, off == 0 && rotations_ok && series_ok);
      r.detail = std::to_string(off) + " of " + std::to_string(compared) +
                 " scrapes with streams_active outside the fake's open streams during the scrape; rotations_total " +
                 Fmt(first_rot, 0) + " -> " + Fmt(last_rot, 0) + (decreased ? " (decreased!)" : "") +
                 "; metric series " + Fmt(series_per_1000) + " per 1,000 rotations (bound 5)";
    }
    v.criteria.push_back(r);
  }
  {  // goroutines_baseline
    CriterionResult r = NewCriterion("goroutines_baseline", "goroutines after the warm-up", "goroutines");
    if (!c.goroutines_max) {
      Off(r, "off in the scenario (no bound)");
    } else if (const std::string* why = not_applicable("goroutines_baseline")) {
      Off(r, *why);
    } else if (goroutines.by_time.empty()) {
      Inconclusive(r, "no goroutine count read from the target after the warm-up");
    } else {
      r.measured = Summarize(goroutines.by_time).max;
      r.bound = *c.goroutines_max;
      Decide(r, r.measured < r.bound);
      r.detail = "max " + Fmt(r.measured, 0) + " (bound < " + Fmt(r.bound, 0) + ")";
    }
    v.criteria.push_back(r);
  }
  {  // goroutine_growth
    CriterionResult r;
    if (const std::string* why = not_applicable("goroutine_growth")) {
      r = NewCriterion("goroutine_growth", "goroutine growth after the warm-up", "goroutines/min");
      Off(r, *why);
    } else {
      r = GrowthCriterion("goroutine_growth", "goroutine", "goroutines", g_goroutines, 1, c.goroutine_growth_per_min,
                          c.goroutine_growth_per_1000_rotations);
    }
    v.criteria.push_back(r);
  }

  bool any_fail = false, any_inconclusive = false;
  for (const auto& r : v.criteria) {
    any_fail = any_fail || r.status == Status::kFail;
    any_inconclusive = any_inconclusive || r.status == Status::kInconclusive;
  }
  v.verdict = any_fail ? "fail" : any_inconclusive ? "inconclusive" : "pass";
  if (s.expect_fail) {
    bool failed_there = false, failed_elsewhere = false;
    for (const auto& r : v.criteria) {
      if (r.status != Status::kFail) continue;
      if (r.id == *s.expect_fail) {
        failed_there = true;
      } else if (std::find(s.expect_also_fail.begin(), s.expect_also_fail.end(), r.id) == s.expect_also_fail.end()) {
        failed_elsewhere = true;
        v.unexpected_failures.push_back(r.id);
      }
    }
    v.expectation_met = failed_there && !failed_elsewhere;
  }
  double cost_max = 0, cost_sum = 0;
  for (const Sample& x : run.samples) {
    cost_max = std::max(cost_max, x.sample_cost_ms);
    cost_sum += x.sample_cost_ms;
  }
  const Delivery& d = run.delivery;
  v.figures = {{"threads", GrowthJson(g_threads, 1)},
               {"fds", GrowthJson(g_fds, 1)},
               {"rss_mib", GrowthJson(g_rss, kMiB)},
               {"metric_series", GrowthJson(g_series, 1)},
               {"follow_streams_peak", run.follow_streams_peak},
               {"follow_streams_opened", run.ages.streams},
               {"stream_age_max_s", run.ages.max_age_s},
               {"stream_age_median_s", run.ages.median_age_s},
               {"streams_closed_by_target", run.ages.rotated},
               {"streams_closed_dropped", run.truth_end.streams_closed_dropped},
               {"lines_emitted", run.loss.emitted},
               {"lines_captured", run.loss.captured},
               {"duplicates", run.loss.duplicates},
               {"delivery",
                {{"lines_emitted", d.lines_emitted},
                 {"lines_delivered", d.lines_delivered},
                 {"lost_at_source", d.lost_at_source},
                 {"delivered_twice", d.delivered_twice},
                 {"containers", d.containers},
                 {"containers_delivered", d.containers_delivered},
                 {"containers_too_young", d.containers_too_young},
                 {"containers_gone", d.containers_gone}}},
               {"target_exit", run.target_exit ? run.target_exit->ToString() : "unknown"},
               {"target_stop_ms", run.stop_took.count()},
               {"sample_cost_ms_mean", run.samples.empty() ? 0 : cost_sum / static_cast<double>(run.samples.size())},
               {"sample_cost_ms_max", cost_max}};
  if (!goroutines.by_time.empty()) v.figures["goroutines"] = GrowthJson(g_goroutines, 1);
  if (!run.processes.empty()) {
    json processes = json::array();
    for (const ProcessRecord& p : run.processes) {
      if (processes.size() >= 200) break;
      processes.push_back({{"pid", p.pid},
                           {"comm", p.comm},
                           {"threads_max", p.threads_max},
                           {"fds_max", p.fds_max},
                           {"rss_max_bytes", p.rss_max_bytes},
                           {"first_seen_s", p.first_seen_t},
                           {"last_seen_s", p.last_seen_t}});
    }
    v.figures["processes"] = processes;
    v.figures["processes_seen"] = run.processes.size() + run.processes_untracked;
  }
  return v;
}

int ExitCode(const Verdict& v) {
  if (v.verdict == "error") return 2;
  if (v.expect_fail) {
    if (v.expectation_met) return 0;
    return v.verdict == "inconclusive" ? 3 : 1;
  }
  return v.verdict == "pass" ? 0 : v.verdict == "fail" ? 1 : 3;
}

}  // namespace leakbench::harness
