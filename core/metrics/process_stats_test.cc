// ReadProcessStats / ParseProcStatus / ProcessCollector.
#include "core/metrics/process_stats.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common/unique_fd.h"
#include "core/metrics/process_collector.h"

namespace logcap {
namespace {

TEST(ProcessStatsTest, ParsesStatusText) {
  ProcessStats stats;
  ParseProcStatus(
      "Name:\tlog-capturer\nVmPeak:\t  9000 kB\nVmRSS:\t    1234 kB\nThreads:\t7\nSigQ:\t0/1\n",
      stats);
  EXPECT_EQ(stats.threads, 7);
  EXPECT_EQ(stats.resident_bytes, 1234 * 1024);
}

TEST(ProcessStatsTest, MissingOrMalformedFieldsAreEmpty) {
  ProcessStats stats;
  ParseProcStatus("Name:\tx\nThreads:\tmany\n", stats);
  EXPECT_FALSE(stats.threads.has_value());
  EXPECT_FALSE(stats.resident_bytes.has_value());
}

TEST(ProcessStatsTest, OwnFiguresArePlausible) {
  const ProcessStats stats = ReadProcessStats();
  ASSERT_TRUE(stats.threads && stats.open_fds && stats.resident_bytes);
  EXPECT_GE(*stats.threads, 1);
  EXPECT_GE(*stats.open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GT(*stats.resident_bytes, 0);
}

TEST(ProcessStatsTest, CountsNewFdsAndThreads) {
  // TSan starts its own background thread with the first thread a program
  // creates; let that happen before the baseline.
  std::thread([] {}).join();
  const ProcessStats before = ReadProcessStats();
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  const leakbench::UniqueFd read_end(ends[0]);
  const leakbench::UniqueFd write_end(ends[1]);
  std::atomic<bool> stop{false};
  std::atomic<bool> started{false};
  std::thread thread([&] {
    started = true;
    while (!stop) std::this_thread::yield();
  });
  while (!started) std::this_thread::yield();
  const ProcessStats during = ReadProcessStats();
  stop = true;
  thread.join();
  EXPECT_EQ(*during.open_fds, *before.open_fds + 2);
  EXPECT_EQ(*during.threads, *before.threads + 1);
  // The pid spelling of our own directory counts the same.
  EXPECT_EQ(*ReadProcessStats("/proc/" + std::to_string(::getpid())).open_fds,
            *during.open_fds);
}

TEST(ProcessStatsTest, MissingProcDirGivesNothing) {
  const ProcessStats stats = ReadProcessStats("/nonexistent/proc/1");
  EXPECT_FALSE(stats.threads.has_value());
  EXPECT_FALSE(stats.open_fds.has_value());
  EXPECT_FALSE(stats.resident_bytes.has_value());
  EXPECT_TRUE(ProcessCollector("/nonexistent/proc/1").Collect().empty());
}

TEST(ProcessCollectorTest, OneGaugeFamilyPerFigure) {
  const std::vector<prometheus::MetricFamily> families = ProcessCollector().Collect();
  ASSERT_EQ(families.size(), 3u);
  EXPECT_EQ(families[0].name, "log_capturer_process_threads");
  EXPECT_EQ(families[1].name, "log_capturer_process_open_fds");
  EXPECT_EQ(families[2].name, "log_capturer_process_resident_memory_bytes");
  for (const prometheus::MetricFamily& f : families) {
    EXPECT_EQ(f.type, prometheus::MetricType::Gauge);
    EXPECT_FALSE(f.help.empty());
    ASSERT_EQ(f.metric.size(), 1u);
    EXPECT_GT(f.metric[0].gauge.value, 0);
  }
}

}  // namespace
}  // namespace logcap
