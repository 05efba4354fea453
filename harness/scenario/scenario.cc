// Loads scenario files (YAML, and therefore JSON) into Scenario values:
// each section (the top level, fake, target, criteria) is walked against a
// table of its known keys and each value converted by common/yaml_value.h
// (errors name FILE:LINE:COL and the key path); the cross-field rules
// (scenario_rules.h) are checked at the end. Faults and timeline actions are
// passed through to the fake daemon as JSON, converted faithfully, after the
// fake's own checks of them (so a bad one fails at load, naming the entry).
#include "harness/scenario/scenario.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/yaml_to_json.h"
#include "common/echo_value.h"
#include "common/yaml_value.h"
#include "fakes/dockerd/api/faults.h"
#include "fakes/dockerd/control/actions.h"
#include "fakes/dockerd/model/container.h"
#include "harness/scenario/scenario_rules.h"

namespace leakbench::harness {
namespace {

constexpr std::uint64_t kNoMax = std::numeric_limits<std::uint64_t>::max();
constexpr double kInfinity = std::numeric_limits<double>::infinity();

std::optional<std::uint64_t> WholeNumber(std::string_view text) {
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string LineBytes(const YamlValue& v) {
  const std::string text = v.String();
  const std::size_t dash = text.find('-');
  const auto lo = WholeNumber(std::string_view(text).substr(0, dash));
  const auto hi = dash == std::string::npos ? lo : WholeNumber(std::string_view(text).substr(dash + 1));
  if (!lo || !hi || *lo < 1 || *hi < *lo) {
    v.Fail("expected N or MIN-MAX with 1 <= MIN <= MAX (got " + QuoteValue(text) + ")");
  }
  return text;
}

// Every duration of a scenario is at most kMaxDuration.
std::chrono::nanoseconds Dur(const YamlValue& v) { return v.Duration(std::chrono::nanoseconds::zero(), kMaxDuration); }

// A criterion bound: a non-negative number, or null/off (nullopt) to switch it off.
std::optional<double> Bound(const YamlValue& v) {
  if (v.IsNull() || v.IsWord("off")) return std::nullopt;
  const YamlScalarType type = ScalarTypeOf(v.node());
  if (!v.node().IsScalar() || (type != YamlScalarType::kInteger && type != YamlScalarType::kNumber)) {
    v.Fail("expected a number, or null/off to disable, got " + v.Describe());
  }
  return v.Number(0, kInfinity);
}

// A criterion switch: true or false, or null/off to switch it off (like a
// bound); yes/no/on are not booleans (common/yaml_value.h).
bool Switch(const YamlValue& v) {
  if (v.IsNull() || v.IsWord("off")) return false;
  return v.Bool();
}

// An object with a string member `field` ({kind: reset, ...}), as JSON.
nlohmann::json TaggedObject(const YamlValue& v, const char* field, const char* example) {
  if (!v.IsMap()) v.Fail(std::string("expected an object with a string `") + field + "`, e.g. " + example);
  nlohmann::json out = YamlToJson(v);
  if (!out.contains(field) || !out[field].is_string()) {
    v.Fail(std::string("expected a string `") + field + "`, e.g. " + example);
  }
  return out;
}

TimedAction ReadTimedAction(YamlDocument& doc, const YamlValue& entry) {
  TimedAction a;
  bool has_action = false;
  doc.ReadMap(entry,
              {
                  {"at", [&](const YamlValue& v) { a.at = Dur(v); }},
                  {"every", [&](const YamlValue& v) { a.every = Dur(v); }},
                  {"action",
                   [&](const YamlValue& v) {
                     a.action = TaggedObject(v, "action", "{action: churn, count: 5}");
                     has_action = true;
                   }},
              },
              "a map {at, every, action}");
  const std::string& prefix = entry.path();
  if (!has_action) entry.Fail("`action` is required, e.g. action: {action: churn, count: 5}");
  if (a.every.count() > 0 && a.every < std::chrono::milliseconds(1)) {
    doc.Fail(doc.MarkOf(prefix + ".every"), prefix + ".every", "must be at least 1ms (or 0: once)");
  }
  // The fake's own check (POST /actions), now rather than when the fake
  // refuses it mid-run.
  try {
    fakedocker::ValidateAction(a.action);
  } catch (const std::exception& e) {
    doc.Fail(doc.MarkOf(prefix + ".action"), prefix + ".action", e.what());
  }
  return a;
}

void ReadFake(YamlDocument& doc, const YamlValue& node, FakeSpec& f) {
  doc.ReadMap(node,
              {
                  {"containers", [&](const YamlValue& v) { f.containers = v.Unsigned(1, kNoMax); }},
                  {"rate", [&](const YamlValue& v) { f.rate = v.Number(0, kInfinity); }},
                  {"line_bytes", [&](const YamlValue& v) { f.line_bytes = LineBytes(v); }},
                  {"tty_fraction", [&](const YamlValue& v) { f.tty_fraction = v.Number(0, 1); }},
                  {"stderr_fraction", [&](const YamlValue& v) { f.stderr_fraction = v.Number(0, 1); }},
                  {"stderr_lag",
                   [&](const YamlValue& v) {
                     f.stderr_lag = v.Duration(std::chrono::nanoseconds::zero(), fakedocker::kMaxStderrLag);
                   }},
                  {"burst", [&](const YamlValue& v) { f.burst = static_cast<unsigned>(v.Unsigned(1, 1000000)); }},
                  {"retention", [&](const YamlValue& v) { f.retention = v.Unsigned(0, kNoMax); }},
                  {"faults",
                   [&](const YamlValue& v) {
                     for (const YamlValue& item : v.Items("a list of fault objects")) {
                       f.faults.push_back(TaggedObject(item, "kind", "{kind: reset, probability: 0.2}"));
                       // The fake's own check, now rather than when the fake refuses it mid-run.
                       try {
                         fakedocker::FaultSpec::FromJson(f.faults.back());
                       } catch (const std::exception& e) {
                         item.Fail(e.what());
                       }
                     }
                   }},
                  {"timeline",
                   [&](const YamlValue& v) {
                     for (const YamlValue& item : v.Items("a list of {at, every, action}")) {
                       f.timeline.push_back(ReadTimedAction(doc, item));
                     }
                   }},
              },
              "a map");
}

void ReadTarget(YamlDocument& doc, const YamlValue& node, TargetSpec& t) {
  doc.ReadMap(node,
              {
                  {"kind", [&](const YamlValue& v) { t.kind = v.Choice({"log-capturer", "command"}); }},
                  {"command", [&](const YamlValue& v) { t.command = v.String(); }},
                  {"rotation_interval", [&](const YamlValue& v) { t.rotation_interval = Dur(v); }},
                  {"max_streams", [&](const YamlValue& v) { t.max_streams = v.Unsigned(1, kNoMax); }},
                  {"inject_leak", [&](const YamlValue& v) { t.inject_leak = v.IsNull() ? "" : v.String(); }},
                  {"inject_leak_every", [&](const YamlValue& v) { t.inject_leak_every = v.Unsigned(1, kNoMax); }},
                  {"extra_args", [&](const YamlValue& v) { t.extra_args = v.StringList(); }},
                  {"inject_fault",
                   [&](const YamlValue& v) {
                     t.inject_faults = v.node().IsScalar() ? std::vector<std::string>{v.String()} : v.StringList();
                   }},
                  {"metrics_url", [&](const YamlValue& v) { t.metrics_url = v.String(); }},
                  {"pprof_url", [&](const YamlValue& v) { t.pprof_url = v.String(); }},
                  {"error_pattern", [&](const YamlValue& v) { t.error_pattern = v.String(); }},
                  {"output", [&](const YamlValue& v) { t.output = v.String(); }},
              },
              "a map");
}

void ReadCriteria(YamlDocument& doc, const YamlValue& node, CriteriaSpec& c) {
  auto bound = [](std::string_view key, std::optional<double>& out) -> YamlField {
    return {key, [&out](const YamlValue& v) { out = Bound(v); }};
  };
  auto flag = [](std::string_view key, bool& out) -> YamlField {
    return {key, [&out](const YamlValue& v) { out = Switch(v); }};
  };
  auto number = [](std::string_view key, double& out) -> YamlField {
    return {key, [&out](const YamlValue& v) { out = v.Number(0, kInfinity); }};
  };
  doc.ReadMap(node,
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
                  bound("daemon_fd_growth_per_min", c.daemon_fd_growth_per_min),
                  bound("daemon_fd_growth_per_1000_streams", c.daemon_fd_growth_per_1000_streams),
              },
              "a map");
  if (c.trend_p_value <= 0 || c.trend_p_value > 1) {
    doc.FailAt({"criteria.trend_p_value"}, "must be above 0 and at most 1");
  }
}

Scenario ReadScenario(YamlDocument& doc, const YamlValue& root) {
  Scenario s;
  s.file = doc.name();
  doc.ReadMap(root,
              {
                  {"name", [&](const YamlValue& v) { s.name = v.String(); }},
                  {"description", [&](const YamlValue& v) { s.description = v.IsNull() ? "" : v.String(); }},
                  {"tags", [&](const YamlValue& v) { s.tags = v.StringList(); }},
                  {"duration", [&](const YamlValue& v) { s.duration = Dur(v); }},
                  {"warmup", [&](const YamlValue& v) { s.warmup = Dur(v); }},
                  {"sample_interval", [&](const YamlValue& v) { s.sample_interval = Dur(v); }},
                  {"expect_fail",
                   [&](const YamlValue& v) {
                     if (!v.IsNull()) s.expect_fail = v.String();
                   }},
                  {"expect_also_fail", [&](const YamlValue& v) { s.expect_also_fail = v.StringList(); }},
                  {"daemon", [&](const YamlValue& v) { s.daemon = v.String(); }},
                  {"fake", [&](const YamlValue& v) { ReadFake(doc, v, s.fake); }},
                  {"target", [&](const YamlValue& v) { ReadTarget(doc, v, s.target); }},
                  {"criteria", [&](const YamlValue& v) { ReadCriteria(doc, v, s.criteria); }},
              },
              "a mapping (at least `name: ...`)");
  if (!doc.Has("name")) root.Fail("name: required: the scenario's name");
  if (s.name.empty()) doc.FailAt({"name"}, "must not be empty");
  s.criteria.max_concurrent_streams_set = doc.Has("criteria.max_concurrent_streams");
  CheckScenarioRules(doc, s);
  try {
    DeriveBounds(s);
  } catch (const ScenarioError& e) {
    doc.Fail(YAML::Mark::null_mark(), "", e.what());
  }
  return s;
}

}  // namespace

Scenario ParseScenario(const std::string& text, const std::string& name_for_errors) {
  try {
    YamlDocument doc(name_for_errors);
    return ReadScenario(doc, doc.Load(text));
  } catch (const YamlError& e) {
    throw ScenarioError(e.what());
  }
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
