// Restarts split a history into segments; an instance is judged per segment
// with the run's judge and combined: flat passes, growth fails, a restart
// to a higher plateau is reported and passes, too little history or a
// missing resource is inconclusive, never a pass.
#include "harness/fleet/fleet_judge.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "harness/fleet/restart_segments.h"
#include "harness/scenario/scenario.h"

namespace fleet_judge_test {

using namespace leakbench::harness;

constexpr double kStart = 1'000'000, kStep = 30, kMiB = 1 << 20;

FleetBounds Bounds() {
  FleetBounds b;
  b.scenario = ParseScenario("name: t\nduration: 6h\nwarmup: 5m\ntarget: {rotation_interval: 5m}\ncriteria: {thread_growth_per_min: 0.1, fd_growth_per_min: 0.2, "
                             "rss_growth_mib_per_min: 0.15, threads_max: 500}\n",
                             "t.yaml");
  b.min_window_s = 1800;
  return b;
}

// Two hours at 30 s: threads/fds/RSS from f(minute), rotations steady.
struct History {
  double hours = 2;
  std::function<double(double)> threads = [](double) { return 20; };
  std::function<double(double)> fds = [](double) { return 50; };
  std::function<double(double)> rss = [](double) { return 60 * kMiB; };
  std::vector<double> restarts_at_min;  // new process_start_time_seconds from here
  bool start_time = true;
  bool rotations_reset = true;
  double first_min = 0;
  bool counters = true;                 // the stream-age histogram and the error counters
  std::vector<double> late_close_at_min;  // a stream closed older than the judged bucket
  std::vector<double> error_at_min;       // an error counted
};

InstanceData Make(const History& h) {
  InstanceData d;
  d.key = "host:9464";
  d.labels = {{"instance", d.key}};
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1);
  double start = kStart - 86400, rotations = 100, closes = 50, late = 1, errors = 4;
  std::size_t next_restart = 0;
  for (double t = kStart; t <= kStart + h.hours * 3600 + 1e-9; t += kStep) {
    const double minute = (t - kStart) / 60;
    if (next_restart < h.restarts_at_min.size() && minute >= h.restarts_at_min[next_restart]) {
      ++next_restart;
      start = t;
      if (h.rotations_reset) rotations = 0;
      closes = late = errors = 0;  // a new process's counters
    }
    rotations += 3;
    closes += 3;
    for (double m : h.late_close_at_min) late += std::fabs(minute - m) < 0.25 ? 1 : 0;
    for (double m : h.error_at_min) errors += std::fabs(minute - m) < 0.25 ? 1 : 0;
    if (minute < h.first_min) continue;
    auto push = [&](Resource r, double v) { d.series[static_cast<std::size_t>(r)].push_back({t, v}); };
    if (h.threads) push(Resource::kThreads, std::round(h.threads(minute)));
    push(Resource::kFds, std::round(h.fds(minute) + noise(rng)));
    push(Resource::kRss, h.rss(minute) + 0.5 * kMiB * noise(rng));
    push(Resource::kRotations, rotations);
    push(Resource::kStreamsActive, 30);
    if (h.start_time) push(Resource::kStartTime, start);
    if (h.counters) {
      push(Resource::kAgeAll, closes + late);
      push(Resource::kAgeWithin, closes);
      push(Resource::kErrors, errors);
    }
  }
  return d;
}

InstanceVerdict JudgeIt(const History& h) {
  return JudgeInstance(Make(h), Bounds(), kStart, kStart + h.hours * 3600, false);
}

const CriterionResult& Criterion(const InstanceVerdict& iv, const std::string& id) {
  for (const auto& c : iv.verdict.criteria) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no criterion " + id);
}

TEST(SplitAtRestartsTest, AStartTimeChangeBeginsASegment) {
  const std::vector<Point> start = {{0, 500}, {30, 500.4}, {60, 500}, {90, 1000}, {120, 1000}};
  const auto s = SplitAtRestarts(start, {}, 0, 120);
  ASSERT_EQ(s.size(), 2u) << "a wobble under a second is the same process";
  EXPECT_DOUBLE_EQ(s[1].from, 90);
  EXPECT_LT(s[0].to, 90);
  EXPECT_EQ(*s[1].process_start, 1000);
  EXPECT_NE(s[1].began.find("process_start_time_seconds 500 -> 1000"), std::string::npos) << s[1].began;
}

TEST(SplitAtRestartsTest, WithoutAStartTimeACounterResetIsARestart) {
  const std::vector<Point> counter = {{0, 10}, {30, 20}, {60, 2}, {90, 9}};
  const auto s = SplitAtRestarts({}, counter, 0, 90);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[1].from, 60);
  EXPECT_FALSE(s[1].process_start.has_value());
  EXPECT_EQ(SplitAtRestarts({{0, 5}, {90, 5}}, counter, 0, 90).size(), 1u) << "a start time, when there, decides";
}

TEST(FleetJudgeTest, AFlatInstancePasses) {
  const InstanceVerdict iv = JudgeIt({});
  EXPECT_EQ(iv.verdict.verdict, "pass");
  EXPECT_EQ(iv.restarts, 0u);
  EXPECT_EQ(Criterion(iv, "log_loss").status, Status::kOff) << "not in Prometheus";
  EXPECT_EQ(Criterion(iv, "concurrency").status, Status::kPass);
}

TEST(FleetJudgeTest, TheDaemonsFdsAreNotInPrometheusEvenWhenBounded) {
  FleetBounds b = Bounds();
  b.scenario.criteria.daemon_fd_growth_per_min = 5;
  const InstanceVerdict iv = JudgeInstance(Make({}), b, kStart, kStart + History{}.hours * 3600, false);
  EXPECT_EQ(Criterion(iv, "daemon_fd_growth").status, Status::kOff) << Criterion(iv, "daemon_fd_growth").detail;
  EXPECT_EQ(iv.verdict.verdict, "pass") << "not inconclusive for want of a daemon sample";
}

TEST(FleetJudgeTest, GrowthFails) {
  History h;
  h.threads = [](double m) { return 20 + 0.5 * m; };
  const InstanceVerdict iv = JudgeIt(h);
  EXPECT_EQ(iv.verdict.verdict, "fail");
  EXPECT_EQ(Criterion(iv, "thread_growth").status, Status::kFail);
  EXPECT_NEAR(Criterion(iv, "thread_growth").measured, 0.5, 0.05);
  EXPECT_GT(iv.severity, 4);
  History r;
  r.rss = [](double m) { return (60 + 0.5 * m) * kMiB; };
  EXPECT_EQ(Criterion(JudgeIt(r), "memory_growth").status, Status::kFail);
}

TEST(FleetJudgeTest, ARestartToAHigherPlateauIsReportedNotALeak) {
  History h;
  h.restarts_at_min = {60};
  h.threads = [](double m) { return m < 60 ? 20 : 50; };
  h.rss = [](double m) { return (m < 60 ? 60 : 150) * kMiB; };
  const InstanceVerdict iv = JudgeIt(h);
  EXPECT_EQ(iv.restarts, 1u);
  ASSERT_EQ(iv.segments.size(), 2u);
  EXPECT_TRUE(iv.segments[0].judged && iv.segments[1].judged);
  EXPECT_EQ(iv.verdict.verdict, "pass") << Criterion(iv, "thread_trend").detail;
  // The same history seen as one process is a step up: Mann-Kendall reads
  // it as a rising trend, which the split segments do not show. (The growth
  // intervals, widened for autocorrelated samples, see a single step and no
  // growth before or after it, and do not fail it either way.)
  History unsplit = h;
  unsplit.start_time = false;
  unsplit.rotations_reset = false;
  const InstanceVerdict whole = JudgeIt(unsplit);
  EXPECT_EQ(whole.restarts, 0u);
  EXPECT_NE(Criterion(whole, "thread_trend").detail.find("direction 1"), std::string::npos)
      << Criterion(whole, "thread_trend").detail;
  EXPECT_EQ(Criterion(iv, "thread_trend").detail.find("direction 1"), std::string::npos)
      << Criterion(iv, "thread_trend").detail;
}

TEST(FleetJudgeTest, ALeakAcrossRestartsStillFails) {
  History h;
  h.restarts_at_min = {60};
  h.start_time = false;  // found by the rotations counter's reset
  h.fds = [](double m) { return 50 + 1.0 * (m < 60 ? m : m - 60); };
  const InstanceVerdict iv = JudgeIt(h);
  EXPECT_EQ(iv.restarts, 1u);
  EXPECT_EQ(iv.verdict.verdict, "fail");
  EXPECT_NE(Criterion(iv, "fd_growth").detail.find("segment "), std::string::npos);
}

TEST(FleetJudgeTest, GrowthInOneSegmentFailsTheInstance) {
  History h;
  h.restarts_at_min = {50};
  h.threads = [](double m) { return m < 50 ? 20 : 20 + 0.5 * (m - 50); };
  const InstanceVerdict iv = JudgeIt(h);
  ASSERT_EQ(iv.segments.size(), 2u);
  EXPECT_EQ(iv.segments[0].verdict.verdict, "pass");
  EXPECT_EQ(iv.segments[1].verdict.verdict, "fail");
  EXPECT_EQ(iv.verdict.verdict, "fail");
  EXPECT_EQ(iv.shown, 1u) << "the figures shown are the failing segment's";
  EXPECT_NE(Criterion(iv, "thread_growth").detail.find("segment 2 of 2"), std::string::npos);
}

TEST(FleetJudgeTest, AShortSegmentAfterARestartIsReportedNotJudged) {
  History h;
  h.restarts_at_min = {105};  // 15 minutes of the new process: too short
  h.threads = [](double m) { return m < 105 ? 20 : 20 + 3 * (m - 105); };
  const InstanceVerdict iv = JudgeIt(h);
  ASSERT_EQ(iv.segments.size(), 2u);
  EXPECT_TRUE(iv.segments[0].judged);
  EXPECT_FALSE(iv.segments[1].judged);
  EXPECT_NE(iv.segments[1].why_not.find("--min-window"), std::string::npos);
  EXPECT_EQ(iv.verdict.verdict, "pass") << "the judged segment decides";
}

TEST(FleetJudgeTest, TooLittleHistoryIsInconclusive) {
  History h;
  h.first_min = 100;  // 20 minutes
  h.threads = [](double m) { return 20 + 5 * m; };
  const InstanceVerdict iv = JudgeIt(h);
  EXPECT_EQ(iv.verdict.verdict, "inconclusive");
  EXPECT_NE(Criterion(iv, "thread_growth").detail.find("--min-window"), std::string::npos);
}

TEST(FleetJudgeTest, AMissingResourceIsInconclusiveNotPassed) {
  History h;
  h.threads = nullptr;
  const InstanceVerdict iv = JudgeIt(h);
  EXPECT_EQ(iv.verdict.verdict, "inconclusive");
  EXPECT_EQ(Criterion(iv, "thread_growth").status, Status::kInconclusive);
  EXPECT_NE(Criterion(iv, "thread_growth").detail.find("go_threads"), std::string::npos);
  EXPECT_EQ(Criterion(iv, "fd_growth").status, Status::kPass);
}

TEST(FleetJudgeTest, AFleetWithNoInstanceIsInconclusiveNeverPassed) {
  EXPECT_EQ(FleetVerdict({}), "inconclusive");
  std::vector<InstanceVerdict> fleet(2);
  fleet[0].verdict.verdict = "pass";
  fleet[1].verdict.verdict = "inconclusive";
  EXPECT_EQ(FleetVerdict(fleet), "inconclusive");
  fleet[1].verdict.verdict = "fail";
  EXPECT_EQ(FleetVerdict(fleet), "fail");
}

// rotation and engine_errors from the counters: the stream-age histogram
// at the bucket above rotation + tolerance (360 s for 5 m + 10 s), and the
// error counters, counted after the warm-up of each segment.
TEST(FleetJudgeCounters, HealthyCountersPass) {
  const auto iv = JudgeIt(History{});
  EXPECT_EQ(Criterion(iv, "rotation").status, Status::kPass) << Criterion(iv, "rotation").detail;
  EXPECT_NE(Criterion(iv, "rotation").detail.find("older than 360 s"), std::string::npos)
      << Criterion(iv, "rotation").detail;
  EXPECT_EQ(Criterion(iv, "engine_errors").status, Status::kPass) << Criterion(iv, "engine_errors").detail;
}

TEST(FleetJudgeCounters, AStreamClosedTooOldFailsRotation) {
  History h;
  h.late_close_at_min = {60};
  const auto iv = JudgeIt(h);
  EXPECT_EQ(Criterion(iv, "rotation").status, Status::kFail) << Criterion(iv, "rotation").detail;
  EXPECT_EQ(Criterion(iv, "rotation").measured, 1);
  EXPECT_EQ(iv.verdict.verdict, "fail");
}

TEST(FleetJudgeCounters, ErrorsFailEngineErrorsButARestartsResetIsNone) {
  History h;
  h.error_at_min = {30, 31};
  const auto iv = JudgeIt(h);
  EXPECT_EQ(Criterion(iv, "engine_errors").status, Status::kFail) << Criterion(iv, "engine_errors").detail;
  EXPECT_EQ(Criterion(iv, "engine_errors").measured, 2);
  History restarted;
  restarted.restarts_at_min = {60};  // every counter starts again from 0
  restarted.late_close_at_min = {62};  // within the new process's warm-up: not judged
  const auto ir = JudgeIt(restarted);
  EXPECT_EQ(ir.restarts, 1u);
  EXPECT_EQ(Criterion(ir, "engine_errors").status, Status::kPass) << Criterion(ir, "engine_errors").detail;
  EXPECT_EQ(Criterion(ir, "rotation").status, Status::kPass) << Criterion(ir, "rotation").detail;
}

TEST(FleetJudgeCounters, ACounterResetNobodySawIsNotANegativeIncrease) {
  History h;
  h.start_time = false;
  h.rotations_reset = false;  // the restart at 60 min splits nothing
  h.restarts_at_min = {60};
  h.late_close_at_min = {90};
  const auto iv = JudgeIt(h);
  EXPECT_EQ(iv.restarts, 0u);
  EXPECT_EQ(Criterion(iv, "rotation").status, Status::kFail) << Criterion(iv, "rotation").detail;
  EXPECT_EQ(Criterion(iv, "rotation").measured, 1);
}

TEST(FleetJudgeCounters, WithoutTheCountersBothAreOffSayingWhy) {
  History h;
  h.counters = false;
  const auto iv = JudgeIt(h);
  EXPECT_EQ(Criterion(iv, "rotation").status, Status::kOff);
  EXPECT_NE(Criterion(iv, "rotation").detail.find("no log_capturer_container_stream_age_seconds"), std::string::npos);
  EXPECT_EQ(Criterion(iv, "engine_errors").status, Status::kOff);
  EXPECT_EQ(iv.verdict.verdict, "pass");
}

TEST(FleetJudgeCounters, ARotationAboveTheTopBucketIsOffSayingWhy) {
  FleetBounds b = Bounds();
  b.scenario.target.rotation_interval = std::chrono::hours(3);
  const auto iv = JudgeInstance(Make(History{}), b, kStart, kStart + 2 * 3600, false);
  EXPECT_EQ(Criterion(iv, "rotation").status, Status::kOff);
  EXPECT_NE(Criterion(iv, "rotation").detail.find("above the top bucket"), std::string::npos)
      << Criterion(iv, "rotation").detail;
}

}  // namespace fleet_judge_test
