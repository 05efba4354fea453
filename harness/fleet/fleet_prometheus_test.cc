// The fleet judge against a real Prometheus: a synthetic history of a few
// hundred instances with known truth (leaks of threads, fds and RSS; noise,
// spikes, one-off steps, scrape gaps, restarts with and without
// process_start_time_seconds; too short; a metric missing) is imported
// with promtool, served by prometheus on a free loopback port, fetched with
// one range query per metric and judged. Prints the confusion matrix;
// every instance must get its right verdict and every restart be reported.
// Skipped, with the reason, where prometheus is not installed.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "harness/fleet/fleet_run.h"
#include "harness/fleet/testing/prometheus_server.h"
#include "harness/fleet/testing/synthetic_fleet.h"
#include "harness/scenario/scenario.h"

namespace fleet_prometheus_test {

using namespace leakbench::harness;
namespace synth = leakbench::harness::testing;
using synth::SyntheticInstance;
using synth::Truth;

struct CurlGlobal : ::testing::Environment {
  void SetUp() override { curl_global_init(CURL_GLOBAL_DEFAULT); }
  void TearDown() override { curl_global_cleanup(); }
};
const auto* const kCurl = ::testing::AddGlobalTestEnvironment(new CurlGlobal);

// Bounds a fleet would use for hours of history: growth bounded well below
// the synthetic leaks, a 5-minute warm-up after every (re)start.
constexpr const char* kBounds = R"(
name: fleet-test
duration: 6h  # a scenario needs it; the fleet judges --range
warmup: 5m
target: {max_streams: 50}
criteria:
  threads_max: 500
  thread_growth_per_min: 0.1
  fd_growth_per_min: 0.2
  rss_growth_mib_per_min: 0.15
)";

const char* Expected(Truth truth) { return truth == Truth::kHealthy ? "pass" : truth == Truth::kLeaking ? "fail" : "inconclusive"; }

class FleetPrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = synth::PrometheusMissing()) GTEST_SKIP() << *why;
  }
};

TEST_F(FleetPrometheusTest, SyntheticFleetIsJudgedExactlyRight) {
  synth::TempDir dir;
  synth::SyntheticSpec spec;
  spec.instances = 320;  // 20 of each kind
  const std::string om = dir.path() + "/fleet.om";
  std::vector<SyntheticInstance> truth;
  {
    std::ofstream out(om);
    truth = synth::WriteSyntheticFleet(spec, out);
  }
  synth::PrometheusServer prom(dir.path(), om);

  FleetOptions o;
  o.client.url = prom.url();
  o.client.chunk_s = 3600;  // two chunks a query
  o.range = {spec.start, spec.start + spec.duration_s, spec.scrape_s};
  o.bounds.scenario = ParseScenario(kBounds, "fleet-test.yaml");
  o.bounds.min_window_s = 30 * 60;
  const FleetOutcome outcome = JudgeFleet(o);

  std::map<std::string, const InstanceVerdict*> by_key;
  for (const auto& iv : outcome.instances) by_key[iv.key] = &iv;
  ASSERT_EQ(by_key.size(), truth.size()) << "every instance is found, once";
  // truth x verdict
  std::map<std::string, std::map<std::string, int>> matrix;
  int wrong = 0, restarts_missed = 0, restart_called_leak = 0;
  std::string wrong_list;
  for (const SyntheticInstance& s : truth) {
    const InstanceVerdict& iv = *by_key.at(s.instance);
    const std::string& verdict = iv.verdict.verdict;
    ++matrix[synth::TruthName(s.truth)][verdict];
    if (verdict != Expected(s.truth)) {
      ++wrong;
      std::string failed;
      for (const auto& c : iv.verdict.criteria) {
        if (c.status == Status::kFail || c.status == Status::kInconclusive) failed += "\n    " + c.id + ": " + c.detail;
      }
      wrong_list += "\n  " + s.instance + " (" + s.kind + "): " + verdict + failed;
    }
    restarts_missed += iv.restarts != s.restarts;
    restart_called_leak += s.restarts > 0 && s.truth == Truth::kHealthy && verdict == "fail";
  }
  std::printf("\nconfusion matrix (%zu instances, %.0f h at %.0f s; query %.2f s in %zu requests, judged in %.2f s; "
              "promtool import %.1f s)\n%-16s %6s %6s %13s\n",
              truth.size(), spec.duration_s / 3600, spec.scrape_s, outcome.query_seconds,
              outcome.query_stats.requests, outcome.judge_seconds, prom.import_seconds(), "truth \\ verdict", "pass",
              "fail", "inconclusive");
  for (const auto& [t, row] : matrix) {
    auto get = [&row](const char* v) { return row.contains(v) ? row.at(v) : 0; };
    std::printf("%-16s %6d %6d %13d\n", t.c_str(), get("pass"), get("fail"), get("inconclusive"));
  }
  EXPECT_EQ(wrong, 0) << "wrong verdicts:" << wrong_list;
  EXPECT_EQ(restarts_missed, 0) << "every restart is seen, and nothing else is called one";
  EXPECT_EQ(restart_called_leak, 0) << "a restart is never a leak";
  EXPECT_EQ(outcome.fleet["verdict"], "fail");
  EXPECT_EQ(outcome.fleet["exit_code"], 1);
  // Worst first: severities never increase down the list.
  double last = 1e300;
  for (const auto& f : outcome.fleet["failing"]) {
    EXPECT_LE(f["severity"].get<double>(), last);
    last = f["severity"].get<double>();
  }
}

TEST_F(FleetPrometheusTest, ABadSelectorAndASampleLimitAreClearErrors) {
  synth::TempDir dir;
  synth::SyntheticSpec spec;
  spec.instances = 2;
  spec.duration_s = 600;
  const std::string om = dir.path() + "/fleet.om";
  {
    std::ofstream out(om);
    synth::WriteSyntheticFleet(spec, out);
  }
  synth::PrometheusServer prom(dir.path(), om, /*max_samples=*/20);
  FleetOptions o;
  o.client.url = prom.url();
  o.range = {spec.start, spec.start + spec.duration_s, spec.scrape_s};
  o.selector = R"({job=~"(unclosed"})";
  try {
    JudgeFleet(o);
    FAIL() << "no error";
  } catch (const PromQueryError& e) {
    EXPECT_EQ(e.error().kind, PromError::Kind::kBadQuery) << e.what();
    EXPECT_NE(std::string(e.what()).find("error parsing regexp"), std::string::npos) << e.what();
  }
  // More samples than the server allows (--query.max-samples=20): the sample limit, with what to do.
  o.selector = R"({job="log-capturer"})";
  try {
    JudgeFleet(o);
    FAIL() << "no error";
  } catch (const PromQueryError& e) {
    EXPECT_EQ(e.error().kind, PromError::Kind::kSampleLimit) << e.what();
    EXPECT_NE(std::string(e.what()).find("--chunk"), std::string::npos) << e.what();
  }
}

}  // namespace fleet_prometheus_test
