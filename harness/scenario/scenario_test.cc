// Tests for ParseScenario/LoadScenario: every key, JSON input, defaults,
// durations, disabled bounds, each validation error with its line:column,
// and every shipped file under scenarios/ (quick.yaml: the former built-in
// profile, value for value).
#include "harness/scenario/error_pattern.h"
#include "harness/scenario/scenario.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace leakbench::harness {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kFull = R"(name: full
description: "every key"
tags: [gate, negative]
duration: 90s
warmup: 15s
sample_interval: 500ms
expect_fail: thread_growth
fake:
  containers: 12
  rate: 2.5
  line_bytes: 10-20
  tty_fraction: 0.5
  stderr_fraction: 0.1
  stderr_lag: 400ms
  burst: 3
  retention: 500
  faults: [ {kind: malformed, probability: 0.2, after_bytes: 3000, variant: length, target: "3000"} ]
  timeline:
    - {at: 10s, every: 5s, action: {action: churn, count: 5}}
    - {at: 20, action: {action: remove, target: "*", force: true, delay: 1s}}
target:
  kind: log-capturer
  rotation_interval: 2s
  max_streams: 7
  inject_leak: fd
  extra_args: ["--long-lines", truncate]
criteria:
  threads_max: 90
  thread_growth_per_min: 1.5
  fd_growth_per_min: 3
  rss_growth_mib_per_min: 4
  thread_growth_per_1000_rotations: 5
  fd_growth_per_1000_rotations: 6
  rss_growth_mib_per_1000_rotations: 7
  no_continuous_trend: false
  rotation_tolerance_s: 8
  max_concurrent_streams: 9
  no_loss: false
  capture_all: false
  max_error_lines: 10
  metrics_consistent: false
)";

TEST(ParseScenario, ReadsEveryKey) {
  const Scenario s = ParseScenario(kFull, "full.yaml");
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.description, "every key");
  EXPECT_EQ(s.file, "full.yaml");
  EXPECT_EQ(s.tags, (std::vector<std::string>{"gate", "negative"}));
  EXPECT_EQ(s.duration, seconds(90));
  EXPECT_EQ(s.warmup, seconds(15));
  EXPECT_EQ(s.sample_interval, milliseconds(500));
  EXPECT_EQ(s.expect_fail, "thread_growth");

  EXPECT_EQ(s.fake.containers, 12u);
  EXPECT_DOUBLE_EQ(s.fake.rate, 2.5);
  EXPECT_EQ(s.fake.line_bytes, "10-20");
  EXPECT_DOUBLE_EQ(s.fake.tty_fraction, 0.5);
  EXPECT_DOUBLE_EQ(s.fake.stderr_fraction, 0.1);
  EXPECT_EQ(s.fake.stderr_lag, std::chrono::milliseconds(400));
  EXPECT_EQ(s.fake.burst, 3u);
  EXPECT_EQ(s.fake.retention, 500u);
  ASSERT_EQ(s.fake.faults.size(), 1u);
  const nlohmann::json& fault = s.fake.faults[0];
  EXPECT_EQ(fault, nlohmann::json::parse(
                       R"({"kind":"malformed","probability":0.2,"after_bytes":3000,"variant":"length","target":"3000"})"));
  EXPECT_TRUE(fault["after_bytes"].is_number_integer());
  EXPECT_EQ(fault["after_bytes"], 3000);
  EXPECT_TRUE(fault["probability"].is_number_float());
  EXPECT_TRUE(fault["target"].is_string()) << "a quoted scalar stays a string";
  ASSERT_EQ(s.fake.timeline.size(), 2u);
  EXPECT_EQ(s.fake.timeline[0].at, seconds(10));
  EXPECT_EQ(s.fake.timeline[0].every, seconds(5));
  EXPECT_EQ(s.fake.timeline[0].action, (nlohmann::json{{"action", "churn"}, {"count", 5}}));
  EXPECT_EQ(s.fake.timeline[1].at, seconds(20));
  EXPECT_EQ(s.fake.timeline[1].every, seconds(0));
  EXPECT_EQ(s.fake.timeline[1].action,
            (nlohmann::json{{"action", "remove"}, {"target", "*"}, {"force", true}, {"delay", "1s"}}));

  EXPECT_EQ(s.target.kind, "log-capturer");
  EXPECT_EQ(s.target.rotation_interval, seconds(2));
  EXPECT_EQ(s.target.max_streams, 7u);
  EXPECT_EQ(s.target.inject_leak, "fd");
  EXPECT_EQ(s.target.extra_args, (std::vector<std::string>{"--long-lines", "truncate"}));

  const CriteriaSpec& c = s.criteria;
  EXPECT_EQ(c.threads_max, 90);
  EXPECT_EQ(c.thread_growth_per_min, 1.5);
  EXPECT_EQ(c.fd_growth_per_min, 3);
  EXPECT_EQ(c.rss_growth_mib_per_min, 4);
  EXPECT_EQ(c.thread_growth_per_1000_rotations, 5);
  EXPECT_EQ(c.fd_growth_per_1000_rotations, 6);
  EXPECT_EQ(c.rss_growth_mib_per_1000_rotations, 7);
  EXPECT_FALSE(c.no_continuous_trend);
  EXPECT_EQ(c.rotation_tolerance_s, 8);
  EXPECT_EQ(c.max_concurrent_streams, 9);
  EXPECT_FALSE(c.no_loss);
  EXPECT_FALSE(c.capture_all);
  EXPECT_EQ(c.max_error_lines, 10);
  EXPECT_FALSE(c.metrics_consistent);
}

TEST(ParseScenario, ReadsJson) {
  const Scenario s = ParseScenario(R"({
    "name": "json", "duration": "2m", "warmup": 30, "tags": ["gate"],
    "fake": {"containers": 3, "rate": 0.5,
             "faults": [{"kind": "stall", "after_bytes": 1000, "duration": "2s", "endpoint": "logs"}],
             "timeline": [{"at": "5s", "every": "1s", "action": {"action": "churn", "count": 2}}]},
    "target": {"kind": "command", "command": "docker logs -f x"},
    "criteria": {"threads_max": null, "no_loss": false},
    "expect_fail": null
  })",
                                   "s.json");
  EXPECT_EQ(s.name, "json");
  EXPECT_EQ(s.duration, minutes(2));
  EXPECT_EQ(s.warmup, seconds(30));
  EXPECT_EQ(s.fake.containers, 3u);
  EXPECT_DOUBLE_EQ(s.fake.rate, 0.5);
  ASSERT_EQ(s.fake.faults.size(), 1u);
  EXPECT_EQ(s.fake.faults[0], nlohmann::json::parse(
                                  R"({"kind":"stall","after_bytes":1000,"duration":"2s","endpoint":"logs"})"));
  ASSERT_EQ(s.fake.timeline.size(), 1u);
  EXPECT_EQ(s.fake.timeline[0].at, seconds(5));
  EXPECT_EQ(s.fake.timeline[0].every, seconds(1));
  EXPECT_EQ(s.fake.timeline[0].action, (nlohmann::json{{"action", "churn"}, {"count", 2}}));
  EXPECT_EQ(s.target.kind, "command");
  EXPECT_EQ(s.target.command, "docker logs -f x");
  EXPECT_FALSE(s.criteria.threads_max.has_value());
  EXPECT_FALSE(s.criteria.no_loss);
  EXPECT_FALSE(s.expect_fail.has_value());
}

TEST(ParseScenario, DefaultsMatchTheHeader) {
  const Scenario s = ParseScenario("name: minimal\n", "m.yaml");
  const Scenario d;
  EXPECT_EQ(s.name, "minimal");
  EXPECT_EQ(s.description, "");
  EXPECT_TRUE(s.tags.empty());
  EXPECT_EQ(s.duration, d.duration);
  EXPECT_EQ(s.warmup, d.warmup);
  EXPECT_EQ(s.sample_interval, d.sample_interval);
  EXPECT_FALSE(s.expect_fail.has_value());
  EXPECT_EQ(s.fake.containers, d.fake.containers);
  EXPECT_EQ(s.fake.rate, d.fake.rate);
  EXPECT_EQ(s.fake.line_bytes, d.fake.line_bytes);
  EXPECT_EQ(s.fake.stderr_fraction, d.fake.stderr_fraction);
  EXPECT_EQ(s.fake.burst, d.fake.burst);
  EXPECT_EQ(s.fake.retention, d.fake.retention);
  EXPECT_TRUE(s.fake.faults.empty());
  EXPECT_TRUE(s.fake.timeline.empty());
  EXPECT_EQ(s.target.kind, "log-capturer");
  EXPECT_EQ(s.target.rotation_interval, d.target.rotation_interval);
  EXPECT_EQ(s.target.max_streams, d.target.max_streams);
  EXPECT_EQ(s.target.inject_leak, "");
  EXPECT_EQ(s.criteria.threads_max, d.criteria.threads_max);
  EXPECT_EQ(s.criteria.thread_growth_per_min, d.criteria.thread_growth_per_min);
  EXPECT_EQ(s.criteria.rss_growth_mib_per_1000_rotations, d.criteria.rss_growth_mib_per_1000_rotations);
  EXPECT_EQ(s.criteria.rotation_tolerance_s, d.criteria.rotation_tolerance_s);
  EXPECT_EQ(s.criteria.max_error_lines, d.criteria.max_error_lines);
  EXPECT_TRUE(s.criteria.no_loss && s.criteria.capture_all && s.criteria.metrics_consistent &&
              s.criteria.no_continuous_trend);
  // Absent: the concurrency bound follows target.max_streams.
  EXPECT_EQ(s.criteria.max_concurrent_streams, 50);
  EXPECT_EQ(ParseScenario("name: x\ntarget: {max_streams: 7}\n", "m.yaml").criteria.max_concurrent_streams, 7);
}

TEST(DeriveBounds, TheConcurrencyBoundFollowsAnOverriddenCap) {
  // `leakbench --max-streams 20` on a file that does not set the bound.
  Scenario s = ParseScenario("name: x\ntarget: {max_streams: 50}\n", "m.yaml");
  s.target.max_streams = 20;
  DeriveBounds(s);
  EXPECT_EQ(s.criteria.max_concurrent_streams, 20);
  // A bound the file sets stays, and so does one it switches off.
  Scenario fixed = ParseScenario("name: x\ncriteria: {max_concurrent_streams: 9}\n", "m.yaml");
  fixed.target.max_streams = 20;
  DeriveBounds(fixed);
  EXPECT_EQ(fixed.criteria.max_concurrent_streams, 9);
  Scenario off = ParseScenario("name: x\ncriteria: {max_concurrent_streams: off}\n", "m.yaml");
  DeriveBounds(off);
  EXPECT_FALSE(off.criteria.max_concurrent_streams.has_value());
}

TEST(DeriveBounds, CriteriaThatDoNotApplyAreListedWithTheReason) {
  Scenario s = ParseScenario("name: x\ntarget: {kind: command, command: 'docker logs -f x'}\n", "m.yaml");
  EXPECT_TRUE(s.not_applicable.contains("metrics"));
  EXPECT_TRUE(s.not_applicable.contains("goroutine_growth"));
  s.target.metrics_url = "http://127.0.0.1:{port}/metrics";
  DeriveBounds(s);
  EXPECT_FALSE(s.not_applicable.contains("goroutine_growth")) << "a goroutine source makes it apply";
  s.warmup = s.duration;
  EXPECT_THROW(DeriveBounds(s), ScenarioError);
}

TEST(ParseScenario, TargetObservationKeys) {
  const Scenario s = ParseScenario(R"(name: t
target:
  kind: command
  command: "follower -listen 127.0.0.1:{port}"
  metrics_url: "http://127.0.0.1:{port}/metrics"
  pprof_url: "http://127.0.0.1:{port}/debug/pprof/goroutine"
  error_pattern: "[Ee]rror|fatal"
  output: /tmp/out.log
)",
                                   "t.yaml");
  EXPECT_EQ(s.target.metrics_url, "http://127.0.0.1:{port}/metrics");
  EXPECT_EQ(s.target.error_pattern, "[Ee]rror|fatal");
  EXPECT_TRUE(ErrorPattern(s.target.error_pattern).Matches("level=Error msg=x"));
  EXPECT_FALSE(ErrorPattern(s.target.error_pattern).Matches("cid=0123456789ab seq=1 ok"));
  EXPECT_EQ(s.target.output, "/tmp/out.log");
  const Scenario f = ParseScenario("name: f\ntarget: {inject_fault: [drop-line:100, 'error-lines:5']}\n", "f.yaml");
  EXPECT_EQ(f.target.inject_faults, (std::vector<std::string>{"drop-line:100", "error-lines:5"}));
  EXPECT_THROW(ParseScenario("name: t\ntarget: {metrics_url: 'ftp://x'}\n", "t.yaml"), ScenarioError);
  EXPECT_THROW(ParseScenario("name: t\ntarget: {kind: command, command: x, error_pattern: '(('}\n", "t.yaml"),
               ScenarioError);
  EXPECT_THROW(ParseScenario("name: t\ntarget: {kind: command, command: x, inject_fault: [drop-line:2]}\n", "t.yaml"),
               ScenarioError);
}

TEST(ParseScenario, Durations) {
  auto duration = [](const std::string& text) {
    return ParseScenario("name: d\nwarmup: 0\nduration: " + text + "\n", "d.yaml").duration;
  };
  EXPECT_EQ(duration("90s"), seconds(90));
  EXPECT_EQ(duration("5m"), minutes(5));
  EXPECT_EQ(duration("2.5s"), milliseconds(2500));
  EXPECT_EQ(duration("1h30m"), minutes(90));
  EXPECT_EQ(duration("90"), seconds(90));
  EXPECT_EQ(duration("2.5"), milliseconds(2500));
  EXPECT_EQ(duration("\"45s\""), seconds(45));
}

TEST(ParseScenario, NullAndOffDisableBounds) {
  const Scenario s = ParseScenario(R"(name: n
criteria:
  threads_max: null
  thread_growth_per_min: off
  fd_growth_per_min: ~
  rss_growth_mib_per_min:
  max_concurrent_streams: off
  rotation_tolerance_s: null
  max_error_lines: off
  no_loss: off
  capture_all: null
  no_continuous_trend: false
)",
                                   "n.yaml");
  const CriteriaSpec& c = s.criteria;
  EXPECT_FALSE(c.threads_max || c.thread_growth_per_min || c.fd_growth_per_min || c.rss_growth_mib_per_min ||
               c.max_concurrent_streams || c.rotation_tolerance_s || c.max_error_lines);
  EXPECT_TRUE(c.fd_growth_per_1000_rotations.has_value()) << "untouched bounds keep their default";
  EXPECT_FALSE(c.no_loss || c.capture_all || c.no_continuous_trend);
  EXPECT_TRUE(c.metrics_consistent);
}

// common/yaml_value.h's rule: true/True/TRUE and false/False/FALSE are the
// booleans; yes/no/on (YAML 1.1) are not (this loader took them until the
// three loaders shared one reader). off and null still switch a criterion off.
TEST(ParseScenario, SwitchesAreTrueOrFalse) {
  EXPECT_TRUE(ParseScenario("name: x\ncriteria: {no_loss: True}\n", "b.yaml").criteria.no_loss);
  EXPECT_FALSE(ParseScenario("name: x\ncriteria: {no_loss: FALSE}\n", "b.yaml").criteria.no_loss);
  for (const char* word : {"no", "yes", "on", "Yes", "y"}) {
    try {
      ParseScenario(std::string("name: x\ncriteria:\n  no_loss: ") + word + "\n", "b.yaml");
      ADD_FAILURE() << "accepted no_loss: " << word;
    } catch (const ScenarioError& e) {
      EXPECT_EQ(std::string(e.what()), std::string("b.yaml:3:12: criteria.no_loss: expected true or false, got '") +
                                           word + "' (yes/no/on/off are not booleans: write true or false)");
    }
  }
  EXPECT_THROW(ParseScenario("name: x\ncriteria: {no_loss: 'true'}\n", "b.yaml"), ScenarioError);
  EXPECT_THROW(ParseScenario("name: true\n", "b.yaml"), ScenarioError) << "a boolean is not a name";
}

struct BadCase {
  const char* text;
  const char* where;  // "f.yaml:LINE:COL"
  const char* what;   // a part of the message
};

TEST(ParseScenario, ErrorsNamePlaceAndReason) {
  const BadCase cases[] = {
      {"name: x\ndurations: 5s\n", "f.yaml:2:1:", "durations: unknown key"},
      {"name: x\nfake:\n  contaners: 5\n", "f.yaml:3:3:", "known keys of fake: containers, rate"},
      {"name: x\ncriteria: {threads: 5}\n", "f.yaml:2:12:", "criteria.threads: unknown key"},
      {"description: no name\n", "f.yaml:1:1:", "name: required"},
      {"name: \"\"\n", "f.yaml:1:7:", "must not be empty"},
      {"- a\n- b\n", "f.yaml:1:1:", "expected a mapping"},
      {"name: x\nname: y\n", "f.yaml:2:1:", "duplicate key"},
      {"name: [x\n", "f.yaml:", "not valid YAML"},
      {"name: x\nfake: {containers: 0}\n", "f.yaml:2:20:", "fake.containers: must be >= 1"},
      {"name: x\nfake: {containers: many}\n", "f.yaml:2:20:", "expected a whole number"},
      {"name: x\nfake: {rate: -1}\n", "f.yaml:2:14:", "fake.rate: must be >= 0"},
      {"name: x\nfake: {line_bytes: 20-10}\n", "f.yaml:2:20:", "MIN-MAX"},
      {"name: x\nfake: {stderr_fraction: 1.5}\n", "f.yaml:2:25:", "between 0 and 1"},
      {"name: x\nfake: {stderr_lag: 61s}\n", "f.yaml:2:20:", "fake.stderr_lag:"},
      {"name: x\nduration: 10s\nwarmup: 10s\n", "f.yaml:3:9:", "warmup: the warm-up (10s) must be shorter"},
      {"name: x\nduration: 20s\n", "f.yaml:2:11:", "duration: the warm-up (30s)"},
      {"name: x\nduration: 5x\n", "f.yaml:2:11:", "duration:"},
      {"name: x\nsample_interval: 0s\n", "f.yaml:2:18:", "sample_interval: must be at least 10ms and at most the duration (3m), not 0s"},
      {"name: x\nduration: 40s\nsample_interval: 50s\n", "f.yaml:3:18:", "at most the duration (40s), not 50s"},
      {"name: x\ntarget:\n  max_streams: 0\n", "f.yaml:3:16:", "target.max_streams: must be >= 1"},
      {"name: x\ntarget:\n  rotation_interval: 0\n", "f.yaml:3:22:", "target.rotation_interval: must be > 0"},
      {"name: x\ntarget:\n  kind: command\n", "f.yaml:3:9:", "requires a non-empty `command`"},
      {"name: x\ntarget:\n  kind: docker\n", "f.yaml:3:9:", "expected log-capturer or command"},
      {"name: x\ntarget:\n  command: ls\n", "f.yaml:3:12:", "only for kind: command"},
      {"name: x\ntarget: {kind: command, command: ls, inject_leak: fd}\n", "f.yaml:2:51:",
       "inject_leak: only for kind: log-capturer"},
      {"name: x\ntarget: {inject_leak: socket}\n", "f.yaml:2:23:", "unknown leak 'socket' (known: thread, fd"},
      {"name: x\nexpect_fail: threads\n", "f.yaml:2:14:", "unknown criterion 'threads' (known: threads_baseline"},
      {"name: x\nfake: {faults: [reset]}\n", "f.yaml:2:17:", "fake.faults[0]: expected an object with a string `kind`"},
      {"name: x\nfake: {faults: [{kind: 5}]}\n", "f.yaml:2:17:", "expected a string `kind`"},
      {"name: x\nfake: {faults: {kind: reset}}\n", "f.yaml:2:16:", "expected a list of fault objects"},
      {"name: x\nfake:\n  timeline:\n    - {at: 1s, action: churn}\n", "f.yaml:4:24:",
       "fake.timeline[0].action: expected an object with a string `action`"},
      {"name: x\nfake:\n  timeline:\n    - {at: 1s}\n", "f.yaml:4:7:", "`action` is required"},
      {"name: x\nfake:\n  timeline:\n    - {at: 1s, when: 2s, action: {action: churn}}\n", "f.yaml:4:16:",
       "fake.timeline[0].when: unknown key"},
      {"name: x\ncriteria:\n  threads_max: lots\n", "f.yaml:3:16:", "expected a number, or null/off"},
      {"name: x\ncriteria:\n  no_loss: maybe\n", "f.yaml:3:12:", "expected true or false"},
      {"name: x\ntags: gate\n", "f.yaml:2:7:", "expected a list of strings"},
      // Values the run cannot take: overflowing, not finite, too fast.
      {"name: x\nduration: 99999999999h\n", "f.yaml:2:11:", "duration: '99999999999h' is not a duration"},
      {"name: x\nduration: 9000h\n", "f.yaml:2:11:", "duration: '9000h' is too long (at most 8760h)"},
      {"name: x\nduration: 1e300\n", "f.yaml:2:11:", "duration: '1e300' is not a duration"},
      {"name: x\nwarmup: .nan\n", "f.yaml:2:9:", "warmup: '.nan' is not a duration"},
      {"name: x\nsample_interval: 9ms\n", "f.yaml:2:18:", "sample_interval: must be at least 10ms"},
      {"name: x\nfake: {rate: .inf}\n", "f.yaml:2:14:", "fake.rate: expected a finite number, got '.inf'"},
      // Faults and actions get the fake's own checks, naming the entry.
      {"name: x\nfake: {faults: [{kind: boom}]}\n", "f.yaml:2:17:", "fake.faults[0]: unknown fault kind 'boom'"},
      {"name: x\nfake: {faults: [{kind: stall, colour: red}]}\n", "f.yaml:2:17:",
       "fake.faults[0]: unknown fault field 'colour'"},
      {"name: x\nfake: {faults: [{kind: latency, delay: 99999999h}]}\n", "f.yaml:2:17:", "fault field 'delay'"},
      {"name: x\nfake:\n  timeline:\n    - {at: 1s, action: {action: explode}}\n", "f.yaml:4:24:",
       "fake.timeline[0].action: unknown action \"explode\""},
      {"name: x\nfake:\n  timeline:\n    - {at: 1s, action: {action: churn, count: 0}}\n", "f.yaml:4:24:",
       "fake.timeline[0].action: \"count\": \"0\" is not a number from 1 to 100000"},
      {"name: x\nfake:\n  timeline:\n    - {at: 1s, action: {action: stop}}\n", "f.yaml:4:24:",
       "action \"stop\" needs \"target\""},
      {"name: x\nfake:\n  timeline:\n    - {at: 1s, every: 500us, action: {action: churn}}\n", "f.yaml:4:23:",
       "fake.timeline[0].every: must be at least 1ms"},
  };
  for (const BadCase& c : cases) {
    try {
      ParseScenario(c.text, "f.yaml");
      ADD_FAILURE() << "accepted:\n" << c.text;
    } catch (const ScenarioError& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind(c.where, 0), 0u) << "expected it at " << c.where << ", got: " << msg;
      EXPECT_NE(msg.find(c.what), std::string::npos) << "expected '" << c.what << "' in: " << msg;
    }
  }
}

TEST(ParseScenario, CriterionIdsAreKnown) {
  EXPECT_TRUE(IsCriterionId("thread_growth"));
  EXPECT_TRUE(IsCriterionId("metrics"));
  EXPECT_FALSE(IsCriterionId("threads"));
  for (std::string_view id : kCriterionIds) {
    EXPECT_EQ(ParseScenario("name: x\nexpect_fail: " + std::string(id) + "\n", "f.yaml").expect_fail, id);
  }
}

TEST(LoadScenario, MissingFileIsAnError) {
  try {
    LoadScenario("/nonexistent/x.yaml");
    ADD_FAILURE() << "loaded a missing file";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.yaml: cannot open"), std::string::npos) << e.what();
  }
}

TEST(LoadScenario, EveryShippedScenarioLoads) {
  std::set<std::string> names, gate, negative, caught;
  for (const auto& entry : std::filesystem::directory_iterator(SCENARIOS_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    Scenario s;
    ASSERT_NO_THROW(s = LoadScenario(entry.path().string()));
    EXPECT_EQ(s.name, entry.path().stem().string()) << "the name is the file's name";
    EXPECT_EQ(s.file, entry.path().string());
    EXPECT_FALSE(s.description.empty());
    names.insert(s.name);
    const bool is_negative = std::count(s.tags.begin(), s.tags.end(), "negative") > 0;
    if (std::count(s.tags.begin(), s.tags.end(), "gate") > 0) gate.insert(s.name);
    if (is_negative) negative.insert(s.name);
    if (is_negative && std::count(s.tags.begin(), s.tags.end(), "gate") > 0) {
      caught.insert(*s.expect_fail);
      caught.insert(s.expect_also_fail.begin(), s.expect_also_fail.end());
    }
    EXPECT_EQ(is_negative, s.expect_fail.has_value()) << "negative controls, and only they, expect a failure";
  }
  EXPECT_EQ(gate.size(), 22u);
  EXPECT_EQ(negative.size(), 16u);
  // Every criterion is shown to fail by a negative control in the gate set
  // (the goroutine criteria by the naive Go follower).
  for (std::string_view id : kCriterionIds) {
    EXPECT_TRUE(caught.contains(std::string(id))) << "no negative control in the gate fails on " << id;
  }
  for (const char* name : {"acceptance-realtime", "soak-1h", "soak-8h", "oversubscribed-full"}) {
    EXPECT_TRUE(names.contains(name)) << name;
  }

  const Scenario acceptance = LoadScenario(std::string(SCENARIOS_DIR) + "/acceptance-realtime.yaml");
  EXPECT_EQ(acceptance.target.rotation_interval, minutes(5));
  EXPECT_EQ(acceptance.duration - acceptance.warmup, minutes(10));
  const Scenario never = LoadScenario(std::string(SCENARIOS_DIR) + "/negative-never-rotates.yaml");
  EXPECT_EQ(never.target.kind, "command");
  EXPECT_EQ(never.criteria.max_concurrent_streams, 20);
  EXPECT_EQ(never.expect_fail, "rotation");
  const Scenario soak = LoadScenario(std::string(SCENARIOS_DIR) + "/soak-8h.yaml");
  EXPECT_EQ(soak.duration, std::chrono::hours(8));
}


// Every value of a scenario but `file`, for comparing two scenarios whole.
nlohmann::json Values(const Scenario& s) {
  auto ns = [](std::chrono::nanoseconds d) { return d.count(); };
  auto opt = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  nlohmann::json timeline = nlohmann::json::array();
  for (const TimedAction& a : s.fake.timeline) timeline.push_back({ns(a.at), ns(a.every), a.action});
  const CriteriaSpec& c = s.criteria;
  return {{"name", s.name}, {"description", s.description}, {"tags", s.tags},
          {"duration", ns(s.duration)}, {"warmup", ns(s.warmup)}, {"sample_interval", ns(s.sample_interval)},
          {"expect_fail", s.expect_fail ? nlohmann::json(*s.expect_fail) : nlohmann::json(nullptr)},
          {"expect_also_fail", s.expect_also_fail}, {"not_applicable", s.not_applicable},
          {"fake", {s.fake.containers, s.fake.rate, s.fake.line_bytes, s.fake.tty_fraction, s.fake.stderr_fraction,
                    ns(s.fake.stderr_lag), s.fake.burst, s.fake.retention, s.fake.faults, timeline}},
          {"target", {s.target.kind, s.target.command, ns(s.target.rotation_interval), s.target.max_streams,
                      s.target.inject_leak, s.target.inject_leak_every, s.target.extra_args, s.target.inject_faults,
                      s.target.metrics_url, s.target.pprof_url, s.target.error_pattern, s.target.output}},
          {"criteria", {opt(c.threads_max), opt(c.thread_growth_per_min), opt(c.fd_growth_per_min),
                        opt(c.rss_growth_mib_per_min), opt(c.thread_growth_per_1000_rotations),
                        opt(c.fd_growth_per_1000_rotations), opt(c.rss_growth_mib_per_1000_rotations),
                        c.no_continuous_trend, c.trend_p_value, c.trend_min_rise, opt(c.rotation_tolerance_s),
                        opt(c.max_concurrent_streams), c.max_concurrent_streams_set, c.no_loss, c.no_loss_at_source,
                        c.capture_all, opt(c.max_error_lines), c.metrics_consistent,
                        c.max_metric_series_per_1000_rotations, opt(c.goroutines_max),
                        opt(c.goroutine_growth_per_min), opt(c.goroutine_growth_per_1000_rotations),
                        opt(c.daemon_fd_growth_per_min), opt(c.daemon_fd_growth_per_1000_streams)}}};
}

// scenarios/quick.yaml is the run of `leakbench --containers N`; it was built
// into leakbench until it became a file, with exactly these values.
TEST(LoadScenario, QuickIsTheFormerBuiltInProfile) {
  const Scenario quick = LoadScenario(std::string(SCENARIOS_DIR) + "/quick.yaml");
  EXPECT_EQ(quick.name, "quick");
  EXPECT_EQ(quick.description,
            "leakbench --containers N: a few minutes, rotation every 5 s, judged after a 30 s warm-up");
  EXPECT_TRUE(quick.tags.empty()) << "not in the gate, not a negative control";
  EXPECT_EQ(quick.duration, minutes(2));
  EXPECT_EQ(quick.warmup, seconds(30));
  EXPECT_EQ(quick.sample_interval, seconds(1));
  EXPECT_EQ(quick.fake.containers, 200u);
  EXPECT_EQ(quick.fake.rate, 5);
  EXPECT_EQ(quick.target.kind, "log-capturer");
  EXPECT_EQ(quick.target.rotation_interval, seconds(5));
  EXPECT_EQ(quick.target.max_streams, 50u);
  EXPECT_EQ(quick.criteria.max_concurrent_streams, 50);
  EXPECT_FALSE(quick.criteria.max_concurrent_streams_set) << "the bound follows --max-streams";
  EXPECT_FALSE(quick.expect_fail.has_value());
  // The built-in profile's text, as leakbench's main.cc had it.
  const Scenario built_in = ParseScenario(R"(
name: quick
description: "leakbench --containers N: a few minutes, rotation every 5 s, judged after a 30 s warm-up"
duration: 2m
warmup: 30s
fake: {containers: 200, rate: 5}
target: {kind: log-capturer, rotation_interval: 5s, max_streams: 50}
)",
                                          "built-in quick profile");
  EXPECT_EQ(Values(quick), Values(built_in));
}

TEST(ParseScenario, TrendAndMetricSeriesThresholdsAreCriteria) {
  const Scenario d = ParseScenario("name: x\n", "m.yaml");
  EXPECT_EQ(d.criteria.trend_p_value, 0.01);
  EXPECT_EQ(d.criteria.trend_min_rise, 1.5);
  EXPECT_EQ(d.criteria.max_metric_series_per_1000_rotations, 5);
  const Scenario s = ParseScenario(
      "name: x\ncriteria: {trend_p_value: 0.05, trend_min_rise: 3, max_metric_series_per_1000_rotations: 0}\n",
      "m.yaml");
  EXPECT_EQ(s.criteria.trend_p_value, 0.05);
  EXPECT_EQ(s.criteria.trend_min_rise, 3);
  EXPECT_EQ(s.criteria.max_metric_series_per_1000_rotations, 0);
  for (const char* bad : {"0", "1.5"}) {
    try {
      ParseScenario(std::string("name: x\ncriteria:\n  trend_p_value: ") + bad + "\n", "f.yaml");
      ADD_FAILURE() << "accepted trend_p_value " << bad;
    } catch (const ScenarioError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("f.yaml:3:18: criteria.trend_p_value: must be above 0", 0), 0u)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace leakbench::harness
