// `leakbench rules` against promtool: the committed soak rules are exactly
// what `leakbench rules` writes from soak/prometheus/bounds.yaml; promtool
// checks them and runs soak/prometheus/alerts_test.yml, in which every alert
// fires on its leak or fault and stays silent on a healthy series and across
// a restart; and each broken rule makes that test fail (never firing, firing
// on everything, without its restart guard). Skipped, with the reason, where
// promtool is not installed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/fleet/alert_rules.h"
#include "harness/fleet/rules_yaml.h"
#include "harness/fleet/testing/prometheus_server.h"
#include "harness/fleet/testing/run_command.h"
#include "harness/scenario/scenario.h"

namespace rules_prometheus_test {

using namespace leakbench::harness;
namespace lt = leakbench::harness::testing;
using namespace std::chrono_literals;

const std::string kSource = LEAKBENCH_SOURCE_DIR;
const std::string kBoundsFile = "soak/prometheus/bounds.yaml";
const std::string kRegenerate = "regenerate: leakbench rules --bounds " + kBoundsFile + " -o soak/prometheus/alerts.yml";

class RulesPrometheus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!lt::OnPath("promtool")) GTEST_SKIP() << "promtool is not on PATH (Debian's `prometheus` package: ci/setup)";
  }

  static AlertRules SoakRules() {
    AlertRulesOptions o;
    o.bounds = LoadScenario(kSource + "/" + kBoundsFile);
    o.bounds.criteria.max_concurrent_streams = static_cast<double>(o.bounds.target.max_streams);
    return BuildAlertRules(o);
  }

  // promtool test rules on the soak's unit tests against `rules`.
  lt::CommandResult PromtoolTest(const AlertRules& rules) {
    std::ofstream(dir_.path() + "/alerts.yml") << RulesYaml(rules.groups, {});
    std::filesystem::copy_file(kSource + "/soak/prometheus/alerts_test.yml", dir_.path() + "/alerts_test.yml",
                               std::filesystem::copy_options::overwrite_existing);
    return lt::RunCommand({*lt::OnPath("promtool"), "test", "rules", dir_.path() + "/alerts_test.yml"}, dir_.path(),
                          120s);
  }

  // The alerts whose unit tests failed: those promtool names.
  static std::vector<std::string> Unnamed(const AlertRules& rules, const std::string& output, bool guarded_only) {
    std::vector<std::string> missed;
    for (const auto& r : rules.groups.back().rules) {
      if (guarded_only && r.guard.empty()) continue;
      if (output.find("alertname: " + r.alert + ",") == std::string::npos) missed.push_back(r.alert);
    }
    return missed;
  }

  lt::TempDir dir_;
};

TEST_F(RulesPrometheus, CommittedSoakRulesAreWhatLeakbenchRulesWrites) {
  const auto r = lt::RunCommand({"/bin/sh", "-c", "cd \"$1\" && exec \"$2\" rules --bounds \"$3\"", "sh", kSource,
                                 LEAKBENCH_PATH, kBoundsFile},
                                dir_.path(), 60s);
  ASSERT_EQ(r.exit.code, 0) << r.err;
  EXPECT_EQ(r.out, lt::ReadFile(kSource + "/soak/prometheus/alerts.yml")) << "soak/prometheus/alerts.yml is stale: "
                                                                   << kRegenerate;
  const auto check = lt::RunCommand({*lt::OnPath("promtool"), "check", "rules", kSource + "/soak/prometheus/alerts.yml"},
                                    dir_.path(), 60s);
  EXPECT_EQ(check.exit.code, 0) << check.out << check.err;
}

TEST_F(RulesPrometheus, EveryAlertFiresOnItsLeakAndStaysSilentOnHealthyAndRestartedSeries) {
  const auto r = PromtoolTest(SoakRules());
  EXPECT_EQ(r.exit.code, 0) << r.out << r.err;
}

TEST_F(RulesPrometheus, AnAlertThatNeverFiresFailsItsTest) {
  AlertRules rules = SoakRules();
  for (auto& rule : rules.groups.back().rules) rule.threshold = rule.op[0] == '>' ? "+Inf" : "-Inf";
  const auto r = PromtoolTest(rules);
  EXPECT_NE(r.exit.code, 0);
  EXPECT_EQ(Unnamed(rules, r.out + r.err, false), std::vector<std::string>{}) << "no test saw these never fire";
}

TEST_F(RulesPrometheus, AnAlertThatFiresOnEverythingFailsItsTest) {
  AlertRules rules = SoakRules();
  for (auto& rule : rules.groups.back().rules) rule.threshold = rule.op[0] == '>' ? "-Inf" : "+Inf";
  const auto r = PromtoolTest(rules);
  EXPECT_NE(r.exit.code, 0);
  EXPECT_EQ(Unnamed(rules, r.out + r.err, false), std::vector<std::string>{})
      << "no test saw these fire on a healthy series";
}

TEST_F(RulesPrometheus, AnAlertWithoutItsRestartGuardFailsItsTest) {
  AlertRules rules = SoakRules();
  for (auto& rule : rules.groups.back().rules) rule.guard.clear();
  const auto r = PromtoolTest(rules);
  EXPECT_NE(r.exit.code, 0);
  EXPECT_EQ(Unnamed(SoakRules(), r.out + r.err, true), std::vector<std::string>{})
      << "no test saw these call a restart a leak";
}

}  // namespace rules_prometheus_test
