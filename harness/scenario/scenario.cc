// Loads scenario files (YAML, and therefore JSON) into Scenario values:
// each section (the top level, fake, target, criteria) is walked against a
// table of its known keys and each value converted by YamlReader (errors
// name FILE:LINE:COL and the key path); the cross-field rules
// (scenario_rules.h) are checked at the end. Faults and timeline actions are
// passed through to the fake daemon as JSON, converted faithfully, after the
// fake's own checks of them (so a bad one fails at load, naming the entry).
#include "harness/scenario/scenario.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fakes/dockerd/actions.h"
#include "fakes/dockerd/faults.h"
#include "harness/scenario/scenario_rules.h"
#include "harness/scenario/yaml_reader.h"

namespace leakbench::harness {
namespace {

using Handler = YamlReader::Handler;

std::string LineBytes(const YamlReader& r, const YAML::Node& n) {
  const std::string text = r.Str(n, "fake.line_bytes");
  const std::size_t dash = text.find('-');
  const auto lo = ParseWhole<std::uint64_t>(std::string_view(text).substr(0, dash));
  const auto hi = dash == std::string::npos ? lo : ParseWhole<std::uint64_t>(std::string_view(text).substr(dash + 1));
  if (!lo || !hi || *lo < 1 || *hi < *lo) {
    r.Fail(n, "fake.line_bytes", "expected N or MIN-MAX with 1 <= MIN <= MAX (got '" + text + "')");
  }
  return text;
}

double Fraction(const YamlReader& r, const YAML::Node& n, std::string_view key) {
  const double value = r.Num(n, key, 0);
  if (value > 1) r.Fail(n, key, "must be between 0 and 1");
  return value;
}

TimedAction ReadTimedAction(YamlReader& r, const YAML::Node& node, const std::string& prefix) {
  TimedAction a;
  bool has_action = false;
  r.ParseMap(node, prefix,
             {
                 {"at", [&](const YAML::Node& n) { a.at = r.Dur(n, prefix + ".at"); }},
                 {"every", [&](const YAML::Node& n) { a.every = r.Dur(n, prefix + ".every"); }},
                 {"action",
                  [&](const YAML::Node& n) {
                    a.action = r.TaggedObject(n, prefix + ".action", "action", "{action: churn, count: 5}");
                    has_action = true;
                  }},
             });
  if (!has_action) r.Fail(node, prefix, "`action` is required, e.g. action: {action: churn, count: 5}");
  if (a.every.count() > 0 && a.every < std::chrono::milliseconds(1)) {
    r.FailMark(r.MarkOf(prefix + ".every"), prefix + ".every", "must be at least 1ms (or 0: once)");
  }
  // The fake's own check (POST /actions), now rather than when the fake
  // refuses it mid-run.
  try {
    fakedocker::ValidateAction(a.action);
  } catch (const std::exception& e) {
    r.FailMark(r.MarkOf(prefix + ".action"), prefix + ".action", e.what());
  }
  return a;
}

void ReadFake(YamlReader& r, const YAML::Node& node, FakeSpec& f) {
  r.ParseMap(node, "fake",
             {
                 {"containers", [&](const YAML::Node& n) { f.containers = r.Count(n, "fake.containers", 1); }},
                 {"rate", [&](const YAML::Node& n) { f.rate = r.Num(n, "fake.rate", 0); }},
                 {"line_bytes", [&](const YAML::Node& n) { f.line_bytes = LineBytes(r, n); }},
                 {"tty_fraction", [&](const YAML::Node& n) { f.tty_fraction = Fraction(r, n, "fake.tty_fraction"); }},
                 {"stderr_fraction",
                  [&](const YAML::Node& n) { f.stderr_fraction = Fraction(r, n, "fake.stderr_fraction"); }},
                 {"burst",
                  [&](const YAML::Node& n) {
                    const auto burst = r.Count(n, "fake.burst", 1);
                    if (burst > 1000000) r.Fail(n, "fake.burst", "must be <= 1000000");
                    f.burst = static_cast<unsigned>(burst);
                  }},
                 {"retention", [&](const YAML::Node& n) { f.retention = r.Count(n, "fake.retention", 0); }},
                 {"faults",
                  [&](const YAML::Node& n) {
                    if (!n.IsSequence()) r.Fail(n, "fake.faults", "expected a list of fault objects");
                    for (std::size_t i = 0; i < n.size(); ++i) {
                      const std::string key = "fake.faults[" + std::to_string(i) + "]";
                      f.faults.push_back(r.TaggedObject(n[i], key, "kind", "{kind: reset, probability: 0.2}"));
                      // The fake's own check, now rather than when the fake refuses it mid-run.
                      try {
                        fakedocker::FaultSpec::FromJson(f.faults.back());
                      } catch (const std::exception& e) {
                        r.Fail(n[i], key, e.what());
                      }
                    }
                  }},
                 {"timeline",
                  [&](const YAML::Node& n) {
                    if (!n.IsSequence()) r.Fail(n, "fake.timeline", "expected a list of {at, every, action}");
                    for (std::size_t i = 0; i < n.size(); ++i) {
                      f.timeline.push_back(ReadTimedAction(r, n[i], "fake.timeline[" + std::to_string(i) + "]"));
                    }
                  }},
             });
}

void ReadTarget(YamlReader& r, const YAML::Node& node, TargetSpec& t) {
  r.ParseMap(node, "target",
             {
                 {"kind", [&](const YAML::Node& n) { t.kind = r.Str(n, "target.kind"); }},
                 {"command", [&](const YAML::Node& n) { t.command = r.Str(n, "target.command"); }},
                 {"rotation_interval",
                  [&](const YAML::Node& n) { t.rotation_interval = r.Dur(n, "target.rotation_interval"); }},
                 {"max_streams", [&](const YAML::Node& n) { t.max_streams = r.Count(n, "target.max_streams", 1); }},
                 {"inject_leak",
                  [&](const YAML::Node& n) { t.inject_leak = n.IsNull() ? "" : r.Str(n, "target.inject_leak"); }},
                 {"inject_leak_every",
                  [&](const YAML::Node& n) { t.inject_leak_every = r.Count(n, "target.inject_leak_every", 1); }},
                 {"extra_args", [&](const YAML::Node& n) { t.extra_args = r.StrList(n, "target.extra_args"); }},
                 {"inject_fault",
                  [&](const YAML::Node& n) {
                    t.inject_faults = n.IsScalar() ? std::vector<std::string>{r.Str(n, "target.inject_fault")}
                                                   : r.StrList(n, "target.inject_fault");
                  }},
                 {"metrics_url", [&](const YAML::Node& n) { t.metrics_url = r.Str(n, "target.metrics_url"); }},
                 {"pprof_url", [&](const YAML::Node& n) { t.pprof_url = r.Str(n, "target.pprof_url"); }},
                 {"error_pattern", [&](const YAML::Node& n) { t.error_pattern = r.Str(n, "target.error_pattern"); }},
                 {"output", [&](const YAML::Node& n) { t.output = r.Str(n, "target.output"); }},
             });
}

void ReadCriteria(YamlReader& r, const YAML::Node& node, CriteriaSpec& c) {
  auto bound = [&r](std::string_view key, std::optional<double>& out) -> std::pair<std::string_view, Handler> {
    return {key, [&r, key, &out](const YAML::Node& n) { out = r.Bound(n, "criteria." + std::string(key)); }};
  };
  auto flag = [&r](std::string_view key, bool& out) -> std::pair<std::string_view, Handler> {
    return {key, [&r, key, &out](const YAML::Node& n) { out = r.Bool(n, "criteria." + std::string(key)); }};
  };
  auto number = [&r](std::string_view key, double& out) -> std::pair<std::string_view, Handler> {
    return {key, [&r, key, &out](const YAML::Node& n) { out = r.Num(n, "criteria." + std::string(key), 0); }};
  };
  r.ParseMap(node, "criteria",
             {
                 bound("threads_max", c.threads_max),
                 bound("thread_growth_per_min", c.thread_growth_per_min),
                 bound("fd_growth_per_min", c.fd_growth_per_min),
                 bound("rss_growth_mib_per_min", c.rss_growth_mib_per_min),
                 bound("thread_growth_per_1000_rotations", c.thread_growth_per_1000_rotations),
                 bound("fd_growth_per_1000_rotations", c.fd_growth_per_1000_rotations),
                 bound("rss_growth_mib_per_1000_rotations", c.rss_growth_mib_per_1000_rotations),
                 flag("no_continuous_trend", c.no_continuous_trend),
                 number("trend_p_value", c.trend_p_value),
                 number("trend_min_rise", c.trend_min_rise),
                 bound("rotation_tolerance_s", c.rotation_tolerance_s),
                 bound("max_concurrent_streams", c.max_concurrent_streams),
                 flag("no_loss", c.no_loss),
                 flag("capture_all", c.capture_all),
                 bound("max_error_lines", c.max_error_lines),
                 flag("metrics_consistent", c.metrics_consistent),
                 number("max_metric_series_per_1000_rotations", c.max_metric_series_per_1000_rotations),
                 flag("no_loss_at_source", c.no_loss_at_source),
                 bound("goroutines_max", c.goroutines_max),
                 bound("goroutine_growth_per_min", c.goroutine_growth_per_min),
                 bound("goroutine_growth_per_1000_rotations", c.goroutine_growth_per_1000_rotations),
             });
  if (c.trend_p_value <= 0 || c.trend_p_value > 1) {
    r.FailAt({"criteria.trend_p_value"}, "must be above 0 and at most 1");
  }
}

Scenario ReadScenario(YamlReader& r, const YAML::Node& root) {
  Scenario s;
  s.file = r.file();
  if (!root.IsMap()) r.Fail(root, "", "expected a mapping (at least `name: ...`)");
  r.ParseMap(root, "",
             {
                 {"name", [&](const YAML::Node& n) { s.name = r.Str(n, "name"); }},
                 {"description", [&](const YAML::Node& n) { s.description = n.IsNull() ? "" : r.Str(n, "description"); }},
                 {"tags", [&](const YAML::Node& n) { s.tags = r.StrList(n, "tags"); }},
                 {"duration", [&](const YAML::Node& n) { s.duration = r.Dur(n, "duration"); }},
                 {"warmup", [&](const YAML::Node& n) { s.warmup = r.Dur(n, "warmup"); }},
                 {"sample_interval", [&](const YAML::Node& n) { s.sample_interval = r.Dur(n, "sample_interval"); }},
                 {"expect_fail",
                  [&](const YAML::Node& n) {
                    if (!n.IsNull()) s.expect_fail = r.Str(n, "expect_fail");
                  }},
                 {"expect_also_fail",
                  [&](const YAML::Node& n) { s.expect_also_fail = r.StrList(n, "expect_also_fail"); }},
                 {"fake", [&](const YAML::Node& n) { ReadFake(r, n, s.fake); }},
                 {"target", [&](const YAML::Node& n) { ReadTarget(r, n, s.target); }},
                 {"criteria", [&](const YAML::Node& n) { ReadCriteria(r, n, s.criteria); }},
             });
  if (!r.Has("name")) r.Fail(root, "name", "required: the scenario's name");
  if (s.name.empty()) r.FailAt({"name"}, "must not be empty");
  s.criteria.max_concurrent_streams_set = r.Has("criteria.max_concurrent_streams");
  CheckScenarioRules(r, s);
  try {
    DeriveBounds(s);
  } catch (const ScenarioError& e) {
    r.FailMark(YAML::Mark::null_mark(), "", e.what());
  }
  return s;
}

}  // namespace

Scenario ParseScenario(const std::string& text, const std::string& name_for_errors) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const std::string where = e.mark.is_null() ? name_for_errors
                                               : name_for_errors + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                     std::to_string(e.mark.column + 1);
    throw ScenarioError(where + ": not valid YAML/JSON: " + e.msg);
  }
  YamlReader reader(name_for_errors);
  return ReadScenario(reader, root);
}

Scenario LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ScenarioError(path + ": cannot read: " + std::strerror(errno));
  return ParseScenario(text.str(), path);
}

std::vector<Scenario> LoadScenarioDir(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const auto ext = e.path().extension();
    if (ext == ".yaml" || ext == ".yml" || ext == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Scenario> out;
  for (const auto& f : files) out.push_back(LoadScenario(f.string()));
  return out;
}

}  // namespace leakbench::harness
