// StatusNumber, SplitStatFields, StatCpuTicks, SchedstatRunDelayNs and
// LoadAverages on the text of /proc files.
#include "common/proc/proc_text.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

namespace leakbench::procfs {
namespace proc_text_test {  // named, not anonymous: the unity build joins these files

TEST(ProcText, StatusField) {
  const std::string status = "Name:\tx\nVmRSS:\t  1234 kB\nThreads:\t7\n";
  EXPECT_EQ(StatusNumber(status, "VmRSS:"), 1234u);
  EXPECT_EQ(StatusNumber(status, "Threads:"), 7u);
  EXPECT_EQ(StatusNumber(status, "VmSwap:"), std::nullopt);
  // Keys match whole line starts only, and a value must be a number.
  EXPECT_EQ(StatusNumber("Name:\tThreads: 9\n", "Threads:"), std::nullopt);
  EXPECT_EQ(StatusNumber("Threads:\tmany\n", "Threads:"), std::nullopt);
}

TEST(ProcText, StatCpuTicksSkipsTheCommand) {
  // The command may hold spaces and parentheses; utime and stime are fields 14 and 15.
  const std::string stat = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 30 12 0 0 20 0 1 0 5 100 50";
  EXPECT_EQ(StatCpuTicks(stat), 42u);
  EXPECT_EQ(StatCpuTicks("42 (x) S 1 2"), std::nullopt);
  EXPECT_EQ(StatCpuTicks("no parenthesis"), std::nullopt);
  EXPECT_EQ(StatCpuTicks("42 (x)"), std::nullopt);
}

TEST(ProcText, SplitStatFieldsCountsFromTheLastParenthesis) {
  std::array<std::string_view, 4> fields;
  EXPECT_EQ(SplitStatFields("7 (a) (b) S 1  2\n", fields), 3u);
  EXPECT_EQ(fields[0], "S");
  EXPECT_EQ(fields[1], "1");
  EXPECT_EQ(fields[2], "2");
  EXPECT_EQ(SplitStatFields("7 (x) R 1 2 3 4 5", fields), 4u);  // at most out.size()
  EXPECT_EQ(fields[3], "3");
  EXPECT_EQ(SplitStatFields("no parenthesis", fields), 0u);
}

TEST(ProcText, SchedstatAndLoadavg) {
  EXPECT_EQ(SchedstatRunDelayNs("1234 5678 9\n"), 5678u);
  EXPECT_EQ(SchedstatRunDelayNs("1234"), std::nullopt);
  EXPECT_EQ(LoadAverages("1.00 0.50 0.25 2/300 1234\n"), "1.00 0.50 0.25");
}

}  // namespace proc_text_test
}  // namespace leakbench::procfs
