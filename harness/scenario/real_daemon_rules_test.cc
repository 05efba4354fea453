// `daemon: real`: the key is read, and what only the fake can play
// (faults, actions other than churn/stop/start/restart/rename) is refused
// with a message that says so, also when --daemon real overrides a file.
#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/real_daemon_rules.h"
#include "harness/scenario/scenario.h"

namespace leakbench::harness {
namespace real_daemon_rules_test {

std::string Refusal(const std::string& yaml) {
  try {
    ParseScenario(yaml, "t.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(RealDaemonRules, TheKeyIsReadAndDefaultsToFake) {
  EXPECT_EQ(ParseScenario("name: a\n", "t.yaml").daemon, "fake");
  const Scenario s = ParseScenario(
      "name: a\ndaemon: real\nfake:\n  timeline:\n    - {at: 5s, every: 5s, action: {action: churn, count: 2}}\n",
      "t.yaml");
  EXPECT_EQ(s.daemon, "real");
}

TEST(RealDaemonRules, DaemonFdGrowthIsOffUnlessItsBoundsAreGiven) {
  const Scenario off = ParseScenario("name: a\ndaemon: real\n", "t.yaml");
  EXPECT_FALSE(off.criteria.daemon_fd_growth_per_min || off.criteria.daemon_fd_growth_per_1000_streams);
  const Scenario on = ParseScenario(
      "name: a\ndaemon: real\ncriteria: {daemon_fd_growth_per_min: 12, daemon_fd_growth_per_1000_streams: 30}\n",
      "t.yaml");
  EXPECT_EQ(on.criteria.daemon_fd_growth_per_min, 12);
  EXPECT_EQ(on.criteria.daemon_fd_growth_per_1000_streams, 30);
  EXPECT_TRUE(IsCriterionId("daemon_fd_growth"));
}

TEST(RealDaemonRules, RefusesWhatOnlyTheFakeCanPlay) {
  EXPECT_NE(Refusal("name: a\ndaemon: real\nfake:\n  faults:\n    - {kind: reset, probability: 0.2}\n")
                .find("fault injection is played by fake-dockerd only"),
            std::string::npos);
  EXPECT_NE(Refusal("name: a\ndaemon: real\nfake:\n  timeline:\n    - {at: 5s, action: {action: emit, target: x}}\n")
                .find("'emit' is played by fake-dockerd only"),
            std::string::npos);
  EXPECT_NE(Refusal("name: a\ndaemon: real\nfake:\n  stderr_lag: 2s\n").find("a lagging stderr stamp is played by fake-dockerd only"),
            std::string::npos);
  EXPECT_NE(Refusal("name: a\ndaemon: cloud\n").find("give fake or real"), std::string::npos);
  EXPECT_EQ(Refusal("name: a\nfake:\n  faults:\n    - {kind: reset, probability: 0.2}\n"), "");
}

TEST(RealDaemonRules, RestartDaemonIsPlayedOnADaemonLeakbenchStarted) {
  const std::string yaml = "name: a\ndaemon: real\nfake:\n  timeline:\n    - {at: 5s, action: {action: restart_daemon, down: DOWN}}\n";
  const auto with = [&yaml](const std::string& down) {
    std::string y = yaml;
    y.replace(y.find("DOWN"), 4, down);
    return y;
  };
  const Scenario s = ParseScenario(with("2.5s"), "t.yaml");
  EXPECT_EQ(RestartDown(s.fake.timeline.at(0).action), std::chrono::milliseconds(2500));
  EXPECT_EQ(RestartDown(ParseScenario(with("3"), "t.yaml").fake.timeline.at(0).action), std::chrono::seconds(3));
  EXPECT_EQ(RestartDown(nlohmann::json{{"action", "restart_daemon"}}), std::chrono::seconds(1));
  EXPECT_NE(Refusal(with("61s")).find("not a duration between 0 and 60 s"), std::string::npos);
  // The fake's own check of the action refuses the rest first.
  EXPECT_NE(Refusal(with("soon")).find("is not a duration"), std::string::npos);
  EXPECT_NE(Refusal("name: a\ndaemon: real\nfake:\n  timeline:\n    - {at: 5s, action: {action: restart_daemon, "
                    "target: x}}\n")
                .find("has no field \"target\""),
            std::string::npos);
  EXPECT_THROW(RestartDown(nlohmann::json{{"action", "restart_daemon"}, {"down", -1}}), ScenarioError);
  EXPECT_THROW(RestartDown(nlohmann::json{{"action", "restart_daemon"}, {"down", "soon"}}), ScenarioError);
  EXPECT_THROW(RestartDown(nlohmann::json{{"action", "restart_daemon"}, {"target", "x"}}), ScenarioError);
  // Only a dockerd leakbench started is restarted: not one behind --docker-host.
  EXPECT_NO_THROW(CheckDaemonRestartsOwned(s, true));
  try {
    CheckDaemonRestartsOwned(s, false);
    ADD_FAILURE() << "a restart of a daemon leakbench does not own was accepted";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("leave --docker-host out"), std::string::npos) << e.what();
  }
  Scenario fake = ParseScenario("name: a\nfake:\n  timeline:\n    - {at: 5s, action: {action: restart_daemon}}\n", "t.yaml");
  EXPECT_NO_THROW(CheckDaemonRestartsOwned(fake, false));  // the fake restarts its own API
}

TEST(RealDaemonRules, AnOverrideIsCheckedToo) {
  Scenario s = ParseScenario("name: a\nfake:\n  faults:\n    - {kind: reset, probability: 0.2}\n", "t.yaml");
  s.daemon = "real";  // --daemon real
  EXPECT_THROW(DeriveBounds(s), ScenarioError);
}

}  // namespace real_daemon_rules_test
}  // namespace leakbench::harness
