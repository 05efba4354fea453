#include "fakes/bench/proc_sample.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace followload {
namespace proc_sample_test {  // named, not anonymous: the unity build joins these files

TEST(ProcSample, StatusField) {
  const std::string status = "Name:\tx\nVmRSS:\t  1234 kB\nThreads:\t7\n";
  EXPECT_EQ(StatusField(status, "\nVmRSS:"), 1234u);
  EXPECT_EQ(StatusField(status, "\nThreads:"), 7u);
  EXPECT_EQ(StatusField(status, "\nVmSwap:"), 0u);
}

TEST(ProcSample, StatCpuTicksSkipsTheCommand) {
  // The command may hold spaces and parentheses; utime and stime are fields 14 and 15.
  const std::string stat = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 30 12 0 0 20 0 1 0 5 100 50";
  EXPECT_EQ(StatCpuTicks(stat), 42u);
  EXPECT_EQ(StatCpuTicks("42 (x) S 1 2"), std::nullopt);
  EXPECT_EQ(StatCpuTicks("no parenthesis"), std::nullopt);
  EXPECT_EQ(StatCpuTicks("42 (x)"), std::nullopt);
}

TEST(ProcSample, SamplesThisProcess) {
  ProcSample s = SampleProc(static_cast<int>(::getpid()));
  ASSERT_TRUE(s.ok);
  EXPECT_GE(s.threads, 1);
  EXPECT_GT(s.rss_kib, 0u);
  EXPECT_GE(s.fds, 3);
}

TEST(ProcSample, AGoneProcessIsNotOk) {
  EXPECT_FALSE(SampleProc(-5).ok);
  EXPECT_EQ(ReadSmallFile("/proc/self/no-such-file"), std::nullopt);
}

}  // namespace proc_sample_test
}  // namespace followload
