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
  EXPECT_NE(Refusal("name: a\ndaemon: real\nfake:\n  timeline:\n    - {at: 5s, action: {action: restart_daemon}}\n")
                .find("'restart_daemon' is played by fake-dockerd only"),
            std::string::npos);
  EXPECT_NE(Refusal("name: a\ndaemon: real\nfake:\n  stderr_lag: 2s\n").find("a lagging stderr stamp is played by fake-dockerd only"),
            std::string::npos);
  EXPECT_NE(Refusal("name: a\ndaemon: cloud\n").find("give fake or real"), std::string::npos);
  EXPECT_EQ(Refusal("name: a\nfake:\n  faults:\n    - {kind: reset, probability: 0.2}\n"), "");
}

TEST(RealDaemonRules, AnOverrideIsCheckedToo) {
  Scenario s = ParseScenario("name: a\nfake:\n  faults:\n    - {kind: reset, probability: 0.2}\n", "t.yaml");
  s.daemon = "real";  // --daemon real
  EXPECT_THROW(DeriveBounds(s), ScenarioError);
}

}  // namespace real_daemon_rules_test
}  // namespace leakbench::harness
