#include "harness/run/criteria_table.h"

#include <chrono>
#include <cstdio>

#include "harness/run/judge.h"

namespace leakbench::harness {
namespace {

std::string FormatFixed(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A threshold as a sentence says it: 0.01, 1.5, 5.
std::string FormatThreshold(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string BoundText(std::optional<double> bound) { return bound ? FormatFixed(*bound) : std::string("off"); }

Measurement Unjudged(std::string why) {
  Measurement m;
  m.inconclusive = std::move(why);
  return m;
}

// Bounded per minute and per 1,000 rotations; fails only when a slope's
// 95% CI lies above its bound.
// `per` names the second axis: "rotations", or "follow streams opened" for the daemon's series.
Measurement MeasureGrowth(const Growth& g, double scale, const std::string& unit, std::optional<double> per_min_bound,
                          std::optional<double> per_rot_bound, const std::string& per = "rotations") {
  if (!g.per_second.valid) {
    return Unjudged("too few samples after the warm-up to fit a slope (" + std::to_string(g.per_second.n) + ")");
  }
  const double per_min = g.per_second.slope * 60 * scale;
  const double per_min_lo = g.per_second.lower * 60 * scale, per_min_hi = g.per_second.upper * 60 * scale;
  const double per_rot = g.per_rotation.valid ? g.per_rotation.slope * 1000 * scale : 0;
  const double per_rot_lo = g.per_rotation.lower * 1000 * scale, per_rot_hi = g.per_rotation.upper * 1000 * scale;
  Measurement m;
  m.measured = per_min;
  m.bound = per_min_bound.value_or(0);
  const bool min_above = GrowthAboveBound(per_min_lo, per_min_bound);
  const bool rot_above = g.per_rotation.valid && GrowthAboveBound(per_rot_lo, per_rot_bound);
  m.pass = !min_above && !rot_above;
  m.detail = FormatFixed(per_min) + " " + unit + "/min (95% CI " + FormatFixed(per_min_lo) + " .. " +
             FormatFixed(per_min_hi) + ", bound " + BoundText(per_min_bound) +
             (min_above ? ": CI above the bound" : "") + "); ";
  if (g.per_rotation.valid) {
    m.detail += FormatFixed(per_rot) + " " + unit + " per 1,000 " + per + " (95% CI " + FormatFixed(per_rot_lo) + " .. " +
                FormatFixed(per_rot_hi) + ", bound " + BoundText(per_rot_bound) +
                (rot_above ? ": CI above the bound" : "") + ")";
  } else {
    m.detail += "per 1,000 " + per + " not fitted (" +
                (per == "rotations" ? "the target closed too few streams" : "too few follow streams opened") +
                " after the warm-up)";
  }
  if (m.pass && ((per_min_bound && per_min > *per_min_bound) || (per_rot_bound && per_rot > *per_rot_bound))) {
    m.detail += "; the point estimate is above a bound but its CI reaches below it: not shown to grow past it";
  }
  return m;
}

CriterionRow GrowthRow(std::string id, const std::string& what, const std::string& unit, Growth JudgeSeries::*fit,
                       double scale, std::optional<double> per_min_bound, std::optional<double> per_rot_bound) {
  return {.id = std::move(id),
          .description = what + " growth after the warm-up (Theil-Sen slope), per minute and per 1,000 rotations; "
                                "fails when the slope's 95% CI lies above the bound",
          .unit = unit + "/min",
          .on = per_min_bound || per_rot_bound,
          .measure = [=](const JudgeInputs& in) {
            return MeasureGrowth(in.series.*fit, scale, unit, per_min_bound, per_rot_bound);
          }};
}

// GrowthRow of a gauge the target exports itself: off (not exported) when
// no scrape carried it.
CriterionRow ExportedGrowthRow(std::string id, const std::string& what, const std::string& gauge,
                               const std::string& unit, Series JudgeSeries::*series, Growth JudgeSeries::*fit,
                               double scale, std::optional<double> per_min_bound, std::optional<double> per_rot_bound) {
  CriterionRow row = GrowthRow(std::move(id), what, unit, fit, scale, per_min_bound, per_rot_bound);
  row.description = what + " growth as the target exports it (" + gauge + "), per minute and per 1,000 rotations, " +
                    "with the bounds of the /proc criterion; fails when the slope's 95% CI lies above the bound";
  auto measure = std::move(row.measure);
  row.measure = [measure, series, gauge](const JudgeInputs& in) {
    if ((in.series.*series).by_time.empty()) {
      Measurement m;
      m.off = "the target's /metrics exports no " + gauge + " (or no scrape after the warm-up succeeded)";
      return m;
    }
    return measure(in);
  };
  return row;
}

// A row judged on the target's summed process tree (threads, fds, memory):
// its detail says when the totals were fitted within tree sizes
// (TreeStrata).
CriterionRow TreeTotalRow(CriterionRow row) {
  auto measure = std::move(row.measure);
  row.measure = [measure](const JudgeInputs& in) {
    Measurement m = measure(in);
    const std::string note = in.series.tree.Note();
    if (!note.empty()) m.detail += (m.detail.empty() ? "" : "; ") + note;
    return m;
  };
  return row;
}

// A trend: Mann-Kendall at p together with a slope CI above zero and a
// fitted rise of at least `min_rise`, so a single step is not one.
CriterionRow TrendRow(std::string id, const std::string& what, Growth JudgeSeries::*fit, const CriteriaSpec& c) {
  return {.id = std::move(id),
          .description = "no continuous upward trend in " + what + " (Mann-Kendall p < " +
                         FormatThreshold(c.trend_p_value) + " with a slope CI above zero and a fitted rise of at least " +
                         FormatThreshold(c.trend_min_rise) + ")",
          .unit = "p-value",
          .on = c.no_continuous_trend,
          .off_detail = kOffInScenario,
          .measure = [fit, &c](const JudgeInputs& in) {
            const Growth& g = in.series.*fit;
            if (!g.trend.valid || !g.per_second.valid) return Unjudged("too few samples after the warm-up");
            const double rise = g.per_second.slope * g.window_s;
            Measurement m;
            m.pass = !(g.trend.direction > 0 && g.per_second.lower > 0 && rise >= c.trend_min_rise);
            m.measured = g.trend.p_value;
            m.bound = c.trend_p_value;
            m.detail = "Mann-Kendall p=" + FormatFixed(g.trend.p_value, 4) + ", direction " +
                       std::to_string(g.trend.direction) + ", fitted rise " + FormatFixed(rise) + " over " +
                       FormatFixed(g.window_s, 0) + " s";
            return m;
          }};
}

Measurement MeasureThreadsBaseline(const JudgeInputs& in, double bound) {
  const JudgeSeries& j = in.series;
  if (j.threads.by_time.empty()) return Unjudged("no /proc sample of the target after the warm-up");
  Measurement m;
  m.bound = bound;
  if (!j.per_process_threads.by_time.empty()) {
    // A command target: the bound is per follower process; the sum is told.
    m.measured = Summarize(j.per_process_threads.by_time).max;
    m.unit = "threads per process";
    m.detail = "largest process: max " + FormatFixed(m.measured, 0) + " threads (bound < " + FormatFixed(bound, 0) +
               " per process); all " + FormatFixed(Summarize(j.process_count.by_time).max, 0) +
               " processes together: max " + FormatFixed(Summarize(j.threads.by_time).max, 0);
  } else {
    m.measured = Summarize(j.threads.by_time).max;
    m.detail = "max " + FormatFixed(m.measured, 0) + " (bound < " + FormatFixed(bound, 0) + ")";
  }
  m.pass = m.measured < bound;
  return m;
}

Measurement MeasureRotation(const JudgeInputs& in, double tolerance_s) {
  const RunData& run = in.run;
  if (run.ages.streams == 0) return Unjudged("the target opened no follow stream: there is no stream age to judge");
  Measurement m;
  m.bound = std::chrono::duration<double>(run.scenario.target.rotation_interval).count() + tolerance_s;
  m.measured = run.ages.max_age_s;
  m.pass = m.measured <= m.bound;
  m.detail = "oldest stream " + FormatFixed(m.measured) + " s (bound " + FormatFixed(m.bound) + " s); " +
             std::to_string(run.ages.rotated) + " of " + std::to_string(run.ages.streams) +
             " follow streams closed by the target, median age " + FormatFixed(run.ages.median_age_s) + " s, p95 " +
             FormatFixed(run.ages.p95_age_s) + " s";
  return m;
}

Measurement MeasureLogLoss(const JudgeInputs& in) {
  const LossCount& loss = in.run.loss;
  if (!loss.judged) {
    return Unjudged(loss.why_not + " (a target that ships elsewhere: give target.output, or switch no_loss off and "
                                   "rely on delivery)");
  }
  const std::uint64_t lost = loss.emitted - loss.captured + loss.gaps_in_gone;
  Measurement m;
  m.measured = static_cast<double>(lost + loss.duplicates);
  m.pass = m.measured == 0;
  m.detail = std::to_string(loss.emitted) + " emitted, " + std::to_string(loss.captured) + " captured, " +
             std::to_string(lost) + " lost, " + std::to_string(loss.duplicates) + " duplicated";
  return m;
}

Measurement MeasureDelivery(const JudgeInputs& in) {
  const Delivery& d = in.run.delivery;
  if (d.containers == 0 || d.lines_emitted == 0) {
    return Unjudged("no container emitted lines long enough before the end to judge (" +
                    std::to_string(d.containers_too_young) + " too young)");
  }
  Measurement m;
  m.measured = static_cast<double>(d.lost_at_source);
  m.pass = d.lost_at_source == 0;
  m.detail = std::to_string(d.lines_emitted) + " emitted, " + std::to_string(d.lines_delivered) + " sent, " +
             std::to_string(d.lost_at_source) + " never sent (lost at the source: a `since` too late or a gap at "
             "a reopen), " + std::to_string(d.delivered_twice) + " sent twice (re-read cost)";
  for (const auto& e : d.examples) m.detail += "; " + e;
  return m;
}

Measurement MeasureConcurrency(const JudgeInputs& in, double bound) {
  Measurement m;
  m.bound = bound;
  m.measured = static_cast<double>(in.run.follow_streams_peak);
  m.pass = m.measured <= bound;
  m.detail = "peak " + std::to_string(in.run.follow_streams_peak) + " (bound " + FormatFixed(bound, 0) + ")";
  return m;
}

Measurement MeasureCapture(const JudgeInputs& in) {
  const RunData& run = in.run;
  const Delivery& d = run.delivery;
  if (d.containers == 0) {
    return Unjudged("no container logged long enough before the end to judge (" +
                    std::to_string(d.containers_too_young) + " too young)");
  }
  Measurement m;
  m.bound = static_cast<double>(d.containers);
  m.measured = static_cast<double>(d.containers_delivered);
  m.pass = d.containers_delivered == d.containers;
  m.detail = std::to_string(d.containers_delivered) + " of " + std::to_string(d.containers) +
             " containers had lines delivered to the target";
  if (run.ages.streams == 0) m.detail += "; the target opened no follow stream at all";
  if (d.containers_too_young > 0) {
    m.detail += "; " + std::to_string(d.containers_too_young) + " started in the last " +
                FormatFixed(static_cast<double>(run.capture_grace_ns) / 1e9, 0) + " s not judged";
  }
  return m;
}

Measurement MeasureEngineErrors(const JudgeInputs& in, double bound) {
  const RunData& run = in.run;
  Measurement m;
  m.bound = bound;
  m.measured = static_cast<double>(run.error_lines);
  m.pass = m.measured <= bound;
  m.detail = std::to_string(run.error_lines) + " error lines (" + run.error_rule + ")";
  for (const auto& e : run.error_examples) m.detail += "; " + e;
  return m;
}

Measurement MeasureMetrics(const JudgeInputs& in, double max_series_per_1000) {
  const RunData& run = in.run;
  std::size_t compared = 0, off = 0;
  for (const Sample& x : run.samples) {
    if (!x.metric_streams_active || !x.streams_open_min || !x.streams_open_max) continue;
    ++compared;
    if (*x.metric_streams_active < static_cast<double>(*x.streams_open_min) ||
        *x.metric_streams_active > static_cast<double>(*x.streams_open_max)) {
      ++off;
    }
  }
  if (compared == 0) {
    return Unjudged("no scrape of the target's /metrics succeeded (" + std::to_string(run.metrics_scrapes_failed) +
                    " failed)");
  }
  double first_rot = -1, last_rot = -1;
  bool decreased = false;
  for (const Sample& x : run.samples) {
    if (!x.metric_rotations) continue;
    if (first_rot < 0) first_rot = *x.metric_rotations;
    if (last_rot >= 0 && *x.metric_rotations < last_rot) decreased = true;
    last_rot = *x.metric_rotations;
  }
  const Growth& series = in.series.metric_series_fit;
  const double series_per_1000 = series.per_rotation.valid ? series.per_rotation.slope * 1000 : 0;
  const bool rotations_ok = last_rot > first_rot && !decreased;
  const bool series_ok = series_per_1000 <= max_series_per_1000;
  Measurement m;
  m.measured = static_cast<double>(off);
  m.bound = 0;
  m.pass = off == 0 && rotations_ok && series_ok;
  m.detail = std::to_string(off) + " of " + std::to_string(compared) +
             " scrapes with streams_active outside the fake's open streams during the scrape; rotations_total " +
             FormatFixed(first_rot, 0) + " -> " + FormatFixed(last_rot, 0) + (decreased ? " (decreased!)" : "") +
             "; metric series " + FormatFixed(series_per_1000) + " per 1,000 rotations (bound " +
             FormatThreshold(max_series_per_1000) + ")";
  return m;
}

Measurement MeasureGoroutinesBaseline(const JudgeInputs& in, double bound) {
  const Series& goroutines = in.series.goroutines;
  if (goroutines.by_time.empty()) return Unjudged("no goroutine count read from the target after the warm-up");
  Measurement m;
  m.measured = Summarize(goroutines.by_time).max;
  m.bound = bound;
  m.pass = m.measured < bound;
  m.detail = "max " + FormatFixed(m.measured, 0) + " (bound < " + FormatFixed(bound, 0) + ")";
  return m;
}

// Every daemon process sampled, each fitted as the target's fds are; fails
// when one of them grows past a bound, inconclusive when one cannot be fitted.
Measurement MeasureDaemonFdGrowth(const JudgeInputs& in, std::optional<double> per_min_bound,
                                  std::optional<double> per_1000_bound) {
  if (in.series.daemon.empty()) {
    return Unjudged("no daemon process was sampled: " +
                    (in.run.daemon_unsampled.empty() ? std::string("none is visible from here")
                                                     : in.run.daemon_unsampled));
  }
  Measurement all;
  all.pass = true;
  for (const DaemonSeries& d : in.series.daemon) {
    const Measurement m =
        MeasureGrowth(d.fds_fit, 1, "fds", per_min_bound, per_1000_bound, "follow streams opened");
    if (m.inconclusive) return Unjudged(d.name + ": " + *m.inconclusive + (d.note.empty() ? "" : " (" + d.note + ")"));
    if (all.detail.empty() || m.measured > all.measured) {
      all.measured = m.measured;
      all.bound = m.bound;
    }
    all.pass = all.pass && m.pass;
    all.detail += (all.detail.empty() ? "" : "; ") + d.name + ": " + m.detail + (d.note.empty() ? "" : " (" + d.note + ")");
  }
  return all;
}

}  // namespace

std::vector<CriterionRow> CriteriaTable(const CriteriaSpec& c) {
  std::vector<CriterionRow> rows;
  rows.push_back({.id = "threads_baseline",
                  .description = "threads after the warm-up",
                  .unit = "threads",
                  .on = c.threads_max.has_value(),
                  .measure = [&c](const JudgeInputs& in) { return MeasureThreadsBaseline(in, *c.threads_max); }});
  rows.push_back(TreeTotalRow(GrowthRow("thread_growth", "thread", "threads", &JudgeSeries::threads_fit, 1,
                                        c.thread_growth_per_min, c.thread_growth_per_1000_rotations)));
  rows.push_back(TreeTotalRow(GrowthRow("fd_growth", "open fd", "fds", &JudgeSeries::fds_fit, 1, c.fd_growth_per_min,
                                        c.fd_growth_per_1000_rotations)));
  rows.push_back(TreeTotalRow(GrowthRow("memory_growth", "resident memory", "MiB", &JudgeSeries::rss_fit, kPerMiB,
                                        c.rss_growth_mib_per_min, c.rss_growth_mib_per_1000_rotations)));
  rows.push_back(TreeTotalRow(TrendRow("thread_trend", "threads", &JudgeSeries::threads_fit, c)));
  rows.push_back(TreeTotalRow(TrendRow("fd_trend", "open fds", &JudgeSeries::fds_fit, c)));
  rows.push_back({.id = "rotation",
                  .description = "no follow stream lives longer than the rotation interval plus the tolerance",
                  .unit = "s",
                  .on = c.rotation_tolerance_s.has_value(),
                  .needs_stream_history = true,
                  .measure = [&c](const JudgeInputs& in) { return MeasureRotation(in, *c.rotation_tolerance_s); }});
  rows.push_back({.id = "log_loss",
                  .description = "every line the fake emitted arrives exactly once in the target's output (by "
                                 "cid/seq), across rotations",
                  .unit = "lines",
                  .on = c.no_loss,
                  .off_detail = kOffInScenario,
                  .measure = MeasureLogLoss});
  rows.push_back({.id = "delivery",
                  .description = "the daemon sent every emitted line to the target at least once, across its follow "
                                 "streams (its own record)",
                  .unit = "lines",
                  .on = c.no_loss_at_source,
                  .off_detail = kOffInScenario,
                  .needs_stream_history = true,
                  .measure = MeasureDelivery});
  rows.push_back({.id = "concurrency",
                  .description = "never more concurrent follow streams than the cap (the fake's peak)",
                  .unit = "streams",
                  .on = c.max_concurrent_streams.has_value(),
                  .off_detail = kOffInScenario,
                  .measure = [&c](const JudgeInputs& in) {
                    return MeasureConcurrency(in, *c.max_concurrent_streams);
                  }});
  rows.push_back({.id = "capture",
                  .description = "every container that logged had a follow stream that delivered its lines (the "
                                 "daemon's record)",
                  .unit = "containers",
                  .on = c.capture_all,
                  .off_detail = kOffInScenario,
                  .needs_stream_history = true,
                  .measure = MeasureCapture});
  rows.push_back({.id = "engine_errors",
                  .description = "no error lines in the target's log",
                  .unit = "lines",
                  .on = c.max_error_lines.has_value(),
                  .measure = [&c](const JudgeInputs& in) { return MeasureEngineErrors(in, *c.max_error_lines); }});
  rows.push_back({.id = "metrics",
                  .description = "streams_active lies within the fake's open streams during each scrape, "
                                 "rotations_total increases, metric series do not grow",
                  .unit = "samples off",
                  .on = c.metrics_consistent,
                  .off_detail = kOffInScenario,
                  .needs_stream_history = true,
                  .measure = [&c](const JudgeInputs& in) {
                    return MeasureMetrics(in, c.max_metric_series_per_1000_rotations);
                  }});
  rows.push_back({.id = "goroutines_baseline",
                  .description = "goroutines after the warm-up",
                  .unit = "goroutines",
                  .on = c.goroutines_max.has_value(),
                  .measure = [&c](const JudgeInputs& in) {
                    return MeasureGoroutinesBaseline(in, *c.goroutines_max);
                  }});
  CriterionRow goroutine_growth =
      GrowthRow("goroutine_growth", "goroutine", "goroutines", &JudgeSeries::goroutines_fit, 1,
                c.goroutine_growth_per_min, c.goroutine_growth_per_1000_rotations);
  goroutine_growth.not_applicable_first = true;
  goroutine_growth.description_not_applicable = "goroutine growth after the warm-up";
  rows.push_back(std::move(goroutine_growth));
  // The target's own view of its fds and memory, when its /metrics exports
  // the standard process_* gauges; judged with the /proc criteria's bounds.
  rows.push_back(ExportedGrowthRow("exported_fd_growth", "open fd", "process_open_fds", "fds", &JudgeSeries::exported_fds,
                                   &JudgeSeries::exported_fds_fit, 1, c.fd_growth_per_min,
                                   c.fd_growth_per_1000_rotations));
  rows.push_back(ExportedGrowthRow("exported_memory_growth", "resident memory", "process_resident_memory_bytes", "MiB",
                                   &JudgeSeries::exported_rss, &JudgeSeries::exported_rss_fit, kPerMiB,
                                   c.rss_growth_mib_per_min, c.rss_growth_mib_per_1000_rotations));
  // What the follower costs the daemon (moby#37391: follow streams leaking
  // json-log fds inside dockerd).
  rows.push_back({.id = "daemon_fd_growth",
                  .description = "the daemon's open fds (each of its processes sampled) after the warm-up "
                                 "(Theil-Sen slope), per minute and per 1,000 follow streams opened; fails when "
                                 "the slope's 95% CI lies above the bound",
                  .unit = "fds/min",
                  .on = c.daemon_fd_growth_per_min || c.daemon_fd_growth_per_1000_streams,
                  .needs_stream_history = true,
                  .measure = [&c](const JudgeInputs& in) {
                    return MeasureDaemonFdGrowth(in, c.daemon_fd_growth_per_min,
                                                 c.daemon_fd_growth_per_1000_streams);
                  }});
  return rows;
}

}  // namespace leakbench::harness
