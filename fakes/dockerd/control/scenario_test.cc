#include "fakes/dockerd/control/scenario.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "fakes/dockerd/control/actions.h"
#include "fakes/dockerd/model/checked_value.h"

namespace fakedocker {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The message ParseScenario throws, or "" (and a failure) if it accepts.
std::string Reject(const std::string& text) {
  try {
    ParseScenario(text, "test.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return "";
}

::testing::AssertionResult StartsWith(const std::string& text, const std::string& prefix) {
  if (text.rfind(prefix, 0) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not start with \"" << prefix << "\"";
}

::testing::AssertionResult Has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

TEST(ParseScenario, YamlTimeline) {
  const Scenario sc = ParseScenario(R"(name: demo
description: every field once
daemon:
  containers: 3
  rate: 50
  line_bytes: 80-120
  seed: 7
timeline:
  - at: 1s
    action: add
    count: 2
    tty: true
  - at: 2s
    every: 500ms
    times: 4
    action: emit
    target: "*"
    lines: 10
  - at: 3s
    every: 1s
    until: 10s
    action: fault
    kind: stall
    probability: 0.5
  - at: 1m30s
    action: stop
    target: "fake-0001"
)",
                                    "demo.yaml");
  EXPECT_EQ(sc.path, "demo.yaml");
  EXPECT_EQ(sc.daemon, json::parse(R"({"containers":3,"rate":50,"line_bytes":"80-120","seed":7})"));
  ASSERT_EQ(sc.timeline.size(), 4u);

  const TimelineEntry& add = sc.timeline[0];
  EXPECT_EQ(add.at, seconds(1));
  EXPECT_EQ(add.every.count(), 0);
  EXPECT_EQ(add.times, 0u);
  EXPECT_EQ(add.line, 9);
  EXPECT_EQ(add.action, json::parse(R"({"action":"add","count":2,"tty":true})"));

  const TimelineEntry& emit = sc.timeline[1];
  EXPECT_EQ(emit.at, seconds(2));
  EXPECT_EQ(emit.every, milliseconds(500));
  EXPECT_EQ(emit.times, 4u);
  EXPECT_EQ(emit.until.count(), 0);
  EXPECT_EQ(emit.line, 13);
  EXPECT_EQ(emit.action, json::parse(R"({"action":"emit","target":"*","lines":10})"));

  const TimelineEntry& fault = sc.timeline[2];
  EXPECT_EQ(fault.every, seconds(1));
  EXPECT_EQ(fault.until, seconds(10));
  EXPECT_EQ(fault.action, json::parse(R"({"action":"fault","kind":"stall","probability":0.5})"));

  EXPECT_EQ(sc.timeline[3].at, seconds(90));
  EXPECT_EQ(sc.timeline[3].action["target"], "fake-0001");
}

TEST(ParseScenario, QuotedScalarsStayStrings) {
  const Scenario sc = ParseScenario(R"(timeline:
  - at: 1s
    action: rename
    target: "123"
    name: "true"
)",
                                    "q.yaml");
  ASSERT_EQ(sc.timeline.size(), 1u);
  EXPECT_EQ(sc.timeline[0].action["target"], "123");
  EXPECT_EQ(sc.timeline[0].action["name"], "true");
}

TEST(ParseScenario, JsonTimeline) {
  const Scenario sc = ParseScenario(R"({
  "daemon": {"containers": 0},
  "timeline": [
    {"at": "0s", "action": "add", "name": "web", "labels": {"app": "web"}},
    {"at": "500ms", "every": "1s", "times": 3, "action": "emit", "target": "web", "same_timestamp": true}
  ]
})",
                                    "demo.json");
  EXPECT_EQ(sc.daemon, json::parse(R"({"containers":0})"));
  ASSERT_EQ(sc.timeline.size(), 2u);
  EXPECT_EQ(sc.timeline[0].at.count(), 0);
  EXPECT_EQ(sc.timeline[0].action, json::parse(R"({"action":"add","name":"web","labels":{"app":"web"}})"));
  EXPECT_EQ(sc.timeline[1].at, milliseconds(500));
  EXPECT_EQ(sc.timeline[1].every, seconds(1));
  EXPECT_EQ(sc.timeline[1].times, 3u);
  EXPECT_EQ(sc.timeline[1].line, 5);
  EXPECT_EQ(sc.timeline[1].action,
            json::parse(R"({"action":"emit","target":"web","same_timestamp":true})"));
}

TEST(ParseScenario, EmptyTimelineIsFine) {
  EXPECT_TRUE(ParseScenario("timeline: []\n", "e.yaml").timeline.empty());
}

// Messages are "FILE:LINE:COL: KEY.PATH: what was expected, got what"
// (common/yaml_value.h): each check below pins the position, the key path
// and the offending value. A value's own problem points at the value; a
// problem of the entry as a whole (its action, a missing key) at the entry.

TEST(ParseScenario, RejectsUnknownTopLevelKey) {
  const std::string why = Reject("name: x\ncolour: red\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:1: colour: "));
  EXPECT_TRUE(Has(why, "unknown key (known keys: name, description, daemon, timeline)"));
}

TEST(ParseScenario, RejectsEntryWithoutAt) {
  const std::string why = Reject("timeline:\n  - at: 1s\n    action: reset_peaks\n  - action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4:5: timeline[1]: "));
  EXPECT_TRUE(Has(why, "needs \"at\""));
}

TEST(ParseScenario, RejectsBadDurations) {
  std::string why = Reject("timeline:\n  - at: soon\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: timeline[0].at: "));
  EXPECT_TRUE(Has(why, "'soon' is not a duration"));
  why = Reject("timeline:\n  - at: 1s\n    every: 0s\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:3:12: timeline[0].every: "));
  EXPECT_TRUE(Has(why, "'0s' is too short (at least 1ms)"));
  why = Reject("timeline:\n  - at: 1s\n    every: 1s\n    until: -5s\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4:12: timeline[0].until: "));
  EXPECT_TRUE(Has(why, "'-5s' is not a duration"));
  why = Reject("timeline:\n  - at: [1]\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: timeline[0].at: "));
  EXPECT_TRUE(Has(why, "expected a duration such as 90s, 5m or 2.5s, got a list"));
}

// A bare number of seconds is a duration now, but not a negative, non-finite
// or overflowing one, nor one beyond 8760h.
TEST(ParseScenario, RejectsBadBareNumberDurations) {
  struct Case {
    const char* at;
    const char* says;
  };
  for (const Case& c : {Case{"-5", "'-5' is not a duration"}, Case{"-0.5", "'-0.5' is not a duration"},
                        Case{".nan", "'.nan' is not a duration"}, Case{".inf", "'.inf' is not a duration"},
                        Case{"1e3", "'1e3' is not a duration"},
                        Case{"99999999999999999999", "'99999999999999999999' is not a duration"},
                        Case{"31536001", "'31536001' is too long (at most 8760h)"}}) {
    const std::string why = Reject(std::string("timeline:\n  - at: ") + c.at + "\n    action: reset_peaks\n");
    EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: timeline[0].at: ")) << c.at;
    EXPECT_TRUE(Has(why, c.says)) << c.at;
  }
  const std::string why = Reject("timeline:\n  - at: 1s\n    every: 0\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:3:12: timeline[0].every: "));
  EXPECT_TRUE(Has(why, "'0' is too short (at least 1ms)"));
}

TEST(ParseScenario, BareNumberDurationIsSeconds) {
  const Scenario sc = ParseScenario(R"(timeline:
  - at: 20
    action: reset_peaks
  - at: 2.5
    every: 0.5
    until: 60
    action: reset_peaks
  - at: "30"
    action: reset_peaks
  - at: 0
    action: reset_peaks
  - at: 31536000
    action: reset_peaks
)",
                                    "n.yaml");
  ASSERT_EQ(sc.timeline.size(), 5u);
  EXPECT_EQ(sc.timeline[0].at, seconds(20));
  EXPECT_EQ(sc.timeline[1].at, milliseconds(2500));
  EXPECT_EQ(sc.timeline[1].every, milliseconds(500));
  EXPECT_EQ(sc.timeline[1].until, seconds(60));
  EXPECT_EQ(sc.timeline[2].at, seconds(30));
  EXPECT_EQ(sc.timeline[3].at.count(), 0);
  EXPECT_EQ(sc.timeline[4].at, std::chrono::hours(8760));
  const Scenario js = ParseScenario(R"({"timeline": [{"at": 20, "every": 1.5, "times": 2, "action": "reset_peaks"}]})",
                                    "n.json");
  ASSERT_EQ(js.timeline.size(), 1u);
  EXPECT_EQ(js.timeline[0].at, seconds(20));
  EXPECT_EQ(js.timeline[0].every, milliseconds(1500));
}

// Only true/True/TRUE/false/False/FALSE are booleans.
TEST(ParseScenario, TrueIsABoolean) {
  const Scenario sc = ParseScenario(R"(timeline:
  - at: 1s
    action: add
    tty: True
    start: FALSE
  - at: 2s
    action: emit
    target: "*"
    same_timestamp: TRUE
  - at: 3s
    action: remove
    target: x
    force: False
)",
                                    "b.yaml");
  ASSERT_EQ(sc.timeline.size(), 3u);
  EXPECT_EQ(sc.timeline[0].action, json::parse(R"({"action":"add","tty":true,"start":false})"));
  EXPECT_EQ(sc.timeline[1].action, json::parse(R"({"action":"emit","target":"*","same_timestamp":true})"));
  EXPECT_EQ(sc.timeline[2].action, json::parse(R"({"action":"remove","target":"x","force":false})"));
}

TEST(ParseScenario, YesNoOnOffAreNotBooleans) {
  struct Case {
    const char* text;
    const char* where;
    const char* got;
  };
  for (const Case& c : {
           Case{"timeline:\n  - at: 1s\n    action: add\n    tty: yes\n", "test.yaml:4:10: timeline[0].tty: ", "'yes'"},
           Case{"timeline:\n  - at: 1s\n    action: add\n    start: on\n", "test.yaml:4:12: timeline[0].start: ", "'on'"},
           Case{"timeline:\n  - at: 1s\n    action: remove\n    target: x\n    force: off\n",
                "test.yaml:5:12: timeline[0].force: ", "'off'"},
           Case{"timeline:\n  - at: 1s\n    action: emit\n    target: x\n    same_timestamp: No\n",
                "test.yaml:5:21: timeline[0].same_timestamp: ", "'No'"},
       }) {
    const std::string why = Reject(c.text);
    EXPECT_TRUE(StartsWith(why, c.where)) << c.text;
    EXPECT_TRUE(Has(why, std::string("expected true or false, got ") + c.got +
                             " (yes/no/on/off are not booleans: write true or false)"))
        << c.text;
  }
  // A quoted "true" is a string, not a boolean.
  const std::string why = Reject("timeline:\n  - at: 1s\n    action: add\n    tty: \"true\"\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4:10: timeline[0].tty: "));
  EXPECT_TRUE(Has(why, "expected true or false, got the string 'true'"));
  // Where a string is expected, yes is just a string.
  const Scenario sc = ParseScenario("name: yes\ntimeline:\n  - at: 1s\n    action: stop\n    target: yes\n", "s.yaml");
  ASSERT_EQ(sc.timeline.size(), 1u);
  EXPECT_EQ(sc.timeline[0].action["target"], "yes");
}

TEST(ParseScenario, RejectsDuplicateKeys) {
  std::string why = Reject("daemon:\n  containers: 1\n  containers: 2\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:3:3: daemon.containers: "));
  EXPECT_TRUE(Has(why, "duplicate key (first at line 2)"));
  why = Reject("timeline:\n  - at: 1s\n    at: 2s\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:3:5: timeline[0].at: "));
  EXPECT_TRUE(Has(why, "duplicate key"));
}

TEST(ParseScenario, RejectsUnknownAction) {
  const std::string why = Reject("timeline:\n  - at: 1s\n    action: explode\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:5: timeline[0]: "));
  EXPECT_TRUE(Has(why, "unknown action \"explode\""));
  EXPECT_TRUE(Has(why, "reset_peaks")) << "the message lists the actions";
}

TEST(ParseScenario, RejectsUnknownFieldForAction) {
  const std::string why = Reject("timeline:\n  - at: 1s\n    action: reset_peaks\n  - at: 2s\n    action: stop\n"
                                 "    target: x\n    lines: 3\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4:5: timeline[1]: "));
  EXPECT_TRUE(Has(why, "action \"stop\" has no field \"lines\""));
}

TEST(ParseScenario, RejectsFaultWithUnknownKind) {
  const std::string why = Reject("timeline:\n  - at: 1s\n    action: fault\n    kind: boom\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:5: timeline[0]: "));
  EXPECT_TRUE(Has(why, "unknown fault kind 'boom'"));
}

TEST(ParseScenario, RejectsTimesOrUntilWithoutEvery) {
  std::string why = Reject("timeline:\n  - at: 1s\n    times: 3\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:5: timeline[0]: "));
  EXPECT_TRUE(Has(why, "\"times\" and \"until\" need \"every\""));
  why = Reject("timeline:\n  - at: 1s\n    until: 5s\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:5: timeline[0]: "));
  EXPECT_TRUE(Has(why, "\"times\" and \"until\" need \"every\""));
  why = Reject("timeline:\n  - at: 1s\n    every: 1s\n    times: 0\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4:12: timeline[0].times: "));
  EXPECT_TRUE(Has(why, "must be >= 1 (got 0)"));
}

TEST(ParseScenario, RejectsBadDaemonSettings) {
  std::string why = Reject("daemon:\n  containers: 3\n  colour: red\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:3:3: daemon.colour: "));
  EXPECT_TRUE(Has(why, "unknown key (known keys of daemon: containers, rate, line_bytes, tty_fraction, "
                       "stderr_fraction, retention, seed, burst, stderr_lag)"));

  why = Reject("daemon: 5\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:1:9: daemon: "));
  EXPECT_TRUE(Has(why, "expected a mapping of daemon settings, got '5'"));

  // Values are checked like the matching command-line flags. Each setting
  // follows another one (line 3), which must not be the same key: a repeated
  // key is refused as such (RejectsDuplicateKeys).
  struct Case {
    const char* setting;
    const char* where;
    const char* says;
  };
  for (const Case& c : {
           Case{"rate: fast", "test.yaml:3:9: daemon.rate: ", "expected a finite number, got 'fast'"},
           Case{"rate: -1", "test.yaml:3:9: daemon.rate: ", "must be between 0 and 1e+06 (got -1)"},
           Case{"stderr_fraction: 2", "test.yaml:3:20: daemon.stderr_fraction: ", "must be between 0 and 1 (got 2)"},
           Case{"tty_fraction: -0.5", "test.yaml:3:17: daemon.tty_fraction: ", "must be between 0 and 1 (got -0.5)"},
           Case{"containers: -1", "test.yaml:3:15: daemon.containers: ", "must be >= 0 (got -1)"},
           Case{"containers: 2.5", "test.yaml:3:15: daemon.containers: ",
                "expected a whole number from 0 to 1000000, got '2.5'"},
           Case{"retention: 0", "test.yaml:3:14: daemon.retention: ", "must be from 1 to 100000000 (got 0)"},
           Case{"burst: 0", "test.yaml:3:10: daemon.burst: ", "must be from 1 to 1000000 (got 0)"},
           Case{"seed: abc", "test.yaml:3:9: daemon.seed: ", "expected a whole number >= 0, got 'abc'"},
           Case{"line_bytes: 5-2", "test.yaml:3:15: daemon.line_bytes: ", "line bytes \"5-2\": MIN is larger than MAX"},
           Case{"line_bytes: 0", "test.yaml:3:15: daemon.line_bytes: ", "line bytes \"0\" must be N or MIN-MAX"},
           Case{"stderr_lag: -1s", "test.yaml:3:15: daemon.stderr_lag: ", "'-1s' is not a duration"},
           Case{"stderr_lag: 61s", "test.yaml:3:15: daemon.stderr_lag: ", "'61s' is too long (at most 1m)"},
           Case{"stderr_lag: soon", "test.yaml:3:15: daemon.stderr_lag: ", "'soon' is not a duration"},
       }) {
    const char* before = std::string(c.setting).rfind("containers", 0) == 0 ? "seed: 1" : "containers: 1";
    why = Reject(std::string("daemon:\n  ") + before + "\n  " + c.setting + "\ntimeline: []\n");
    EXPECT_TRUE(StartsWith(why, c.where)) << c.setting;
    EXPECT_TRUE(Has(why, c.says)) << c.setting;
  }
}

TEST(ParseScenario, RejectsStructuralProblems) {
  EXPECT_TRUE(StartsWith(Reject("- 1\n- 2\n"),
                         "test.yaml:1:1: the top level must be a mapping with a \"timeline\" list, got a list"));
  EXPECT_TRUE(StartsWith(Reject("name: x\n"), "test.yaml:1:1: \"timeline\" must be a list"));
  EXPECT_TRUE(StartsWith(Reject("timeline:\n"), "test.yaml:1:1: timeline: expected a list of actions, got nothing"));
  EXPECT_TRUE(StartsWith(Reject("timeline: 5\n"), "test.yaml:1:11: timeline: expected a list of actions, got '5'"));
  std::string why = Reject("timeline:\n  - 5\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:5: timeline[0]: "));
  EXPECT_TRUE(Has(why, "a timeline entry must be a mapping (at: 10s, action: ...), got '5'"));
  EXPECT_TRUE(StartsWith(Reject("timeline: [\n"), "test.yaml:2:1: not valid YAML: "));
}

// An empty entry ("  -") is named at its own dash, not at the list's first
// entry nor at the next one.
TEST(ParseScenario, RejectsEmptyEntryAtItsLine) {
  std::string why = Reject("timeline:\n  - at: 1s\n    action: reset_peaks\n  -\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4:3: timeline[1]: "));
  EXPECT_TRUE(Has(why, "a timeline entry must be a mapping (at: 10s, action: ...), got nothing"));
  why = Reject("timeline:\n  - at: 1s\n    action: reset_peaks\n  - # later\n\n  - at: 2s\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4:3: timeline[1]: "));
  EXPECT_TRUE(Has(why, "got nothing"));
  why = Reject("timeline:\n  - ~\n  - at: 2s\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:3: timeline[0]: "));
  EXPECT_TRUE(Has(why, "got nothing"));
  why = Reject("timeline: [{at: 1s, action: reset_peaks}, ~]\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:1:43: timeline[1]: "));
  EXPECT_TRUE(Has(why, "got nothing"));
}

TEST(LoadScenario, ShippedExamplesAreValid) {
  size_t loaded = 0;
  for (const auto& file : std::filesystem::directory_iterator(FAKE_EXAMPLES_DIR)) {
    if (file.path().extension() != ".yaml" && file.path().extension() != ".json") continue;
    SCOPED_TRACE(file.path().string());
    EXPECT_NO_THROW({
      const Scenario sc = LoadScenario(file.path().string());
      EXPECT_FALSE(sc.timeline.empty());
    });
    ++loaded;
  }
  EXPECT_GT(loaded, 0u);
}

TEST(LoadScenario, MissingFileSaysSo) {
  try {
    LoadScenario("/nonexistent/scenario.yaml");
    ADD_FAILURE() << "loaded a missing file";
  } catch (const ScenarioError& e) {
    EXPECT_TRUE(Has(e.what(), "cannot read scenario file /nonexistent/scenario.yaml"));
  }
}

// The message ValidateAction throws (status 400), or "" if it accepts.
std::string RejectAction(const json& action) {
  try {
    ValidateAction(action);
  } catch (const ActionError& e) {
    EXPECT_EQ(e.status(), 400) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted " << action.dump();
  return "";
}

TEST(ValidateAction, AcceptsWellFormedActions) {
  for (const char* text : {
           R"({"action":"add"})",
           R"({"action":"add","count":3,"rate":100,"line_bytes":"80-120","stderr_fraction":0.5,"burst":4,"tty":true})",
           R"({"action":"add","line_bytes":200})",
           R"({"action":"stop","target":"*"})",
           R"({"action":"kill","target":"web","signal":15})",
           R"({"action":"remove","target":"web","force":true,"delay":"2s"})",
           R"({"action":"emit","target":"web","lines":5,"same_timestamp":true})",
           R"({"action":"set","target":"web","rate":0})",
           R"({"action":"set","target":"web","stderr_lag":"2.5s"})",
           R"({"action":"add","stderr_lag":60})",
           R"({"action":"add","stderr_lag":"0"})",
           R"({"action":"fault","kind":"slice","chunk_bytes":1,"delay":"1ms"})",
           R"({"action":"clear_faults","kind":"stall"})",
           R"({"action":"restart_daemon","down":"500ms"})",
           R"({"action":"restart_daemon","down":5})",
           R"({"action":"restart_daemon","down":"2.5"})",
           R"({"action":"remove","target":"web","delay":0.25})",
           R"({"action":"churn","count":2})",
           R"({"action":"reset_peaks"})",
       }) {
    EXPECT_NO_THROW(ValidateAction(json::parse(text))) << text;
  }
}

TEST(ValidateAction, RejectsWithAReason) {
  EXPECT_EQ(RejectAction(json::array()), "an action must be a JSON object");
  EXPECT_TRUE(Has(RejectAction({{"target", "x"}}), "an action needs \"action\""));
  EXPECT_TRUE(Has(RejectAction({{"action", "explode"}}), "unknown action \"explode\""));
  EXPECT_EQ(RejectAction({{"action", "stop"}, {"target", "x"}, {"rate", 1}}), "action \"stop\" has no field \"rate\"");
  EXPECT_TRUE(Has(RejectAction({{"action", "stop"}}), "action \"stop\" needs \"target\""));
  EXPECT_TRUE(Has(RejectAction({{"action", "fault"}, {"kind", "boom"}}), "unknown fault kind 'boom'"));
  EXPECT_TRUE(Has(RejectAction({{"action", "fault"}, {"kind", "slow"}, {"bytes_per_s", 0}}), "bytes_per_s"));
  EXPECT_TRUE(Has(RejectAction({{"action", "add"}, {"rate", -1}}), "\"rate\": \"-1\" is not a number from 0 to 1000000"));
  EXPECT_TRUE(Has(RejectAction({{"action", "add"}, {"rate", "fast"}}), "\"rate\": \"fast\" is not a number"));
  EXPECT_TRUE(Has(RejectAction({{"action", "set"}, {"target", "x"}, {"line_bytes", "5-2"}}), "MIN is larger than MAX"));
  EXPECT_TRUE(Has(RejectAction({{"action", "add"}, {"stderr_fraction", 1.5}}), "\"stderr_fraction\""));
  EXPECT_TRUE(Has(RejectAction({{"action", "add"}, {"burst", 0}}), "\"burst\""));
  EXPECT_TRUE(Has(RejectAction({{"action", "add"}, {"stderr_lag", -1}}),
                  "\"stderr_lag\": \"-1\" is not a duration from 0s to 1m"));
  EXPECT_TRUE(Has(RejectAction({{"action", "set"}, {"target", "x"}, {"stderr_lag", "61s"}}),
                  "\"stderr_lag\": \"61s\" is not a duration from 0s to 1m"));
  EXPECT_TRUE(Has(RejectAction({{"action", "add"}, {"stderr_lag", true}}), "\"stderr_lag\": \"true\" is not a duration"));
  EXPECT_TRUE(Has(RejectAction({{"action", "remove"}, {"target", "x"}, {"delay", "soon"}}), "\"delay\""));
  EXPECT_TRUE(Has(RejectAction({{"action", "restart_daemon"}, {"down", -1}}), "\"down\": \"-1\" is not a duration"));
  EXPECT_TRUE(Has(RejectAction({{"action", "restart_daemon"}, {"down", true}}), "\"down\": \"true\" is not a duration"));
  EXPECT_EQ(RejectAction({{"action", "remove"}, {"target", "x"}, {"force", "yes"}}), "\"force\": \"yes\" is not true or false");
  EXPECT_EQ(RejectAction({{"action", "add"}, {"tty", 1}}), "\"tty\": \"1\" is not true or false");
  EXPECT_EQ(RejectAction({{"action", "add"}, {"start", nullptr}}), "\"start\": \"null\" is not true or false");
  EXPECT_EQ(RejectAction({{"action", "emit"}, {"target", "x"}, {"same_timestamp", "true"}}),
            "\"same_timestamp\": \"true\" is not true or false");
}

// A plain number is seconds in every duration of a scenario, as in `at`.
TEST(ParseScenario, DurationsTakePlainSeconds) {
  const Scenario s = ParseScenario(
      "timeline:\n  - at: 1\n    action: restart_daemon\n    down: 2\n"
      "  - at: 2\n    action: remove\n    target: x\n    delay: 0.5\n", "ok");
  ASSERT_EQ(s.timeline.size(), 2u);
  EXPECT_EQ(s.timeline[0].action["down"], 2);
  EXPECT_EQ(s.timeline[1].action["delay"], 0.5);
  EXPECT_EQ(CheckedDuration("down", s.timeline[0].action["down"], {}, seconds(10)), seconds(2));
  EXPECT_EQ(CheckedDuration("delay", s.timeline[1].action["delay"], {}, seconds(10)), milliseconds(500));
}

TEST(ParseScenario, StderrLagIsADurationUpToOneMinute) {
  const Scenario s = ParseScenario(
      "daemon:\n  stderr_lag: 2s\ntimeline:\n  - at: 1\n    action: set\n    target: x\n    stderr_lag: 0.5\n", "ok");
  EXPECT_EQ(s.daemon["stderr_lag"], "2s");
  ASSERT_EQ(s.timeline.size(), 1u);
  EXPECT_EQ(CheckedDuration("stderr_lag", s.timeline[0].action["stderr_lag"], {}, seconds(60)), milliseconds(500));
  std::string why = Reject("timeline:\n  - at: 1\n    action: set\n    target: x\n    stderr_lag: 90s\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:5: timeline[0]: "));
  EXPECT_TRUE(Has(why, "\"stderr_lag\": \"90s\" is not a duration from 0s to 1m"));
}

TEST(ParseScenario, RejectsEveryBelowOneMillisecond) {
  std::string why = Reject("timeline:\n  - at: 1s\n    every: 999us\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:3:12: timeline[0].every: "));
  EXPECT_TRUE(Has(why, "'999us' is too short (at least 1ms)"));
  EXPECT_NO_THROW(ParseScenario("timeline:\n  - at: 1s\n    every: 1ms\n    times: 2\n    action: reset_peaks\n", "ok"));
}

TEST(ParseScenario, RejectsNonFiniteAndOverflowingValues) {
  std::string why = Reject("daemon:\n  rate: nan\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: daemon.rate: "));
  EXPECT_TRUE(Has(why, "expected a finite number, got 'nan'"));
  why = Reject("daemon:\n  rate: .nan\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: daemon.rate: "));
  EXPECT_TRUE(Has(why, "expected a finite number, got '.nan'"));
  why = Reject("daemon:\n  stderr_fraction: -.inf\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:20: daemon.stderr_fraction: "));
  EXPECT_TRUE(Has(why, "expected a finite number, got '-.inf'"));
  why = Reject("daemon:\n  rate: 1e300\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: daemon.rate: "));
  EXPECT_TRUE(Has(why, "must be between 0 and 1e+06 (got 1e300)"));
  why = Reject("daemon:\n  containers: 1e400\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:15: daemon.containers: "));
  EXPECT_TRUE(Has(why, "expected a whole number from 0 to 1000000, got '1e400'"));
  why = Reject("daemon:\n  seed: 18446744073709551616\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: daemon.seed: "));
  EXPECT_TRUE(Has(why, "'18446744073709551616' is too large (at most 18446744073709551615)"));
  why = Reject("timeline:\n  - at: 9000h\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: timeline[0].at: "));
  EXPECT_TRUE(Has(why, "'9000h' is too long (at most 8760h)"));
  why = Reject("timeline:\n  - at: 2562048h\n    action: reset_peaks\n");  // beyond int64 nanoseconds
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: timeline[0].at: "));
  EXPECT_TRUE(Has(why, "'2562048h' is not a duration"));
  why = Reject("timeline:\n  - at: 1s\n    every: 1s\n    times: 99999999999999999999\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4:12: timeline[0].times: "));
  EXPECT_TRUE(Has(why, "'99999999999999999999' is too large"));
  // The action's own fields are checked by ValidateAction: the entry is named.
  why = Reject("timeline:\n  - at: 1s\n    action: restart_daemon\n    down: 99999999h\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:5: timeline[0]: "));
  EXPECT_TRUE(Has(why, "\"down\": \"99999999h\" is not a duration from 0s to 8760h"));
  why = Reject("timeline:\n  - at: 1s\n    action: fault\n    kind: stall\n    duration: .nan\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:5: timeline[0]: "));
  EXPECT_TRUE(Has(why, "fault field 'duration': \".nan\""));
  why = Reject("timeline:\n  - at: 1s\n    action: fault\n    kind: stall\n    duration: 1e300\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:5: timeline[0]: "));
  EXPECT_TRUE(Has(why, "fault field 'duration': \"1e+300\" is not a duration"));
}

TEST(ParseScenario, CutsLongValuesInMessages) {
  const std::string long_value(5000, 'x');
  const std::string why = Reject("daemon:\n  rate: " + long_value + "\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2:9: daemon.rate: "));
  EXPECT_TRUE(Has(why, "got '" + long_value.substr(0, 200) + "\xE2\x80\xA6(cut, 5000 bytes)'"));
  EXPECT_LT(why.size(), 400u) << why;
}

TEST(ParseLineBytes, SingleValueOrRange) {
  uint32_t lo = 0, hi = 0;
  ParseLineBytes("100", &lo, &hi);
  EXPECT_EQ(lo, 100u);
  EXPECT_EQ(hi, 100u);
  ParseLineBytes("80-120", &lo, &hi);
  EXPECT_EQ(lo, 80u);
  EXPECT_EQ(hi, 120u);
  ParseLineBytes("7-7", &lo, &hi);
  EXPECT_EQ(lo, 7u);
  EXPECT_EQ(hi, 7u);
  ParseLineBytes("67108864", &lo, &hi);
  EXPECT_EQ(lo, 67108864u);
}

TEST(ParseLineBytes, RejectsBadText) {
  for (const char* bad : {"0", "5-2", "x", "", "-5", "5-", "1-0", "67108865", "10 ", "1.5", "99999999999"}) {
    uint32_t lo = 0, hi = 0;
    EXPECT_THROW(ParseLineBytes(bad, &lo, &hi), std::invalid_argument) << bad;
  }
  uint32_t lo = 0, hi = 0;
  try {
    ParseLineBytes("5-2", &lo, &hi);
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(Has(e.what(), "MIN is larger than MAX"));
  }
  try {
    ParseLineBytes("x", &lo, &hi);
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(Has(e.what(), "must be N or MIN-MAX"));
  }
}

}  // namespace
}  // namespace fakedocker
