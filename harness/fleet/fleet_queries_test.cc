// The fleet's queries (one per resource, for the whole selector) and the
// grouping of their answers into instances; --selector and --by checked.
#include "harness/fleet/fleet_queries.h"

#include <gtest/gtest.h>

namespace fleet_queries_test {

using namespace leakbench::harness;

TEST(FleetQueriesTest, OneQueryPerResourceAggregatedByTheGroupingLabels) {
  const auto q = FleetQueries(R"({job="lc",env="prod"})", {"instance"});
  ASSERT_EQ(q.size(), kResourceCount);
  EXPECT_EQ(q[0].name, "threads");
  EXPECT_EQ(q[0].expr, R"(sum by (instance) (log_capturer_process_threads{job="lc",env="prod"}) or )"
                       R"(sum by (instance) (go_threads{job="lc",env="prod"}))");
  EXPECT_EQ(q[static_cast<std::size_t>(Resource::kStartTime)].expr,
            R"(max by (instance) (process_start_time_seconds{job="lc",env="prod"}))");
  EXPECT_EQ(FleetQueries("{}", {"pod", "namespace"})[3].expr, "sum by (pod, namespace) (go_goroutines)");
}

TEST(FleetQueriesTest, RefusesWhatIsNotASelectorOrALabel) {
  EXPECT_THROW(CheckSelector("log_capturer_process_threads"), FleetQueryError);
  EXPECT_THROW(CheckSelector("{job=\"x\""), FleetQueryError);
  EXPECT_NO_THROW(CheckSelector("{}"));
  EXPECT_EQ(ParseByLabels("instance, job"), (std::vector<std::string>{"instance", "job"}));
  EXPECT_THROW(ParseByLabels("instance,"), FleetQueryError);
  EXPECT_THROW(ParseByLabels("9lives"), FleetQueryError);
}

TEST(FleetQueriesTest, GroupsAnswersByTheGroupingLabels) {
  std::vector<std::vector<RangeSeries>> answers(kResourceCount);
  answers[0] = {{{{"instance", "b"}}, {{0, 1}}}, {{{"instance", "a"}}, {{0, 2}}}};
  answers[1] = {{{{"instance", "a"}}, {{0, 3}, {15, 4}}}};
  const auto instances = GroupInstances(std::move(answers), {"instance"});
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0].key, "a");
  EXPECT_EQ(instances[0].series[1].size(), 2u);
  EXPECT_EQ(instances[1].key, "b");
  EXPECT_TRUE(instances[1].series[1].empty());
}

}  // namespace fleet_queries_test
