#include "harness/fleet/alert_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "common/stream_age_buckets.h"
#include "harness/fleet/fleet_queries.h"

namespace leakbench::harness {
namespace alert_rules {

constexpr double kMiB = 1024.0 * 1024.0;

// Shortest plain spelling of a bound: "2", "0.15", "1048576".
std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

struct Context {
  const AlertRulesOptions& o;
  std::string by;            // "job, instance"
  std::string W;             // the window: "30m"
  double window_min = 30;

  std::string Sel(const std::string& metric, const std::string& extra = "") const {
    return SelectSeries(metric, o.selector, extra);
  }
  // Held back while a restart lies within `seconds`: exposer_scrapes_total
  // (prometheus-cpp's scrape counter) starts again at 0 in a new process.
  std::string Guard(double seconds) const {
    return " unless on (" + by + ") (resets(" + Sel("exposer_scrapes_total") + "[" + PromDuration(seconds) +
           "]) > 0)";
  }
  std::vector<std::pair<std::string, std::string>> Labels(const char* severity, const char* criterion) const {
    return {{"severity", severity}, {"criterion", criterion}};
  }
};

struct Gauge {
  const char* what;        // "threads"
  const char* alert_name;  // "Thread"
  const char* criterion;   // growth criterion id
  const char* trend;       // trend criterion id, or nullptr
  std::string series;      // a series selector (or recorded name): its values
  std::string record;      // its median growth per minute, recorded
  std::optional<double> bound;
  const char* unit;        // "threads a minute"
  double per = 1;          // values divided by this are in `unit`'s (bytes into MiB)
};

}  // namespace alert_rules

std::string PromRule::expr() const {
  if (op.empty()) return measure;
  return measure + " " + op + " " + threshold + also + guard;
}

std::string PromDuration(double seconds) {
  long s = std::lround(seconds);
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h", s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "m", s %= 60;
  if (s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

AlertRules BuildAlertRules(const AlertRulesOptions& options) {
  using namespace alert_rules;
  if (options.window_s < 60) {
    throw AlertRulesError("--window " + PromDuration(options.window_s) +
                          ": give at least 1m (growth is the change between two windows' medians)");
  }
  try {
    CheckSelector(options.selector);
  } catch (const FleetQueryError& e) {
    throw AlertRulesError(e.what());
  }
  if (options.by.empty()) throw AlertRulesError("--by: give at least one label that names an instance");
  Context c{options, "", PromDuration(options.window_s), options.window_s / 60};
  for (const auto& l : options.by) c.by += (c.by.empty() ? "" : ", ") + l;
  const CriteriaSpec& k = options.bounds.criteria;
  const double warmup = Seconds(options.bounds.warmup);
  const double rotation = Seconds(options.bounds.target.rotation_interval);
  const std::string inst = "log-capturer {{ $labels.instance }}";
  AlertRules out;

  PromRuleGroup recorded{"leakbench-recorded", {}};
  PromRuleGroup alerts{"log-capturer-acceptance", {}};
  const std::string fds = "leakbench:log_capturer_fds_without_streams";
  recorded.rules.push_back({.record = fds,
                            .measure = c.Sel("log_capturer_process_open_fds") + " - " +
                                       c.Sel("log_capturer_container_streams_active")});

  alerts.rules.push_back({.alert = "LogCapturerDown",
                          .measure = SelectSeries("up", options.selector),
                          .op = "<",
                          .threshold = "1",
                          .for_ = "1m",
                          .labels = c.Labels("critical", "run"),
                          .summary = inst + " is not answering /metrics",
                          .description = "Prometheus cannot scrape log-capturer (docker-compose ps; docker-compose "
                                         "logs log-capturer)."});
  alerts.rules.push_back({.alert = "LogCapturerRestarted",
                          .measure = "resets(" + c.Sel("exposer_scrapes_total") + "[15m])",
                          .op = ">",
                          .threshold = "0",
                          .labels = c.Labels("warning", "restart"),
                          .summary = inst + " restarted in the last 15 m",
                          .description = "A restart is not a leak: growth and trend alerts are held back until their "
                                         "windows lie after it and the warm-up (" + PromDuration(warmup) +
                                         "). Why did it restart? docker-compose logs log-capturer."});
  if (k.threads_max) {
    alerts.rules.push_back({.alert = "LogCapturerThreadsAboveBaseline",
                            .measure = c.Sel("log_capturer_process_threads"),
                            .op = ">=",
                            .threshold = Number(*k.threads_max),
                            .guard = c.Guard(warmup),
                            .for_ = "1m",
                            .labels = c.Labels("critical", "threads_baseline"),
                            .summary = inst + " runs " + Number(*k.threads_max) + " threads or more",
                            .description = "Criterion threads_baseline: threads < " + Number(*k.threads_max) +
                                           " after the warm-up. log-capturer runs a fixed handful whatever the "
                                           "number of containers."});
  }

  const std::vector<Gauge> gauges = {
      {"threads", "Thread", "thread_growth", "thread_trend", c.Sel("log_capturer_process_threads"),
       "leakbench:log_capturer_process_threads:median_growth_per_min", k.thread_growth_per_min, "threads a minute"},
      {"fds (not counting follow streams)", "Fd", "fd_growth", "fd_trend", fds,
       "leakbench:log_capturer_fds_without_streams:median_growth_per_min", k.fd_growth_per_min, "fds a minute"},
      {"resident memory", "Memory", "memory_growth", nullptr,
       c.Sel("log_capturer_process_resident_memory_bytes"),
       "leakbench:log_capturer_process_resident_memory_mib:median_growth_per_min", k.rss_growth_mib_per_min,
       "MiB a minute", kMiB},
  };
  for (const Gauge& g : gauges) {
    if (!g.bound) continue;
    recorded.rules.push_back(
        {.record = g.record,
         .measure = "(quantile_over_time(0.5, " + g.series + "[" + c.W + "]) - quantile_over_time(0.5, " + g.series +
                    "[" + c.W + "] offset " + c.W + ")) / " + Number(c.window_min) +
                    (g.per != 1 ? " / " + Number(g.per) : "")});
    alerts.rules.push_back(
        {.alert = std::string("LogCapturer") + g.alert_name + "Growth",
         .measure = g.record,
         .op = ">",
         .threshold = Number(*g.bound),
         .guard = c.Guard(2 * options.window_s + warmup),
         .for_ = "5m",
         .labels = c.Labels("critical", g.criterion),
         .summary = inst + " " + g.what + ": growth above " + Number(*g.bound) + " " + g.unit,
         .description = "Criterion " + std::string(g.criterion) + " (bound " + Number(*g.bound) + " " + g.unit +
                        "): the median of the last " + c.W + " minus the median of the " + c.W +
                        " before, per minute, held for 5 m. Not judged within " +
                        PromDuration(2 * options.window_s + warmup) + " of a restart."});
  }
  for (const Gauge& g : gauges) {
    if (g.trend == nullptr || !k.no_continuous_trend) continue;
    alerts.rules.push_back(
        {.alert = std::string("LogCapturer") + g.alert_name + "Creep",
         .measure = "min_over_time(" + g.series + "[" + c.W + "]) - max_over_time(" + g.series + "[" + c.W +
                    "] offset " + PromDuration(2 * options.window_s) + ")",
         .op = ">=",
         .threshold = Number(k.trend_min_rise),
         .guard = c.Guard(3 * options.window_s + warmup),
         .labels = c.Labels("warning", g.trend),
         .summary = inst + " " + g.what + " stayed higher for " + c.W + " than at any time " +
                    PromDuration(2 * options.window_s) + " earlier",
         .description = "Criterion " + std::string(g.trend) + " (no continuous upward trend, rise >= " +
                        Number(k.trend_min_rise) + "): the lowest value of the last " + c.W +
                        " is above the highest of the " + c.W + " " + PromDuration(2 * options.window_s) +
                        " before: a slow leak the growth bound misses."});
  }

  if (k.max_concurrent_streams) {
    const std::string cap = Number(*k.max_concurrent_streams);
    alerts.rules.push_back({.alert = "LogCapturerStreamsAboveCap",
                            .measure = c.Sel("log_capturer_container_streams_active"),
                            .op = ">",
                            .threshold = cap,
                            .labels = c.Labels("critical", "concurrency"),
                            .summary = inst + " has more follow streams open than max_streams (" + cap + ")",
                            .description = "Criterion concurrency: never more than max_streams concurrent streams "
                                           "(the bounds' target.max_streams; change both together)."});
  }
  if (k.rotation_tolerance_s) {
    const double quiet = std::max(3 * rotation, 60.0);
    alerts.rules.push_back(
        {.alert = "LogCapturerNoRotations",
         .measure = "increase(" + c.Sel("log_capturer_container_stream_rotations_total") + "[" + PromDuration(quiet) +
                    "])",
         .op = "<=",
         .threshold = "0",
         .also = " and " + c.Sel("log_capturer_container_streams_active") + " > 0",
         .for_ = "5m",
         .labels = c.Labels("critical", "rotation"),
         .summary = inst + " has open streams but rotated none in " + PromDuration(quiet),
         .description = "Criterion rotation: with a rotation interval of " + PromDuration(rotation) +
                        " every stream that lives on is reopened; " + PromDuration(quiet) +
                        " without one means rotation stopped (or every stream is shorter-lived than its lease)."});
    const double limit = rotation + *k.rotation_tolerance_s;
    const double bucket = StreamAgeBucketAtOrAbove(limit).value_or(0);
    if (bucket == 0) {
      out.notes.push_back("rotation: no alert on stream age: rotation + tolerance is " + Number(limit) +
                          " s, above the top bucket of log_capturer_container_stream_age_seconds (" +
                          Number(leakbench::kStreamAgeBucketsSeconds.back()) + " s); LogCapturerNoRotations still "
                          "watches rotation");
    } else {
      const std::string h = "log_capturer_container_stream_age_seconds_bucket";
      const std::string age_window = PromDuration(std::max(options.window_s, 2 * limit));
      alerts.rules.push_back(
          {.alert = "LogCapturerStreamOutlivedRotation",
           .measure = "sum without (le) (increase(" + c.Sel(h, "le=\"+Inf\"") + "[" + age_window +
                      "])) - sum without (le) (increase(" + c.Sel(h, "le=\"" + Number(bucket) + "\"") + "[" +
                      age_window + "]))",
           .op = ">",
           .threshold = "0",
           .labels = c.Labels("critical", "rotation"),
           .summary = inst + " closed a follow stream older than " + Number(bucket) + " s in the last " + age_window,
           .description = "Criterion rotation: every stream closes by rotation + tolerance (" + Number(limit) +
                          " s); " + Number(bucket) + " s is the first bucket of "
                          "log_capturer_container_stream_age_seconds at or above it, so a stream closed between " +
                          Number(limit) + " and " + Number(bucket) + " s is not seen."});
    }
  }
  if (k.max_error_lines) {
    alerts.rules.push_back(
        {.alert = "LogCapturerStreamErrors",
         .measure = "increase(" + c.Sel("log_capturer_container_stream_errors_total",
                                        "error_type!~\"not_found|conflict\"") + "[10m])",
         .op = ">",
         .threshold = Number(*k.max_error_lines),
         .labels = c.Labels("warning", "engine_errors"),
         .summary = inst + ": {{ $labels.error_type }} errors in the last 10 m",
         .description = "Criterion engine_errors (at most " + Number(*k.max_error_lines) +
                        "): errors on Docker requests or follow streams; not_found and conflict, from containers "
                        "removed while followed, are left out."});
  }
  if (k.metrics_consistent) {
    alerts.rules.push_back(
        {.alert = "LogCapturerSeriesLeak",
         .measure = "count by (" + c.by + ") (" + c.Sel("log_capturer_lines_total") + ") - on (" + c.by + ") " +
                    c.Sel("log_capturer_containers_monitored"),
         .op = ">",
         .threshold = "0",
         .for_ = "15m",
         .labels = c.Labels("warning", "metrics"),
         .summary = inst + " keeps per-container series of containers it no longer follows",
         .description = "Criterion metrics (series of removed containers are deleted): more "
                        "log_capturer_lines_total series than monitored containers, for 15 m. A stopped container "
                        "stays monitored, with its series, until it is removed."});
  }
  if (k.capture_all) {
    const std::string starve = Number(2 * rotation);
    alerts.rules.push_back(
        {.alert = "LogCapturerContainersStarving",
         .measure = "histogram_quantile(0.99, sum by (" + c.by + ", le) (rate(" +
                    c.Sel("log_capturer_stream_wait_seconds_bucket") + "[30m])))",
         .op = ">=",
         .threshold = starve,
         .for_ = "15m",
         .labels = c.Labels("warning", "capture"),
         .summary = inst + ": containers wait " + starve + " s or more for a stream slot",
         .description = "Criterion capture (graceful degradation, no container starves): with the pool full, fair "
                        "turns give every container a slot about once per rotation interval; the 99th percentile "
                        "of the wait over 30 m is at twice the interval or above."});
  }
  alerts.rules.push_back({.alert = "LogCapturerSinkBackpressure",
                          .measure = "rate(" + c.Sel("log_capturer_sink_refusals_total") + "[5m])",
                          .op = ">",
                          .threshold = "0",
                          .for_ = "15m",
                          .labels = c.Labels("warning", "sink"),
                          .summary = inst + ": the sink has refused data for 15 m",
                          .description = "Reads are paused while the sink's buffer is full; the daemon keeps the "
                                         "logs, capture lag grows. Is Loki up? docker-compose logs loki."});
  out.groups.push_back(std::move(recorded));
  out.groups.push_back(std::move(alerts));
  return out;
}

}  // namespace leakbench::harness
