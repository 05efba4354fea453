#include "harness/fleet/fleet_judge.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "harness/fleet/counter_criteria.h"
#include "harness/fleet/segment_run.h"

namespace leakbench::harness {
namespace fleet_judge {

std::string Minutes(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  return buf;
}

int Rank(Status s) {
  switch (s) {
    case Status::kFail: return 3;
    case Status::kInconclusive: return 2;
    case Status::kPass: return 1;
    case Status::kOff: return 0;
  }
  return 0;
}

// How far past its bound a failed criterion is (1 when it has no bound to compare).
double Excess(const CriterionResult& c) {
  if (c.status != Status::kFail) return 0;
  if (c.bound > 0 && std::isfinite(c.measured)) return std::max(1.0, c.measured / c.bound);
  return 1;
}

// Criteria of resources the instance has no series of: inconclusive.
void MarkMissing(Verdict& v, const Present& present) {
  struct Need {
    Resource resource;
    std::vector<std::string> ids;
  };
  const std::vector<Need> needs = {
      {Resource::kThreads, {"threads_baseline", "thread_growth", "thread_trend"}},
      {Resource::kFds, {"fd_growth", "fd_trend"}},
      {Resource::kRss, {"memory_growth"}},
  };
  for (const Need& n : needs) {
    if (present[static_cast<std::size_t>(n.resource)]) continue;
    for (CriterionResult& c : v.criteria) {
      if (c.status == Status::kOff || std::find(n.ids.begin(), n.ids.end(), c.id) == n.ids.end()) continue;
      c.status = Status::kInconclusive;
      c.measured = 0;
      c.detail = std::string("no ") + ResourceName(n.resource) + " series for this instance (" +
                 ResourceMetrics(n.resource) + "): not judged";
    }
  }
}

void SetVerdictWord(Verdict& v) {
  bool fail = false, inconclusive = false;
  for (const auto& c : v.criteria) {
    fail = fail || c.status == Status::kFail;
    inconclusive = inconclusive || c.status == Status::kInconclusive;
  }
  v.verdict = fail ? "fail" : inconclusive ? "inconclusive" : "pass";
}

std::string SegmentName(const InstanceVerdict& iv, std::size_t i) {
  return "segment " + std::to_string(i + 1) + " of " + std::to_string(iv.segments.size());
}

// Per criterion, the worst judged segment; detail says which segment.
void Combine(InstanceVerdict& iv) {
  std::vector<std::size_t> judged;
  for (std::size_t i = 0; i < iv.segments.size(); ++i) {
    if (iv.segments[i].judged) judged.push_back(i);
  }
  const std::size_t rows = iv.segments[judged.front()].verdict.criteria.size();
  Verdict& v = iv.verdict;
  v.criteria.clear();
  for (std::size_t row = 0; row < rows; ++row) {
    std::size_t best = judged.front();
    for (std::size_t i : judged) {
      const CriterionResult& c = iv.segments[i].verdict.criteria[row];
      const CriterionResult& b = iv.segments[best].verdict.criteria[row];
      const int rc = Rank(c.status), rb = Rank(b.status);
      if (rc > rb || (rc == rb && c.status == Status::kFail && Excess(c) > Excess(b)) ||
          (rc == rb && c.status == Status::kPass && iv.segments[i].window_s > iv.segments[best].window_s)) {
        best = i;
      }
    }
    CriterionResult c = iv.segments[best].verdict.criteria[row];
    if (iv.segments.size() > 1 && c.status != Status::kOff) c.detail = SegmentName(iv, best) + ": " + c.detail;
    v.criteria.push_back(std::move(c));
  }
  // The figures of the worst failing segment, else of the longest judged one.
  iv.shown = judged.front();
  for (std::size_t i : judged) {
    const Verdict& sv = iv.segments[i].verdict;
    const Verdict& bv = iv.segments[iv.shown].verdict;
    double se = 0, be = 0;
    for (const auto& c : sv.criteria) se = std::max(se, Excess(c));
    for (const auto& c : bv.criteria) be = std::max(be, Excess(c));
    if (se > be || (se == be && iv.segments[i].window_s > iv.segments[iv.shown].window_s)) iv.shown = i;
  }
  v.figures = iv.segments[iv.shown].verdict.figures;
}

}  // namespace fleet_judge

InstanceVerdict JudgeInstance(const InstanceData& data, const FleetBounds& bounds, double range_start,
                              double range_end, bool keep_history) {
  InstanceVerdict iv;
  iv.key = data.key;
  iv.labels = data.labels;
  const Present present = PresentResources(data);
  const double warmup_s = std::chrono::duration<double>(bounds.scenario.warmup).count();
  const auto segments = SplitAtRestarts(data.series[static_cast<std::size_t>(Resource::kStartTime)],
                                        data.series[static_cast<std::size_t>(Resource::kRotations)], range_start,
                                        range_end);
  iv.restarts = segments.size() - 1;
  std::size_t longest = 0;
  std::vector<RunData> runs;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    SegmentVerdict sv;
    sv.segment = segments[i];
    RunData run = SegmentRun(data, present, segments[i], SegmentOrigin(segments[i], i == 0, warmup_s), bounds.scenario);
    sv.samples = run.samples.size();
    double first = std::numeric_limits<double>::infinity(), last = -first;
    for (const Sample& x : run.samples) {
      if (x.t < warmup_s) continue;
      first = std::min(first, x.t);
      last = std::max(last, x.t);
    }
    sv.window_s = last > first ? last - first : 0;
    if (sv.window_s + 1e-6 >= bounds.min_window_s) {
      sv.judged = true;
      sv.verdict = Judge(run);
      const double judged_from = SegmentOrigin(segments[i], i == 0, warmup_s) + warmup_s;
      JudgeCounters(sv.verdict, data, std::max(judged_from, segments[i].from), segments[i].to, bounds);
      fleet_judge::MarkMissing(sv.verdict, present);
      fleet_judge::SetVerdictWord(sv.verdict);
    } else {
      sv.why_not = fleet_judge::Minutes(sv.window_s) + " after the warm-up (" + fleet_judge::Minutes(warmup_s) +
                   "), " + std::to_string(sv.samples) + " samples; at least " +
                   fleet_judge::Minutes(bounds.min_window_s) + " needed (--min-window)";
    }
    if (iv.segments.empty() || sv.window_s > iv.segments[longest].window_s) longest = i;
    iv.segments.push_back(std::move(sv));
    runs.push_back(std::move(run));
  }
  const bool any_judged =
      std::any_of(iv.segments.begin(), iv.segments.end(), [](const SegmentVerdict& s) { return s.judged; });
  if (any_judged) {
    fleet_judge::Combine(iv);
  } else {
    // Nothing long enough: the criteria as the longest segment would show
    // them, each one that is on made inconclusive.
    iv.shown = longest;
    iv.verdict = Judge(runs[longest]);
    for (CriterionResult& c : iv.verdict.criteria) {
      if (c.status == Status::kOff) continue;
      c.status = Status::kInconclusive;
      c.measured = 0;
      c.detail = "too short to judge: the longest segment has " + iv.segments[longest].why_not;
    }
  }
  fleet_judge::SetVerdictWord(iv.verdict);
  for (const auto& c : iv.verdict.criteria) iv.severity = std::max(iv.severity, fleet_judge::Excess(c));
  iv.history.scenario = runs[iv.shown].scenario;
  iv.history.completed = true;
  if (keep_history) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const double shift = SegmentOrigin(segments[i], i == 0, warmup_s) - range_start;
      for (Sample& s : runs[i].samples) {
        s.t += shift;
        iv.history.samples.push_back(std::move(s));
      }
      iv.history.follow_streams_peak = std::max(iv.history.follow_streams_peak, runs[i].follow_streams_peak);
    }
  }
  return iv;
}

std::string FleetVerdict(const std::vector<InstanceVerdict>& instances) {
  if (instances.empty()) return "inconclusive";
  bool fail = false, inconclusive = false;
  for (const auto& i : instances) {
    fail = fail || i.verdict.verdict == "fail";
    inconclusive = inconclusive || i.verdict.verdict != "pass";
  }
  return fail ? "fail" : inconclusive ? "inconclusive" : "pass";
}

}  // namespace leakbench::harness
