#include "harness/fleet/fleet_result.h"

#include <algorithm>
#include <numeric>

#include "common/rfc3339_nano.h"
#include "harness/run/result_files.h"

namespace leakbench::harness {
namespace fleet_result {

using json = nlohmann::json;

std::string Rfc3339(double unix_s) { return FormatRfc3339Nano(static_cast<std::int64_t>(unix_s * 1e9)); }

json SourceJson(const FleetSource& s) {
  return {{"url", s.url},
          {"selector", s.selector},
          {"by", s.by},
          {"start", Rfc3339(s.range.start)},
          {"end", Rfc3339(s.range.end)},
          {"step_s", s.range.step},
          {"min_window_s", s.min_window_s}};
}

// The fitted slope behind a growth criterion, from the figures.
json Slope(const json& figures, const std::string& id) {
  static const std::vector<std::pair<std::string, std::string>> kFigure = {
      {"thread_growth", "threads"}, {"thread_trend", "threads"}, {"threads_baseline", "threads"},
      {"fd_growth", "fds"},         {"fd_trend", "fds"},         {"memory_growth", "rss_mib"},
      {"goroutine_growth", "goroutines"}, {"goroutines_baseline", "goroutines"}};
  for (const auto& [criterion, figure] : kFigure) {
    if (criterion != id || !figures.contains(figure)) continue;
    const json& g = figures[figure];
    return {{"figure", figure},
            {"per_minute", g.value("per_minute", 0.0)},
            {"per_minute_ci", g.value("per_minute_ci", json::array())},
            {"per_1000_rotations", g.value("per_1000_rotations", 0.0)},
            {"points", g.value("points", 0)}};
  }
  return nullptr;
}

}  // namespace fleet_result

nlohmann::json InstanceResultJson(const InstanceVerdict& iv, const FleetSource& source) {
  using fleet_result::json;
  RunData run = iv.history;
  run.scenario.name = "prometheus " + iv.key;
  run.scenario.description = "instance " + LabelsText(iv.labels) + " judged from " + source.url;
  run.scenario.target.kind = "prometheus";
  run.scenario.duration = std::chrono::nanoseconds(static_cast<std::int64_t>((source.range.end - source.range.start) * 1e9));
  run.scenario.sample_interval = std::chrono::nanoseconds(static_cast<std::int64_t>(source.range.step * 1e9));
  run.started_at = fleet_result::Rfc3339(source.range.start);
  json r = ResultJson(run, iv.verdict);
  r["scenario"]["target"] = "prometheus";
  r["source"] = "prometheus";
  r["prometheus"] = fleet_result::SourceJson(source);
  r["instance"] = {{"key", iv.key}, {"labels", iv.labels}};
  r["restarts"] = iv.restarts;
  json segments = json::array();
  for (std::size_t i = 0; i < iv.segments.size(); ++i) {
    const SegmentVerdict& s = iv.segments[i];
    json seg = {{"from", fleet_result::Rfc3339(s.segment.from)},
                {"to", fleet_result::Rfc3339(std::min(s.segment.to, source.range.end))},
                {"began", s.segment.began},
                {"samples", s.samples},
                {"window_s", s.window_s},
                {"judged", s.judged},
                {"shown", i == iv.shown}};
    if (s.segment.process_start) seg["process_start"] = fleet_result::Rfc3339(*s.segment.process_start);
    if (s.judged) {
      seg["verdict"] = s.verdict.verdict;
    } else {
      seg["why_not"] = s.why_not;
    }
    segments.push_back(std::move(seg));
  }
  r["segments"] = std::move(segments);
  return r;
}

nlohmann::json FleetJson(const std::vector<InstanceVerdict>& instances, const std::vector<std::string>& written,
               const FleetSource& source) {
  using fleet_result::json;
  std::size_t pass = 0, fail = 0, inconclusive = 0, restarts = 0, restarted = 0;
  for (const auto& iv : instances) {
    pass += iv.verdict.verdict == "pass";
    fail += iv.verdict.verdict == "fail";
    inconclusive += iv.verdict.verdict == "inconclusive";
    restarts += iv.restarts;
    restarted += iv.restarts > 0;
  }
  std::vector<std::size_t> order(instances.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return instances[a].severity > instances[b].severity; });
  json failing = json::array(), unjudged = json::array(), all = json::array();
  for (std::size_t i : order) {
    const InstanceVerdict& iv = instances[i];
    if (iv.verdict.verdict == "fail") {
      json criteria = json::array();
      for (const auto& c : iv.verdict.criteria) {
        if (c.status != Status::kFail) continue;
        criteria.push_back({{"id", c.id},
                            {"measured", c.measured},
                            {"bound", c.bound},
                            {"unit", c.unit},
                            {"slope", fleet_result::Slope(iv.verdict.figures, c.id)},
                            {"detail", c.detail}});
      }
      failing.push_back({{"instance", iv.key}, {"severity", iv.severity}, {"restarts", iv.restarts},
                         {"criteria", criteria}, {"result", written[i]}});
    } else if (iv.verdict.verdict == "inconclusive") {
      std::string why;
      for (const auto& c : iv.verdict.criteria) {
        if (c.status == Status::kInconclusive) {
          why = c.id + ": " + c.detail;
          break;
        }
      }
      unjudged.push_back({{"instance", iv.key}, {"why", why}, {"result", written[i]}});
    }
  }
  for (std::size_t i = 0; i < instances.size(); ++i) {
    const InstanceVerdict& iv = instances[i];
    std::size_t judged = 0;
    for (const auto& s : iv.segments) judged += s.judged;
    all.push_back({{"instance", iv.key},
                   {"labels", iv.labels},
                   {"verdict", iv.verdict.verdict},
                   {"restarts", iv.restarts},
                   {"segments", iv.segments.size()},
                   {"segments_judged", judged},
                   {"result", written[i]}});
  }
  const std::string verdict = FleetVerdict(instances);
  return {{"schema_version", 1},
          {"tool", "leakbench"},
          {"source", "prometheus"},
          {"verdict", verdict},
          {"exit_code", FleetExitCode(verdict)},
          {"prometheus", fleet_result::SourceJson(source)},
          {"instances_judged", instances.size()},
          {"counts", {{"pass", pass}, {"fail", fail}, {"inconclusive", inconclusive}}},
          {"restarts", restarts},
          {"instances_restarted", restarted},
          {"failing", failing},
          {"inconclusive", unjudged},
          {"instances", all}};
}

std::string FleetJunit(const std::vector<nlohmann::json>& results) {
  std::vector<std::string> suites;
  suites.reserve(results.size());
  for (const auto& r : results) suites.push_back(JunitTestsuite(r));
  return JunitDocument(suites);
}

std::string InstanceDirName(const std::string& key) {
  std::string out;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out.substr(0, 200);
}

int FleetExitCode(const std::string& verdict) { return verdict == "pass" ? 0 : verdict == "fail" ? 1 : 3; }

}  // namespace leakbench::harness
