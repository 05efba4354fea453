#include "harness/run/judge_series.h"

#include <chrono>
#include <cmath>
#include <map>

namespace leakbench::harness {

Series Extract(const RunData& run, const std::function<std::optional<double>(const Sample&)>& value, Axis axis) {
  Series s;
  const double warmup = std::chrono::duration<double>(run.scenario.warmup).count();
  for (const Sample& x : run.samples) {
    if (x.t < warmup) continue;
    const auto v = value(x);
    if (!v) continue;
    s.by_time.push_back({x.t, *v});
    s.tree_size.push_back(x.processes ? static_cast<long>(*x.processes) : -1);
    const std::uint64_t along = axis == Axis::kRotations ? x.streams_closed : x.streams_opened;
    s.by_rotations.push_back({static_cast<double>(along), *v});
  }
  return s;
}

Growth Fit(const Series& s, double trend_p_value) {
  Growth g;
  if (!s.within_tree_size) {
    g.per_second = TheilSen(s.by_time);
    g.per_rotation = TheilSen(s.by_rotations);
    g.trend = MannKendall(s.by_time, trend_p_value);
  } else {
    g.per_second = TheilSenWithin(s.by_time, s.tree_size);
    g.per_rotation = TheilSenWithin(s.by_rotations, s.tree_size);
    g.trend = MannKendallWithin(s.by_time, s.tree_size, trend_p_value);
  }
  if (s.by_time.size() >= 2) g.window_s = s.by_time.back().t - s.by_time.front().t;
  return g;
}

nlohmann::json GrowthJson(const Growth& g, double scale, const std::string& per) {
  return {{"per_minute", g.per_second.valid ? g.per_second.slope * 60 * scale : 0.0},
          {"per_minute_ci", {g.per_second.lower * 60 * scale, g.per_second.upper * 60 * scale}},
          {"intercept", g.per_second.valid ? g.per_second.intercept * scale : 0.0},
          {"per_1000_" + per, g.per_rotation.valid ? g.per_rotation.slope * 1000 * scale : 0.0},
          {"per_1000_" + per + "_ci", {g.per_rotation.lower * 1000 * scale, g.per_rotation.upper * 1000 * scale}},
          {"trend_p_value", g.trend.p_value},
          {"trend_direction", g.trend.direction},
          {"points", g.per_second.n}};
}

TreeStrata FindTreeStrata(const RunData& run) {
  TreeStrata tree;
  const double warmup = std::chrono::duration<double>(run.scenario.warmup).count();
  std::vector<Point> count;
  std::map<std::size_t, std::size_t> sizes;
  for (const Sample& x : run.samples) {
    if (x.t < warmup || !x.proc.ok || !x.processes) continue;
    count.push_back({x.t, static_cast<double>(*x.processes)});
    ++sizes[*x.processes];
  }
  tree.sizes = sizes.size();
  if (sizes.size() < 2) return tree;  // one size (or none known): nothing to set apart
  tree.count_growth = TheilSen(count);
  // A tree shown to gain processes is fitted on every sample: there the
  // totals grow with the count, and that growth is what a leak of processes
  // looks like.
  tree.by_size = !tree.count_growth.valid || tree.count_growth.lower <= 0;
  return tree;
}

std::string TreeStrata::Note() const {
  if (!by_size) return "";
  return "each sample compared only with samples at the same number of processes (the target's tree had " +
         std::to_string(sizes) + " sizes, and its process count is not shown to grow)";
}

JudgeSeries ReadJudgeSeries(const RunData& run) {
  JudgeSeries j;
  j.tree = FindTreeStrata(run);
  auto proc = [](auto f) {
    return [f](const Sample& x) -> std::optional<double> {
      if (!x.proc.ok) return std::nullopt;
      return f(x);
    };
  };
  auto count = [](std::optional<std::size_t> n) { return n ? std::optional<double>(static_cast<double>(*n)) : std::nullopt; };
  j.threads = Extract(run, proc([](const Sample& x) { return static_cast<double>(x.proc.threads); }));
  j.fds = Extract(run, proc([](const Sample& x) { return static_cast<double>(x.proc.fds.total()); }));
  j.rss = Extract(run, proc([](const Sample& x) { return static_cast<double>(x.proc.rss_bytes); }));
  if (j.tree.by_size) {
    for (Series* tree_total : {&j.threads, &j.fds, &j.rss}) tree_total->within_tree_size = true;
  }
  j.metric_series = Extract(run, [](const Sample& x) -> std::optional<double> {
    if (x.metric_series == 0) return std::nullopt;
    return static_cast<double>(x.metric_series);
  });
  j.goroutines = Extract(run, [](const Sample& x) { return x.goroutines; });
  j.exported_fds = Extract(run, [](const Sample& x) { return x.target_open_fds; });
  j.exported_rss = Extract(run, [](const Sample& x) { return x.target_rss_bytes; });
  j.per_process_threads = Extract(run, [&count](const Sample& x) { return count(x.threads_max_per_process); });
  j.process_count = Extract(run, [&count](const Sample& x) { return count(x.processes); });
  const double p = run.scenario.criteria.trend_p_value;
  j.threads_fit = Fit(j.threads, p);
  j.fds_fit = Fit(j.fds, p);
  j.rss_fit = Fit(j.rss, p);
  j.metric_series_fit = Fit(j.metric_series, p);
  j.goroutines_fit = Fit(j.goroutines, p);
  j.exported_fds_fit = Fit(j.exported_fds, p);
  j.exported_rss_fit = Fit(j.exported_rss, p);
  // A restarted daemon's processes are other processes: their counts start
  // again, and a fit across the restart would read the drop as shrinking.
  const std::size_t generation = run.daemon_restarts_s.size();
  for (std::size_t i = 0; i < run.daemon_processes.size(); ++i) {
    auto daemon = [i, generation](auto f) {
      return [i, generation, f](const Sample& x) -> std::optional<double> {
        if (i >= x.daemon.size() || !x.daemon[i].ok || x.daemon_generation != generation) return std::nullopt;
        return f(x.daemon[i]);
      };
    };
    DaemonSeries d;
    d.name = run.daemon_processes[i].name;
    if (generation > 0) {
      d.note = "fitted from the daemon's last restart (at " + std::to_string(std::lround(run.daemon_restarts_s.back())) +
               " s) on: its processes were new ones then";
    }
    d.threads = Extract(run, daemon([](const ProcSample& ps) { return static_cast<double>(ps.threads); }),
                        Axis::kStreamsOpened);
    d.fds = Extract(run, daemon([](const ProcSample& ps) { return static_cast<double>(ps.fds.total()); }),
                    Axis::kStreamsOpened);
    d.rss = Extract(run, daemon([](const ProcSample& ps) { return static_cast<double>(ps.rss_bytes); }),
                    Axis::kStreamsOpened);
    d.cpu_seconds = Extract(run, daemon([](const ProcSample& ps) { return ps.cpu_seconds; }), Axis::kStreamsOpened);
    d.threads_fit = Fit(d.threads, p);
    d.fds_fit = Fit(d.fds, p);
    d.rss_fit = Fit(d.rss, p);
    d.cpu_fit = Fit(d.cpu_seconds, p);
    j.daemon.push_back(std::move(d));
  }
  return j;
}

}  // namespace leakbench::harness
