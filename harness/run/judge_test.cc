// The judge and the result files on synthetic runs: flat series pass, a
// steady leak fails its growth and trend criteria, a single step is not a
// trend, the warm-up is excluded, loss/concurrency/rotation use their
// bounds, a run that could not be done is an error (exit 2), a negative
// control exits 0 only when it failed on its criterion; junit.xml has one
// testcase per criterion and escapes what it quotes; summary.md lists
// failures first.
#include <gtest/gtest.h>

#include <string>

#include "harness/run/judge.h"
#include "harness/run/repeat.h"
#include "harness/run/result_files.h"

namespace leakbench::harness {
namespace judge_test {

// A completed run of `seconds` samples (1 Hz, warm-up 10 s) whose threads
// follow `threads(t)`; 20 rotations per second; everything else healthy.
template <typename F>
RunData SyntheticRun(int seconds, F threads) {
  RunData run;
  run.completed = true;
  run.scenario.name = "synthetic";
  run.scenario.duration = std::chrono::seconds(seconds);
  run.scenario.warmup = std::chrono::seconds(10);
  run.scenario.target.rotation_interval = std::chrono::seconds(2);
  run.scenario.target.max_streams = 50;
  DeriveBounds(run.scenario);
  for (int t = 0; t < seconds; ++t) {
    Sample x;
    x.t = t;
    x.proc.ok = true;
    x.proc.threads = static_cast<std::size_t>(threads(t));
    x.proc.fds.socket = 30;
    x.proc.rss_bytes = 16u << 20;
    x.streams_open = 20;
    x.streams_closed = static_cast<std::uint64_t>(t) * 20;
    x.metric_streams_active = 20;
    x.streams_open_min = 19;
    x.streams_open_max = 21;
    x.metric_rotations = t * 20.0;
    x.metric_series = 60;
    run.samples.push_back(x);
  }
  run.follow_streams_peak = 20;
  run.ages.max_age_s = 2.0;
  run.ages.rotated = static_cast<std::size_t>(seconds) * 20;
  run.ages.streams = run.ages.rotated + 20;
  run.delivery.containers = run.delivery.containers_delivered = 20;
  run.delivery.lines_emitted = run.delivery.lines_delivered = 1000;
  run.loss.judged = true;
  run.loss.emitted = run.loss.captured = 1000;
  run.loss.containers = run.loss.containers_captured = 20;
  return run;
}

const CriterionResult& Find(const Verdict& v, const std::string& id) {
  for (const auto& c : v.criteria) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no criterion " + id);
}

TEST(Judge, FlatRunPassesEveryCriterion) {
  const Verdict v = Judge(SyntheticRun(60, [](int) { return 6; }));
  EXPECT_EQ(v.verdict, "pass");
  for (const auto& c : v.criteria) EXPECT_TRUE(c.pass() || c.status == Status::kOff) << c.id << ": " << c.detail;
  EXPECT_EQ(ExitCode(v), 0);
}

TEST(Judge, SteadyThreadLeakFailsGrowthAndTrend) {
  // 3 threads a minute: one every 20 s.
  const Verdict v = Judge(SyntheticRun(120, [](int t) { return 6 + t / 20; }));
  EXPECT_EQ(v.verdict, "fail");
  EXPECT_FALSE(Find(v, "thread_growth").pass()) << Find(v, "thread_growth").detail;
  EXPECT_NEAR(Find(v, "thread_growth").measured, 3.0, 0.5);
  EXPECT_FALSE(Find(v, "thread_trend").pass()) << Find(v, "thread_trend").detail;
  EXPECT_EQ(ExitCode(v), 1);
}

TEST(Judge, ASingleStepIsNotATrend) {
  // One more thread, once, in the middle: not continuous growth.
  const Verdict v = Judge(SyntheticRun(120, [](int t) { return t < 65 ? 6 : 7; }));
  EXPECT_TRUE(Find(v, "thread_trend").pass()) << Find(v, "thread_trend").detail;
  EXPECT_TRUE(Find(v, "thread_growth").pass()) << Find(v, "thread_growth").detail;
}

TEST(Judge, WarmupIsExcluded) {
  // Threads start up during the first 10 s, then stay flat.
  const Verdict v = Judge(SyntheticRun(60, [](int t) { return t < 10 ? 1 + t : 6; }));
  EXPECT_TRUE(Find(v, "thread_growth").pass()) << Find(v, "thread_growth").detail;
  EXPECT_TRUE(Find(v, "thread_trend").pass());
}

TEST(Judge, LossConcurrencyAndRotationUseTheirBounds) {
  RunData run = SyntheticRun(60, [](int) { return 6; });
  run.loss.captured = 990;
  run.follow_streams_peak = 51;
  run.ages.max_age_s = 12.5;  // rotation 2 s + tolerance 10 s = 12 s
  const Verdict v = Judge(run);
  EXPECT_FALSE(Find(v, "log_loss").pass());
  EXPECT_EQ(Find(v, "log_loss").measured, 10);
  EXPECT_FALSE(Find(v, "concurrency").pass());
  EXPECT_FALSE(Find(v, "rotation").pass());
  EXPECT_EQ(Find(v, "rotation").bound, 12);
}

TEST(Judge, MetricsDisagreeingWithTheFakeFail) {
  RunData run = SyntheticRun(60, [](int) { return 6; });
  for (auto& x : run.samples) x.metric_streams_active = 5;  // the fake sees 19..21
  EXPECT_FALSE(Find(Judge(run), "metrics").pass());
}

TEST(Judge, MetricsAreComparedWithTheStreamsOpenDuringTheScrape) {
  RunData run = SyntheticRun(60, [](int) { return 6; });
  run.samples[30].metric_streams_active = 21;  // the most open during the scrape: right
  const Verdict right = Judge(run);
  EXPECT_TRUE(Find(right, "metrics").pass()) << Find(right, "metrics").detail;
  run.samples[30].metric_streams_active = 22;  // one more than ever open during it: wrong
  const Verdict wrong = Judge(run);
  const auto& m = Find(wrong, "metrics");
  EXPECT_FALSE(m.pass());
  EXPECT_EQ(m.measured, 1);
}

TEST(Judge, ATargetThatDoesNothingFailsCapture) {
  // `--target-cmd 'sleep 600'`: no follow stream, nothing delivered, an
  // empty output.
  RunData run = SyntheticRun(60, [](int) { return 1; });
  run.scenario.target.kind = "command";
  run.scenario.target.command = "sleep 600";
  DeriveBounds(run.scenario);
  run.ages = {};
  run.follow_streams_peak = 0;
  run.delivery.containers_delivered = 0;
  run.delivery.lines_delivered = 0;
  run.delivery.lost_at_source = 1000;
  run.loss = {};
  run.loss.why_not = "no line of the target's output carries the fake's cid/seq stamp";
  for (auto& x : run.samples) {
    x.metric_streams_active.reset();
    x.streams_closed = 0;
  }
  const Verdict v = Judge(run);
  EXPECT_EQ(v.verdict, "fail");
  EXPECT_EQ(ExitCode(v), 1);
  EXPECT_EQ(Find(v, "capture").status, Status::kFail) << Find(v, "capture").detail;
  EXPECT_EQ(Find(v, "delivery").status, Status::kFail);
  EXPECT_EQ(Find(v, "log_loss").status, Status::kInconclusive);
  EXPECT_EQ(Find(v, "rotation").status, Status::kInconclusive);
  EXPECT_EQ(Find(v, "metrics").status, Status::kOff) << "a command exports no log-capturer metrics";
}

// A target whose /metrics exports process_open_fds and
// process_resident_memory_bytes: those are judged with the /proc bounds;
// without a metrics URL, or when no scrape carried them, they are off.
TEST(Judge, ExportedProcessGaugesAreJudgedWhenThereAndOffOtherwise) {
  RunData run = SyntheticRun(70, [](int) { return 6; });
  run.scenario.target.kind = "command";
  run.scenario.target.command = "follower";
  DeriveBounds(run.scenario);
  EXPECT_EQ(Find(Judge(run), "exported_fd_growth").status, Status::kOff) << "no --target-metrics";
  EXPECT_NE(Find(Judge(run), "exported_fd_growth").detail.find("no --target-metrics"), std::string::npos);

  run.scenario.target.metrics_url = "http://127.0.0.1:1/metrics";
  DeriveBounds(run.scenario);
  const Verdict not_exported = Judge(run);
  EXPECT_EQ(Find(not_exported, "exported_fd_growth").status, Status::kOff);
  EXPECT_NE(Find(not_exported, "exported_fd_growth").detail.find("exports no process_open_fds"), std::string::npos)
      << Find(not_exported, "exported_fd_growth").detail;
  EXPECT_EQ(Find(not_exported, "exported_memory_growth").status, Status::kOff);

  for (auto& x : run.samples) {  // flat: 40 fds, 20 MiB
    x.target_open_fds = 40;
    x.target_rss_bytes = 20u << 20;
  }
  const Verdict flat = Judge(run);
  EXPECT_EQ(Find(flat, "exported_fd_growth").status, Status::kPass) << Find(flat, "exported_fd_growth").detail;
  EXPECT_EQ(Find(flat, "exported_memory_growth").status, Status::kPass);

  for (auto& x : run.samples) {  // 6 fds and 3 MiB a minute, seen only by the target's own gauges
    x.target_open_fds = 40 + x.t / 10;
    x.target_rss_bytes = (20u << 20) + static_cast<std::uint64_t>(x.t * (3u << 20) / 60);
  }
  const Verdict leaking = Judge(run);
  EXPECT_EQ(Find(leaking, "exported_fd_growth").status, Status::kFail) << Find(leaking, "exported_fd_growth").detail;
  EXPECT_NEAR(Find(leaking, "exported_fd_growth").measured, 6, 0.5);
  EXPECT_EQ(Find(leaking, "exported_memory_growth").status, Status::kFail);
  EXPECT_EQ(Find(leaking, "fd_growth").status, Status::kPass) << "/proc saw no growth";
  EXPECT_EQ(leaking.verdict, "fail");
}

TEST(Judge, AMultiProcessTargetIsBoundedPerProcess) {
  // Ten `docker logs` processes of 12 threads: 120 together, 12 each.
  RunData run = SyntheticRun(60, [](int) { return 120; });
  for (auto& x : run.samples) {
    x.processes = 10;
    x.threads_max_per_process = 12;
  }
  const Verdict v = Judge(run);
  EXPECT_EQ(Find(v, "threads_baseline").status, Status::kPass) << Find(v, "threads_baseline").detail;
  EXPECT_EQ(Find(v, "threads_baseline").measured, 12);
  for (auto& x : run.samples) x.threads_max_per_process = 150;  // one process too big
  EXPECT_EQ(Find(Judge(run), "threads_baseline").status, Status::kFail);
}

TEST(Judge, WhatCannotBeJudgedIsInconclusiveNeverPassed) {
  RunData run = SyntheticRun(60, [](int) { return 6; });
  run.loss = {};
  run.loss.why_not = "the target's output was not found";
  const Verdict v = Judge(run);
  EXPECT_EQ(Find(v, "log_loss").status, Status::kInconclusive);
  EXPECT_EQ(v.verdict, "inconclusive");
  EXPECT_EQ(ExitCode(v), 3);
  // Switched off in the scenario: off, and the run passes.
  run.scenario.criteria.no_loss = false;
  const Verdict off = Judge(run);
  EXPECT_EQ(Find(off, "log_loss").status, Status::kOff);
  EXPECT_EQ(off.verdict, "pass");
}

TEST(Judge, NoSampleAfterTheWarmupIsInconclusive) {
  RunData run = SyntheticRun(60, [](int) { return 6; });
  run.scenario.warmup = std::chrono::seconds(59);
  const Verdict v = Judge(run);
  EXPECT_EQ(Find(v, "thread_growth").status, Status::kInconclusive);
  EXPECT_EQ(v.verdict, "inconclusive");
}

TEST(Judge, ACutStreamHistoryIsNotJudged) {
  RunData run = SyntheticRun(60, [](int) { return 6; });
  run.truth_end.streams_closed_dropped = 12;
  const Verdict v = Judge(run);
  EXPECT_EQ(Find(v, "rotation").status, Status::kInconclusive);
  EXPECT_EQ(Find(v, "delivery").status, Status::kInconclusive);
  EXPECT_EQ(v.verdict, "inconclusive");
}

TEST(Judge, GrowthFailsOnlyWhenItsIntervalLiesAboveTheBound) {
  // A point estimate above the bound whose CI reaches zero (a few
  // processes coming and going): not shown to grow past the bound.
  RunData noisy = SyntheticRun(40, [](int t) { return 10 + t / 15 + ((t * 7) % 3 < 1 ? 2 : 0); });
  const Verdict v = Judge(noisy);
  const auto& g = Find(v, "thread_growth");
  EXPECT_TRUE(g.pass()) << g.detail;
  EXPECT_GT(g.measured, 2) << "the point estimate must be above the bound for this case to mean anything: " << g.detail;
  EXPECT_TRUE(GrowthAboveBound(2.5, 2.0));
  EXPECT_FALSE(GrowthAboveBound(1.5, 2.0));
  EXPECT_FALSE(GrowthAboveBound(100, std::nullopt));
}

TEST(Judge, GoroutinesAreJudgedWhenTheTargetExportsThem) {
  RunData run = SyntheticRun(120, [](int) { return 6; });
  EXPECT_EQ(Find(Judge(run), "goroutine_growth").status, Status::kOff);
  run.scenario.target.metrics_url = "http://127.0.0.1:{port}/metrics";
  DeriveBounds(run.scenario);
  for (auto& x : run.samples) x.goroutines = 80 + x.t / 2;  // 30 a minute
  const Verdict v = Judge(run);
  EXPECT_EQ(Find(v, "goroutine_growth").status, Status::kFail) << Find(v, "goroutine_growth").detail;
  EXPECT_EQ(Find(v, "goroutines_baseline").status, Status::kFail);  // 80 + 60 > 100
  for (auto& x : run.samples) x.goroutines = 40;
  const Verdict flat = Judge(run);
  EXPECT_EQ(Find(flat, "goroutine_growth").status, Status::kPass);
  EXPECT_EQ(Find(flat, "goroutines_baseline").status, Status::kPass);
  for (auto& x : run.samples) x.goroutines.reset();  // a source given, nothing read
  EXPECT_EQ(Find(Judge(run), "goroutines_baseline").status, Status::kInconclusive);
}

TEST(Judge, RunThatCouldNotBeDoneIsAnError) {
  RunData run;
  run.failure = "fake-dockerd did not start";
  const Verdict v = Judge(run);
  EXPECT_EQ(v.verdict, "error");
  EXPECT_EQ(ExitCode(v), 2);
}

TEST(Judge, NegativeControlPassesOnlyWhenItFailsOnItsCriterion) {
  RunData leaking = SyntheticRun(120, [](int t) { return 6 + t / 2; });
  leaking.scenario.expect_fail = "thread_growth";
  leaking.scenario.expect_also_fail = {"thread_trend"};  // a steady leak is a trend too
  EXPECT_EQ(ExitCode(Judge(leaking)), 0);
  leaking.scenario.expect_fail = "fd_growth";  // fails, but not there
  EXPECT_EQ(ExitCode(Judge(leaking)), 1);
  RunData clean = SyntheticRun(60, [](int) { return 6; });
  clean.scenario.expect_fail = "thread_growth";  // the harness missed a leak
  EXPECT_EQ(ExitCode(Judge(clean)), 1);
  // Failing elsewhere too is not a clean control, unless that is expected.
  leaking.scenario.expect_fail = "thread_growth";
  leaking.follow_streams_peak = 51;
  const Verdict dirty = Judge(leaking);
  EXPECT_EQ(ExitCode(dirty), 1);
  EXPECT_EQ(dirty.unexpected_failures, std::vector<std::string>{"concurrency"});
  leaking.scenario.expect_also_fail = {"thread_trend", "concurrency"};
  EXPECT_EQ(ExitCode(Judge(leaking)), 0);
}

TEST(ResultFiles, JunitHasOneCasePerCriterionAndEscapes) {
  RunData run = SyntheticRun(60, [](int) { return 6; });
  run.scenario.name = "a<b>&\"c\"";
  run.error_lines = 1;
  run.error_examples = {"x error <boom> & more"};
  const Verdict v = Judge(run);
  const auto result = ResultJson(run, v);
  EXPECT_EQ(result["schema_version"], kResultSchemaVersion);
  EXPECT_EQ(result["samples"]["t"].size(), 60u);
  const std::string xml = JunitXml(result);
  std::size_t cases = 0;
  for (std::size_t p = xml.find("<testcase "); p != std::string::npos; p = xml.find("<testcase ", p + 1)) ++cases;
  EXPECT_EQ(cases, v.criteria.size());
  EXPECT_NE(xml.find("a&lt;b&gt;&amp;&quot;c&quot;"), std::string::npos);
  EXPECT_EQ(xml.find("<boom>"), std::string::npos);
  EXPECT_NE(xml.find("<failure"), std::string::npos);
  const std::string md = SummaryMarkdown(result);
  EXPECT_NE(md.find("FAIL"), std::string::npos);
  EXPECT_LT(md.find("`engine_errors`"), md.find("`threads_baseline`")) << "failures come first";
}

TEST(ResultFiles, InconclusiveIsAnErrorInJunitAndItsOwnLineInTheSummary) {
  RunData run = SyntheticRun(60, [](int) { return 6; });
  run.loss = {};
  run.loss.why_not = "no line carries a stamp";
  const auto result = ResultJson(run, Judge(run));
  EXPECT_EQ(result["verdict"], "inconclusive");
  EXPECT_EQ(result["exit_code"], 3);
  const std::string xml = JunitXml(result);
  EXPECT_NE(xml.find("<error type=\"inconclusive\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<skipped"), std::string::npos) << "goroutine criteria are off for log-capturer";
  const std::string md = SummaryMarkdown(result);
  EXPECT_NE(md.find("INCONCLUSIVE"), std::string::npos) << md;
  EXPECT_EQ(md.find("## leakbench: PASS"), std::string::npos);
  for (const auto& c : result["criteria"]) {
    EXPECT_EQ(c["pass"].get<bool>(), c["status"] == "pass") << c["id"];
  }
}

}  // namespace judge_test
}  // namespace leakbench::harness

namespace leakbench::harness {
namespace judge_test {

TEST(ResultFiles, ResultJsonCarriesFittedLinesLagAndRotations) {
  // threads = 10 + t/6 (10 per minute) from the start.
  RunData run = SyntheticRun(70, [](int t) { return 10 + t / 6; });
  run.samples[5].capture_lag_max_s = 0.25;
  run.samples[5].capture_lag_median_s = 0.05;
  run.samples[5].metric_containers_waiting = 3;
  run.ages.rotations = {{1.5, 2.0}, {3.0, 1.9}};
  const nlohmann::json j = ResultJson(run, Judge(run));
  const auto& threads = j.at("figures").at("threads");
  EXPECT_NEAR(threads.at("per_minute").get<double>(), 10, 0.5);
  // The fitted line goes through the data: at t = 60 it says about 20.
  EXPECT_NEAR(threads.at("intercept").get<double>() + threads.at("per_minute").get<double>(), 20, 1.0);
  const auto& samples = j.at("samples");
  EXPECT_EQ(samples.at("capture_lag_max_s").size(), samples.at("t").size());
  EXPECT_EQ(samples.at("capture_lag_max_s")[5], 0.25);
  EXPECT_EQ(samples.at("capture_lag_median_s")[5], 0.05);
  EXPECT_EQ(samples.at("metric_containers_waiting")[5], 3);
  EXPECT_TRUE(samples.at("capture_lag_max_s")[4].is_null());
  run.samples[7].target_open_fds = 31;
  run.samples[7].target_rss_bytes = 1 << 20;
  const nlohmann::json exported = ResultJson(run, Judge(run));
  EXPECT_EQ(exported.at("samples").at("target_open_fds")[7], 31);
  EXPECT_EQ(exported.at("samples").at("target_rss_bytes")[7], 1 << 20);
  EXPECT_TRUE(exported.at("samples").at("target_open_fds")[6].is_null());
  EXPECT_EQ(j.at("rotations").at("total"), 1400);
  EXPECT_EQ(j.at("rotations").at("t"), nlohmann::json({1.5, 3.0}));
  EXPECT_EQ(j.at("rotations").at("age_s"), nlohmann::json({2.0, 1.9}));
}

}  // namespace judge_test
}  // namespace leakbench::harness

namespace leakbench::harness {
namespace judge_test {

nlohmann::json Result(const std::string& verdict, int exit_code, const std::string& loss_status, double loss) {
  return {{"verdict", verdict},
          {"exit_code", exit_code},
          {"criteria",
           {{{"id", "log_loss"}, {"status", loss_status}, {"measured", loss}},
            {{"id", "capture"}, {"status", "pass"}, {"measured", 20}}}}};
}

TEST(Repeat, PassesOnlyWhenEveryRunPassesAndNamesErraticCriteria) {
  const auto pass = Result("pass", 0, "pass", 0);
  const auto all = PoolResults({pass, pass, pass});
  EXPECT_EQ(all["verdict"], "pass");
  EXPECT_EQ(all["exit_code"], 0);
  EXPECT_TRUE(all["repeat"]["erratic"].empty());
  const auto once = PoolResults({pass, Result("fail", 1, "fail", 3), pass});
  EXPECT_EQ(once["verdict"], "fail");
  EXPECT_EQ(once["exit_code"], 1);
  EXPECT_EQ(once["repeat"]["erratic"], nlohmann::json({"log_loss"}));
  EXPECT_EQ(once["repeat"]["shown_run"], 2) << "the failing run is the one shown";
  EXPECT_EQ(once["repeat"]["per_run"][1]["criteria"]["log_loss"]["measured"], 3);
  const auto unsure = PoolResults({pass, Result("inconclusive", 3, "inconclusive", 0)});
  EXPECT_EQ(unsure["verdict"], "inconclusive");
  EXPECT_EQ(unsure["exit_code"], 3);
}

}  // namespace judge_test
}  // namespace leakbench::harness
