// A command target whose process tree turns over (a process per follow
// stream) is judged on its totals at the tree's usual size: dips that thin
// out over a run are not growth, while memory held by its long-lived process
// and a tree that keeps gaining processes still fail.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "harness/run/judge.h"
#include "harness/run/judge_series.h"

namespace leakbench::harness {
namespace usual_tree_size_test {

// The gate's positive-shell-rotating run that the tree-wide fit called a
// leak (memory_growth 28.25 MiB/min, 95% CI 2.02 .. 72.63): a shell loop per
// container restarts `docker logs -f` every 3 s, and while the loops start
// in step, more samples land between one process ending and the next one
// starting. Samples at 1 Hz from t = 0, warm-up 12 s.
const std::vector<int> kProcesses = {1,  48, 53, 53, 44, 53, 53, 49, 31, 37, 49, 46, 50, 39, 50,
                                     49, 50, 47, 52, 53, 49, 52, 53, 53, 53, 53, 50, 53, 50, 53,
                                     53, 53, 50, 50, 50, 53, 53, 53, 53, 53, 53, 53, 49, 53, 53};
const std::vector<double> kRssMiB = {1.7,   123.9, 303.7, 303.7, 179.1, 322.1, 303.6, 275.0, 109.9,
                                     205.7, 273.4, 243.5, 285.1, 227.9, 274.0, 292.9, 297.6, 236.3,
                                     266.3, 301.9, 272.9, 277.9, 301.5, 300.7, 276.5, 296.7, 293.1,
                                     299.9, 292.2, 300.0, 300.0, 299.7, 292.6, 291.6, 273.6, 301.1,
                                     300.2, 299.5, 299.4, 284.7, 320.0, 298.4, 264.3, 301.1, 301.9};
const std::vector<int> kThreads = {1,   70,  114, 114, 79,  119, 114, 104, 66,  81,  103, 96,  109, 87,  111,
                                   111, 114, 94,  107, 114, 105, 109, 116, 115, 109, 114, 112, 115, 109, 114,
                                   113, 114, 110, 108, 103, 112, 113, 113, 114, 113, 122, 115, 102, 114, 115};
const std::vector<int> kFds = {8,   394, 455, 455, 364, 458, 455, 420, 270, 312, 421, 386, 431, 331, 421,
                               424, 432, 401, 445, 455, 421, 444, 455, 455, 445, 454, 436, 455, 431, 455,
                               455, 455, 431, 431, 428, 455, 455, 455, 455, 454, 458, 455, 420, 455, 455};
const std::vector<int> kClosed = {0,  0,  0,  0,  7,  10, 10, 11, 20,  20,  21,  23,  25,  30,  31,
                                  34, 36, 41, 43, 45, 48, 52, 55, 57,  62,  65,  67,  71,  75,  76,
                                  81, 84, 86, 91, 94, 95, 100, 104, 105, 110, 113, 115, 120, 123, 125};

RunData ShellRotatingRun() {
  RunData run;
  run.completed = true;
  run.scenario.name = "positive-shell-rotating";
  run.scenario.duration = std::chrono::seconds(45);
  run.scenario.warmup = std::chrono::seconds(12);
  run.scenario.target.kind = "command";
  run.scenario.target.command = "rotating-docker-logs.sh 3";
  run.scenario.target.rotation_interval = std::chrono::seconds(3);
  run.scenario.target.max_streams = 10;
  DeriveBounds(run.scenario);
  for (std::size_t i = 0; i < kProcesses.size(); ++i) {
    Sample x;
    x.t = static_cast<double>(i);
    x.proc.ok = true;
    x.processes = static_cast<std::size_t>(kProcesses[i]);
    x.proc.rss_bytes = static_cast<std::uint64_t>(kRssMiB[i] * (1 << 20));
    x.proc.threads = static_cast<std::size_t>(kThreads[i]);
    x.proc.fds.pipe = static_cast<std::size_t>(kFds[i]);
    x.streams_closed = static_cast<std::uint64_t>(kClosed[i]);
    x.streams_opened = x.streams_closed + 10;
    run.samples.push_back(x);
  }
  return run;
}

const CriterionResult& Find(const Verdict& v, const std::string& id) {
  for (const auto& c : v.criteria) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no criterion " + id);
}

TEST(TreeTotals, TurnoverDipsThatThinOutAreNotGrowth) {
  const RunData run = ShellRotatingRun();
  const UsualTreeSize tree = FindUsualTreeSize(run);
  ASSERT_EQ(tree.size, 53u);
  EXPECT_EQ(tree.used, 18u);
  EXPECT_EQ(tree.samples, 33u);
  const Verdict v = Judge(run);
  for (const char* id : {"memory_growth", "thread_growth", "fd_growth", "thread_trend", "fd_trend"}) {
    const CriterionResult& c = Find(v, id);
    EXPECT_EQ(c.status, Status::kPass) << id << ": " << c.detail;
    EXPECT_NE(c.detail.find("usual 53 processes"), std::string::npos) << id << ": " << c.detail;
  }
}

TEST(TreeTotals, MemoryHeldByTheTreeStillFails) {
  // The same turnover, and the long-lived shell holding 0.5 MiB more every
  // second (30 MiB/min): it shows at the usual size too.
  RunData run = ShellRotatingRun();
  for (Sample& x : run.samples) x.proc.rss_bytes += static_cast<std::uint64_t>(x.t * 0.5 * (1 << 20));
  const Verdict v = Judge(run);
  const CriterionResult& c = Find(v, "memory_growth");
  EXPECT_EQ(c.status, Status::kFail) << c.detail;
}

TEST(TreeTotals, ATreeThatKeepsGainingProcessesIsFittedOnEverySample) {
  // One more 30 MiB, 2-thread process every 6 s: no size holds for half of
  // the run, early and late alike.
  RunData run = ShellRotatingRun();
  for (Sample& x : run.samples) {
    const auto extra = static_cast<std::size_t>(x.t / 6);
    x.processes = 20 + extra;
    x.proc.threads = 40 + 2 * extra;
    x.proc.rss_bytes = (200u + 30u * extra) << 20;
  }
  EXPECT_FALSE(FindUsualTreeSize(run).size);
  const Verdict v = Judge(run);
  EXPECT_EQ(Find(v, "memory_growth").status, Status::kFail) << Find(v, "memory_growth").detail;
  EXPECT_EQ(Find(v, "thread_growth").status, Status::kFail) << Find(v, "thread_growth").detail;
  EXPECT_EQ(Find(v, "memory_growth").detail.find("usual"), std::string::npos);
}

TEST(TreeTotals, ASizeSeenOnlyEarlyIsNotUsual) {
  // 53 processes for the first 20 s after the warm-up (more than half of
  // the samples), then 60: one more size is a change, not turnover.
  RunData run = ShellRotatingRun();
  for (Sample& x : run.samples) x.processes = x.t < 32 ? 53u : 60u;
  EXPECT_FALSE(FindUsualTreeSize(run).size);
}

TEST(TreeTotals, OneSizeOrNoneKnownFitsEverySample) {
  RunData run = ShellRotatingRun();
  for (Sample& x : run.samples) x.processes = 53u;
  EXPECT_FALSE(FindUsualTreeSize(run).size);
  for (Sample& x : run.samples) x.processes.reset();
  EXPECT_FALSE(FindUsualTreeSize(run).size);
  EXPECT_EQ(FindUsualTreeSize(run).samples, 0u);
}

}  // namespace usual_tree_size_test
}  // namespace leakbench::harness
