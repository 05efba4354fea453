// Tests for ProcessTable: per-process records and per-sample peaks from
// synthetic tree samples (the largest process, not the sum), pid reuse, the
// cap on tracked processes, failed samples.
#include "harness/proc/process_table.h"

#include <gtest/gtest.h>

namespace leakbench::harness {
namespace {

struct FakeProc {
  pid_t pid;
  std::size_t threads;
  std::size_t fds;
  std::uint64_t rss = 0;
  std::uint64_t start = 0;
};

ProcessTreeSample TreeOf(std::initializer_list<FakeProc> procs) {
  ProcessTreeSample s;
  for (const FakeProc& f : procs) {
    ProcessEntry& e = s.processes.emplace_back();
    e.pid = f.pid;
    e.comm = "p" + std::to_string(f.pid);
    e.start_ticks = f.start;
    e.sample.ok = true;
    e.sample.threads = f.threads;
    e.sample.fds.pipe = f.fds;
    e.sample.rss_bytes = f.rss;
    s.total.threads += f.threads;
  }
  s.ok = !s.processes.empty();
  return s;
}

const ProcessRecord* RecordOf(const ProcessTable& table, pid_t pid) {
  for (const ProcessRecord& r : table.records()) {
    if (r.pid == pid) return &r;
  }
  return nullptr;
}

TEST(ProcessTable, KeepsEachProcessAndEachSamplesLargest) {
  ProcessTable table;
  // Ten CLI processes of 12 threads: 120 in sum, 12 per process.
  const ProcessTreeSample many = TreeOf({{10, 12, 5, 100}, {11, 12, 5, 100}, {12, 12, 5, 100}, {13, 12, 5, 100},
                                         {14, 12, 5, 100}, {15, 12, 5, 100}, {16, 12, 5, 100}, {17, 12, 5, 100},
                                         {18, 12, 5, 100}, {19, 12, 5, 100}});
  ASSERT_EQ(many.total.threads, 120u);
  const ProcessPeak first = table.Add(0.0, many);
  EXPECT_EQ(first.processes, 10u);
  EXPECT_EQ(first.threads_max, 12u);
  EXPECT_EQ(first.threads_max_pid, 10);  // the first on a tie
  EXPECT_EQ(first.fds_max, 5u);

  const ProcessPeak second = table.Add(1.0, TreeOf({{10, 3, 40, 900}, {11, 30, 2, 100}, {20, 1, 1, 50}}));
  EXPECT_DOUBLE_EQ(second.t, 1.0);
  EXPECT_EQ(second.processes, 3u);
  EXPECT_EQ(second.threads_max, 30u);
  EXPECT_EQ(second.threads_max_pid, 11);
  EXPECT_EQ(second.fds_max, 40u);
  EXPECT_EQ(second.fds_max_pid, 10);
  EXPECT_EQ(second.rss_max_bytes, 900u);
  EXPECT_EQ(second.rss_max_pid, 10);

  ASSERT_EQ(table.peaks().size(), 2u);
  EXPECT_EQ(table.peaks()[1].threads_max, 30u);
  ASSERT_EQ(table.records().size(), 11u);
  EXPECT_EQ(table.records()[0].pid, 10);  // in order first seen
  EXPECT_EQ(table.records()[10].pid, 20);
  const ProcessRecord* ten = RecordOf(table, 10);
  ASSERT_NE(ten, nullptr);
  EXPECT_EQ(ten->comm, "p10");
  EXPECT_DOUBLE_EQ(ten->first_seen_t, 0.0);
  EXPECT_DOUBLE_EQ(ten->last_seen_t, 1.0);
  EXPECT_EQ(ten->samples, 2u);
  EXPECT_EQ(ten->threads_max, 12u);
  EXPECT_EQ(ten->fds_max, 40u);
  EXPECT_EQ(ten->rss_max_bytes, 900u);
  const ProcessRecord* twelve = RecordOf(table, 12);
  ASSERT_NE(twelve, nullptr);
  EXPECT_DOUBLE_EQ(twelve->last_seen_t, 0.0);
  EXPECT_EQ(twelve->samples, 1u);
  const ProcessRecord* twenty = RecordOf(table, 20);
  ASSERT_NE(twenty, nullptr);
  EXPECT_DOUBLE_EQ(twenty->first_seen_t, 1.0);
  EXPECT_EQ(table.untracked(), 0u);
}

TEST(ProcessTable, AReusedPidIsANewProcess) {
  ProcessTable table;
  table.Add(0, TreeOf({{10, 50, 1, 0, 100}}));
  table.Add(1, TreeOf({{10, 2, 1, 0, 900}}));
  ASSERT_EQ(table.records().size(), 2u);
  EXPECT_EQ(table.records()[0].threads_max, 50u);
  EXPECT_EQ(table.records()[1].threads_max, 2u);
  EXPECT_EQ(table.records()[1].start_ticks, 900u);
  EXPECT_DOUBLE_EQ(table.records()[1].first_seen_t, 1.0);
  table.Add(2, TreeOf({{10, 3, 1, 0, 900}}));
  ASSERT_EQ(table.records().size(), 2u);
  EXPECT_EQ(table.records()[1].samples, 2u);
  EXPECT_EQ(table.records()[1].threads_max, 3u);
}

TEST(ProcessTable, FullTableCountsTheRestButPeaksSeeThem) {
  ProcessTable table(2);
  EXPECT_EQ(table.max_tracked(), 2u);
  for (int i = 0; i < 3; ++i) {
    const ProcessPeak peak = table.Add(i, TreeOf({{10, 1, 1}, {11, 1, 1}, {12, 99, 77}}));
    EXPECT_EQ(peak.processes, 3u);
    EXPECT_EQ(peak.threads_max, 99u);  // the untracked process still counts
    EXPECT_EQ(peak.threads_max_pid, 12);
    EXPECT_EQ(peak.fds_max, 77u);
  }
  EXPECT_EQ(table.records().size(), 2u);
  EXPECT_EQ(table.untracked(), 1u);  // once, not once per sample
  table.Add(3, TreeOf({{10, 1, 1}, {13, 1, 1}, {14, 1, 1}}));
  EXPECT_EQ(table.untracked(), 3u);
  EXPECT_EQ(RecordOf(table, 12), nullptr);
}

TEST(ProcessTable, FailedSampleHasNoProcess) {
  ProcessTable table;
  table.Add(0, TreeOf({{10, 4, 4}}));
  ProcessTreeSample failed;
  failed.error = "no process left";
  const ProcessPeak peak = table.Add(1, failed);
  EXPECT_EQ(peak.processes, 0u);
  EXPECT_EQ(peak.threads_max, 0u);
  EXPECT_EQ(peak.threads_max_pid, 0);
  EXPECT_EQ(table.peaks().size(), 2u);
  ASSERT_EQ(table.records().size(), 1u);
  EXPECT_DOUBLE_EQ(table.records()[0].last_seen_t, 0.0);
}

}  // namespace
}  // namespace leakbench::harness
