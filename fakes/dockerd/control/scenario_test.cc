#include "fakes/dockerd/scenario.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "fakes/dockerd/actions.h"

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

TEST(ParseScenario, RejectsUnknownTopLevelKey) {
  const std::string why = Reject("name: x\ncolour: red\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  EXPECT_TRUE(Has(why, "unknown key \"colour\""));
}

TEST(ParseScenario, RejectsEntryWithoutAt) {
  const std::string why = Reject("timeline:\n  - at: 1s\n    action: reset_peaks\n  - action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4: "));
  EXPECT_TRUE(Has(why, "needs \"at\""));
}

TEST(ParseScenario, RejectsBadDurations) {
  std::string why = Reject("timeline:\n  - at: soon\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  EXPECT_TRUE(Has(why, "\"at\""));
  why = Reject("timeline:\n  - at: 1s\n    every: 0s\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  EXPECT_TRUE(Has(why, "\"every\": \"0s\" is not a duration from 1ms to 8760h"));
  why = Reject("timeline:\n  - at: 1s\n    every: 1s\n    until: -5s\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  EXPECT_TRUE(Has(why, "\"until\""));
  why = Reject("timeline:\n  - at: [1]\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
}

TEST(ParseScenario, RejectsUnknownAction) {
  const std::string why = Reject("timeline:\n  - at: 1s\n    action: explode\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  EXPECT_TRUE(Has(why, "unknown action \"explode\""));
  EXPECT_TRUE(Has(why, "reset_peaks")) << "the message lists the actions";
}

TEST(ParseScenario, RejectsUnknownFieldForAction) {
  const std::string why = Reject("timeline:\n  - at: 1s\n    action: reset_peaks\n  - at: 2s\n    action: stop\n"
                                 "    target: x\n    lines: 3\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:4: "));
  EXPECT_TRUE(Has(why, "action \"stop\" has no field \"lines\""));
}

TEST(ParseScenario, RejectsFaultWithUnknownKind) {
  const std::string why = Reject("timeline:\n  - at: 1s\n    action: fault\n    kind: boom\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  EXPECT_TRUE(Has(why, "unknown fault kind 'boom'"));
}

TEST(ParseScenario, RejectsTimesOrUntilWithoutEvery) {
  std::string why = Reject("timeline:\n  - at: 1s\n    times: 3\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  EXPECT_TRUE(Has(why, "need \"every\""));
  why = Reject("timeline:\n  - at: 1s\n    until: 5s\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  why = Reject("timeline:\n  - at: 1s\n    every: 1s\n    times: 0\n    action: reset_peaks\n");
  EXPECT_TRUE(Has(why, "\"times\": \"0\" is not an integer from 1 to"));
}

TEST(ParseScenario, RejectsBadDaemonSettings) {
  std::string why = Reject("daemon:\n  containers: 3\n  colour: red\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:3: "));
  EXPECT_TRUE(Has(why, "unknown daemon setting \"colour\""));

  why = Reject("daemon: 5\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:1: "));
  EXPECT_TRUE(Has(why, "\"daemon\" must be a mapping"));

  // Values are checked like the matching command-line flags.
  struct Case {
    const char* setting;
    int line;
    const char* says;
  };
  for (const Case& c : {Case{"rate: fast", 3, "\"rate\""}, Case{"rate: -1", 3, "\"rate\""},
                        Case{"stderr_fraction: 2", 3, "\"stderr_fraction\""},
                        Case{"tty_fraction: -0.5", 3, "\"tty_fraction\""}, Case{"containers: -1", 3, "\"containers\""},
                        Case{"containers: 2.5", 3, "\"containers\""}, Case{"retention: 0", 3, "\"retention\""},
                        Case{"burst: 0", 3, "\"burst\""}, Case{"seed: abc", 3, "\"seed\""},
                        Case{"line_bytes: 5-2", 3, "line bytes"}, Case{"line_bytes: 0", 3, "line bytes"}}) {
    why = Reject(std::string("daemon:\n  containers: 1\n  ") + c.setting + "\ntimeline: []\n");
    EXPECT_TRUE(StartsWith(why, "test.yaml:" + std::to_string(c.line) + ": ")) << c.setting;
    EXPECT_TRUE(Has(why, c.says)) << c.setting;
  }
}

TEST(ParseScenario, RejectsStructuralProblems) {
  EXPECT_TRUE(Has(Reject("- 1\n- 2\n"), "top level must be a mapping"));
  EXPECT_TRUE(Has(Reject("name: x\n"), "\"timeline\" must be a list"));
  EXPECT_TRUE(StartsWith(Reject("timeline:\n  - 5\n"), "test.yaml:2: "));
  EXPECT_TRUE(StartsWith(Reject("timeline: [\n"), "test.yaml:"));
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
           R"({"action":"fault","kind":"slice","chunk_bytes":1,"delay":"1ms"})",
           R"({"action":"clear_faults","kind":"stall"})",
           R"({"action":"restart_daemon","down":"500ms"})",
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
  EXPECT_TRUE(Has(RejectAction({{"action", "remove"}, {"target", "x"}, {"delay", "soon"}}), "\"delay\""));
  EXPECT_TRUE(Has(RejectAction({{"action", "restart_daemon"}, {"down", 5}}), "\"down\": \"5\" is not a duration"));
}

TEST(ParseScenario, RejectsEveryBelowOneMillisecond) {
  std::string why = Reject("timeline:\n  - at: 1s\n    every: 999us\n    action: reset_peaks\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  EXPECT_TRUE(Has(why, "\"every\": \"999us\" is not a duration from 1ms to 8760h"));
  EXPECT_NO_THROW(ParseScenario("timeline:\n  - at: 1s\n    every: 1ms\n    times: 2\n    action: reset_peaks\n", "ok"));
}

TEST(ParseScenario, RejectsNonFiniteAndOverflowingValues) {
  std::string why = Reject("daemon:\n  rate: nan\ntimeline: []\n");
  EXPECT_TRUE(StartsWith(why, "test.yaml:2: "));
  EXPECT_TRUE(Has(why, "\"rate\": \"nan\" is not a number from 0 to 1000000"));
  why = Reject("daemon:\n  stderr_fraction: -.inf\ntimeline: []\n");
  EXPECT_TRUE(Has(why, "\"stderr_fraction\": \"-.inf\" is not a number from 0 to 1"));
  why = Reject("daemon:\n  containers: 1e400\ntimeline: []\n");
  EXPECT_TRUE(Has(why, "\"containers\": \"1e400\" is not an integer from 0 to 1000000"));
  why = Reject("timeline:\n  - at: 9000h\n    action: reset_peaks\n");
  EXPECT_TRUE(Has(why, "\"at\": \"9000h\" is not a duration from 0s to 8760h"));
  why = Reject("timeline:\n  - at: 1s\n    action: restart_daemon\n    down: 99999999h\n");
  EXPECT_TRUE(Has(why, "\"down\": \"99999999h\""));
  why = Reject("timeline:\n  - at: 1s\n    action: fault\n    kind: stall\n    duration: .nan\n");
  EXPECT_TRUE(Has(why, "fault field 'duration'"));
  why = Reject("timeline:\n  - at: 1s\n    action: fault\n    kind: stall\n    duration: 1e300\n");
  EXPECT_TRUE(Has(why, "fault field 'duration' (seconds): \"1e+300\""));
}

TEST(ParseScenario, CutsLongValuesInMessages) {
  const std::string long_value(5000, 'x');
  const std::string why = Reject("daemon:\n  rate: " + long_value + "\ntimeline: []\n");
  EXPECT_TRUE(Has(why, "\"" + long_value.substr(0, 200) + "...\""));
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
