#include "harness/run/judge.h"

#include <algorithm>
#include <chrono>

#include "harness/run/criteria_table.h"
#include "harness/run/judge_series.h"

namespace leakbench::harness {
namespace {

// What every criterion shares, decided once here: off in the scenario, not
// applicable to the target, a cut stream history (inconclusive: the fake
// dropped closed-stream records); then the row measures, and is
// inconclusive, passed or failed.
CriterionResult JudgeRow(const CriterionRow& row, const JudgeInputs& in) {
  CriterionResult r;
  r.id = row.id;
  r.description = row.description;
  r.unit = row.unit;
  const auto& not_applicable = in.run.scenario.not_applicable;
  const auto why_not = not_applicable.find(row.id);
  const bool applies = why_not == not_applicable.end();
  auto off = [&r](const std::string& why) {
    r.status = Status::kOff;
    r.detail = why;
    return r;
  };
  if (!applies && row.not_applicable_first) {
    if (!row.description_not_applicable.empty()) r.description = row.description_not_applicable;
    return off(why_not->second);
  }
  if (!row.on) return off(std::string(row.off_detail));
  if (!applies) return off(why_not->second);
  const std::uint64_t dropped = in.run.truth_end.streams_closed_dropped;
  if (row.needs_stream_history && dropped > 0) {
    r.status = Status::kInconclusive;
    r.detail = "the fake dropped " + std::to_string(dropped) +
               " closed stream records (it keeps 200,000): a cut history is not judged; shorten the run or lower the "
               "rotation rate";
    return r;
  }
  Measurement m = row.measure(in);
  if (m.off) return off(*m.off);
  if (m.inconclusive) {
    r.status = Status::kInconclusive;
    r.detail = std::move(*m.inconclusive);
    return r;
  }
  r.status = m.pass ? Status::kPass : Status::kFail;
  r.measured = m.measured;
  r.bound = m.bound;
  r.detail = std::move(m.detail);
  if (!m.unit.empty()) r.unit = std::move(m.unit);
  return r;
}

// A negative control's expectation: failed on expect_fail, and on nothing
// but expect_also_fail besides.
void CheckExpectation(const Scenario& s, Verdict& v) {
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

// Follow streams opened by the first sample after the warm-up.
std::uint64_t FirstJudgedOpened(const RunData& run) {
  const double warmup = std::chrono::duration<double>(run.scenario.warmup).count();
  for (const Sample& x : run.samples) {
    if (x.t >= warmup) return x.streams_opened;
  }
  return run.samples.empty() ? 0 : run.samples.back().streams_opened;
}

// Each daemon process: growth of threads, fds and RSS per minute and per
// 1,000 follow streams opened, its CPU (cores used, CPU seconds per 1,000
// follow streams) and peaks.
nlohmann::json DaemonFigures(const RunData& run, const JudgeSeries& j) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < j.daemon.size(); ++i) {
    const DaemonSeries& d = j.daemon[i];
    const Growth& cpu = d.cpu_fit;
    out.push_back(
        {{"name", d.name},
         {"pid", run.daemon_processes[i].pid},
         {"threads", GrowthJson(d.threads_fit, 1, "streams")},
         {"fds", GrowthJson(d.fds_fit, 1, "streams")},
         {"rss_mib", GrowthJson(d.rss_fit, kPerMiB, "streams")},
         {"cpu_cores", cpu.per_second.valid ? cpu.per_second.slope : 0.0},
         {"cpu_s_per_1000_streams", cpu.per_rotation.valid ? cpu.per_rotation.slope * 1000 : 0.0},
         {"threads_max", d.threads.by_time.empty() ? 0.0 : Summarize(d.threads.by_time).max},
         {"fds_max", d.fds.by_time.empty() ? 0.0 : Summarize(d.fds.by_time).max},
         {"rss_mib_max", d.rss.by_time.empty() ? 0.0 : Summarize(d.rss.by_time).max * kPerMiB}});
  }
  return out;
}

nlohmann::json Figures(const RunData& run, const JudgeSeries& j) {
  double cost_max = 0, cost_sum = 0;
  for (const Sample& x : run.samples) {
    cost_max = std::max(cost_max, x.sample_cost_ms);
    cost_sum += x.sample_cost_ms;
  }
  const Delivery& d = run.delivery;
  nlohmann::json figures = {
      {"threads", GrowthJson(j.threads_fit, 1)},
      {"fds", GrowthJson(j.fds_fit, 1)},
      {"rss_mib", GrowthJson(j.rss_fit, kPerMiB)},
      {"metric_series", GrowthJson(j.metric_series_fit, 1)},
      {"follow_streams_peak", run.follow_streams_peak},
      {"follow_streams_opened", run.ages.streams},
      {"stream_age_max_s", run.ages.max_age_s},
      {"stream_age_median_s", run.ages.median_age_s},
      {"streams_closed_by_target", run.ages.rotated},
      {"follow_streams_opened_judged",
       run.samples.empty() ? 0 : run.samples.back().streams_opened - FirstJudgedOpened(run)},
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
  if (!j.goroutines.by_time.empty()) figures["goroutines"] = GrowthJson(j.goroutines_fit, 1);
  if (!j.exported_fds.by_time.empty()) figures["exported_fds"] = GrowthJson(j.exported_fds_fit, 1);
  if (!j.exported_rss.by_time.empty()) figures["exported_rss_mib"] = GrowthJson(j.exported_rss_fit, kPerMiB);
  if (!j.daemon.empty()) figures["daemon"] = DaemonFigures(run, j);
  if (!run.processes.empty()) {
    nlohmann::json processes = nlohmann::json::array();
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
    figures["processes"] = processes;
    figures["processes_seen"] = run.processes.size() + run.processes_untracked;
  }
  return figures;
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
  v.expect_fail = s.expect_fail;
  if (!run.completed) {
    v.verdict = "error";
    v.expectation_met = false;
    v.figures = {{"failure", run.failure}};
    return v;
  }
  const JudgeSeries series = ReadJudgeSeries(run);
  const JudgeInputs in{run, series};
  for (const CriterionRow& row : CriteriaTable(s.criteria)) v.criteria.push_back(JudgeRow(row, in));

  bool any_fail = false, any_inconclusive = false;
  for (const auto& r : v.criteria) {
    any_fail = any_fail || r.status == Status::kFail;
    any_inconclusive = any_inconclusive || r.status == Status::kInconclusive;
  }
  v.verdict = any_fail ? "fail" : any_inconclusive ? "inconclusive" : "pass";
  if (s.expect_fail) CheckExpectation(s, v);
  v.figures = Figures(run, series);
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
