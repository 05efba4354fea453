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

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// fleet.json, junit.xml (a suite per instance, a case per criterion),
// summary.md, and each instance that did not pass in the run's schema.
void CheckFiles(const std::string& out_dir, const FleetOutcome& outcome) {
  const auto fleet = nlohmann::json::parse(Slurp(out_dir + "/fleet.json"));
  EXPECT_EQ(fleet["source"], "prometheus");
  EXPECT_EQ(fleet["instances_judged"], outcome.instances.size());
  const std::string junit = Slurp(out_dir + "/junit.xml");
  EXPECT_EQ(Count(junit, "<testsuite "), outcome.instances.size());
  EXPECT_EQ(Count(junit, "<testcase "), outcome.instances.size() * kCriterionIds.size());
  const std::string md = Slurp(out_dir + "/summary.md");
  EXPECT_NE(md.find("## Failing, worst first"), std::string::npos) << md.substr(0, 2000);
  EXPECT_NE(md.find("## Restarted"), std::string::npos);
  std::size_t written = 0;
  for (std::size_t i = 0; i < outcome.instances.size(); ++i) {
    const bool pass = outcome.instances[i].verdict.verdict == "pass";
    EXPECT_EQ(outcome.written[i].empty(), pass) << outcome.instances[i].key;
    if (pass) continue;
    ++written;
    const auto r = nlohmann::json::parse(Slurp(out_dir + "/" + outcome.written[i] + "/result.json"));
    EXPECT_EQ(r["schema_version"], 2);
    EXPECT_EQ(r["source"], "prometheus");
    EXPECT_EQ(r["verdict"], outcome.instances[i].verdict.verdict);
    EXPECT_EQ(r["instance"]["key"], outcome.instances[i].key);
    EXPECT_EQ(r["segments"].size(), outcome.instances[i].segments.size());
    EXPECT_FALSE(r["samples"]["t"].empty()) << "the history is in result.json";
  }
  EXPECT_GT(written, 0u);
  const auto& worst = fleet["failing"].at(0);
  EXPECT_FALSE(worst["criteria"].at(0)["slope"].is_null()) << worst.dump();
}

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
  const std::string out_dir = dir.path() + "/out";
  const FleetOutcome outcome = JudgeFleet(o, out_dir);
  WriteFleetFiles(out_dir, outcome);

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
  for (const auto& entry : matrix) {  // not a structured binding: clang 14 cannot capture one
    const auto& row = entry.second;
    auto get = [&row](const char* v) { return row.contains(v) ? row.at(v) : 0; };
    std::printf("%-16s %6d %6d %13d\n", entry.first.c_str(), get("pass"), get("fail"), get("inconclusive"));
  }
  EXPECT_EQ(wrong, 0) << "wrong verdicts:" << wrong_list;
  EXPECT_EQ(restarts_missed, 0) << "every restart is seen, and nothing else is called one";
  EXPECT_EQ(restart_called_leak, 0) << "a restart is never a leak";
  EXPECT_EQ(outcome.fleet["verdict"], "fail");
  EXPECT_EQ(outcome.fleet["exit_code"], 1);
  CheckFiles(out_dir, outcome);
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
