// The progress line shows the streams closed so far, from the daemon's
// truth at that sample, not the Sample's streams_closed (filled only once
// the run has ended, so a line built from it read 0 for a whole run).
#include "harness/run/progress_line.h"

#include <gtest/gtest.h>

namespace leakbench::harness {
namespace progress_line_test {

TEST(ProgressLine, ShowsTheStreamsClosedSoFar) {
  Sample x;
  x.t = 402;
  x.proc.threads = 8;
  x.proc.rss_bytes = 16u << 20;
  x.streams_open = 50;
  x.streams_closed = 0;  // not known yet while the run runs
  EXPECT_EQ(ProgressLine("real-soak", 900, x, 51),
            "real-soak   402/900s  threads 8  fds 0  rss 16.0 MiB  streams 50  closed streams 51");
}

}  // namespace progress_line_test
}  // namespace leakbench::harness
