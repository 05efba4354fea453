// The alert rules built from bounds: thresholds from the criteria, the
// stream-age alert against the first histogram bucket at or above rotation +
// tolerance (none, and a note saying so, above the top bucket), criteria
// turned off leave their alerts out, and bad settings are refused.
#include "harness/fleet/alert_rules.h"

#include <gtest/gtest.h>

#include "harness/fleet/rules_yaml.h"

namespace alert_rules_test {

using namespace leakbench::harness;

const PromRule* Find(const AlertRules& rules, const std::string& alert) {
  for (const auto& g : rules.groups) {
    for (const auto& r : g.rules) {
      if (r.alert == alert) return &r;
    }
  }
  return nullptr;
}

AlertRulesOptions Options() {
  AlertRulesOptions o;
  o.bounds.target.rotation_interval = std::chrono::minutes(5);
  o.bounds.criteria.max_concurrent_streams = 50;
  o.bounds.warmup = std::chrono::minutes(5);
  return o;
}

TEST(AlertRules, ThresholdsAreTheBounds) {
  AlertRulesOptions o = Options();
  o.bounds.criteria.thread_growth_per_min = 0.1;
  o.bounds.criteria.rss_growth_mib_per_min = 0.15;
  const AlertRules rules = BuildAlertRules(o);
  ASSERT_NE(Find(rules, "LogCapturerThreadGrowth"), nullptr);
  EXPECT_EQ(Find(rules, "LogCapturerThreadGrowth")->threshold, "0.1");
  EXPECT_EQ(Find(rules, "LogCapturerMemoryGrowth")->threshold, "0.15");
  EXPECT_EQ(Find(rules, "LogCapturerStreamsAboveCap")->threshold, "50");
  EXPECT_NE(Find(rules, "LogCapturerThreadGrowth")->guard.find("[1h5m]"), std::string::npos)
      << "two 30m windows and the 5m warm-up: " << Find(rules, "LogCapturerThreadGrowth")->guard;
}

TEST(AlertRules, StreamAgeIsJudgedAtTheFirstBucketAboveRotationPlusTolerance) {
  AlertRulesOptions o = Options();
  o.bounds.target.rotation_interval = std::chrono::seconds(100);  // + 10 s: the 120 s bucket
  const AlertRules rules = BuildAlertRules(o);  // a named value: Find points into it
  const PromRule* r = Find(rules, "LogCapturerStreamOutlivedRotation");
  ASSERT_NE(r, nullptr);
  EXPECT_NE(r->measure.find("le=\"120\""), std::string::npos) << r->measure;
  EXPECT_EQ(r->measure.find("le=\"60\""), std::string::npos) << r->measure;
}

TEST(AlertRules, StreamAgeAboveTheTopBucketIsANoteNotAnAlert) {
  AlertRulesOptions o = Options();
  o.bounds.target.rotation_interval = std::chrono::hours(3);
  const AlertRules rules = BuildAlertRules(o);
  EXPECT_EQ(Find(rules, "LogCapturerStreamOutlivedRotation"), nullptr);
  ASSERT_EQ(rules.notes.size(), 1u);
  EXPECT_NE(rules.notes[0].find("above the top bucket"), std::string::npos) << rules.notes[0];
  EXPECT_NE(Find(rules, "LogCapturerNoRotations"), nullptr) << "rotation is still watched";
}

TEST(AlertRules, CriteriaTurnedOffLeaveTheirAlertsOut) {
  AlertRulesOptions o = Options();
  o.bounds.criteria.fd_growth_per_min.reset();
  o.bounds.criteria.no_continuous_trend = false;
  const AlertRules rules = BuildAlertRules(o);
  EXPECT_EQ(Find(rules, "LogCapturerFdGrowth"), nullptr);
  EXPECT_EQ(Find(rules, "LogCapturerThreadCreep"), nullptr);
  EXPECT_NE(Find(rules, "LogCapturerThreadGrowth"), nullptr);
}

TEST(AlertRules, SelectorAndGroupingReachEveryExpression) {
  AlertRulesOptions o = Options();
  o.selector = "{job=\"lc\", env=\"prod\"}";
  o.by = {"cluster", "instance"};
  const std::string yaml = RulesYaml(BuildAlertRules(o).groups, {"header"});
  EXPECT_EQ(yaml.find("job=\"log-capturer\""), std::string::npos);
  EXPECT_NE(yaml.find("log_capturer_process_threads{job=\"lc\", env=\"prod\"}"), std::string::npos);
  EXPECT_NE(yaml.find("unless on (cluster, instance)"), std::string::npos);
  EXPECT_EQ(yaml.rfind("# header\ngroups:\n", 0), 0u) << yaml.substr(0, 200);
}

TEST(AlertRules, BadSettingsAreRefusedSayingWhatToGive) {
  AlertRulesOptions o = Options();
  o.window_s = 30;
  EXPECT_THROW(
      {
        try {
          BuildAlertRules(o);
        } catch (const AlertRulesError& e) {
          EXPECT_NE(std::string(e.what()).find("at least 1m"), std::string::npos) << e.what();
          throw;
        }
      },
      AlertRulesError);
  o = Options();
  o.selector = "job=\"x\"";
  EXPECT_THROW(BuildAlertRules(o), AlertRulesError);
}

TEST(AlertRules, PromDurationsAreWholeUnits) {
  EXPECT_EQ(PromDuration(3900), "1h5m");
  EXPECT_EQ(PromDuration(310), "5m10s");
  EXPECT_EQ(PromDuration(45), "45s");
  EXPECT_EQ(PromDuration(7200), "2h");
}

TEST(RulesYaml, QuotesSingleQuotesByDoublingThem) {
  PromRuleGroup g{"g", {{.alert = "A", .measure = "x", .op = ">", .threshold = "1", .summary = "it's"}}};
  EXPECT_NE(RulesYaml({g}, {}).find("summary: 'it''s'"), std::string::npos) << RulesYaml({g}, {});
}

}  // namespace alert_rules_test
