#include "harness/run/progress_line.h"

#include <cstdio>

namespace leakbench::harness {

std::string ProgressLine(const std::string& scenario, double total_s, const Sample& x, std::uint64_t closed_so_far) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s %5.0f/%.0fs  threads %zu  fds %zu  rss %.1f MiB  streams %llu  closed streams %llu",
                scenario.c_str(), x.t, total_s, x.proc.threads, x.proc.fds.total(),
                static_cast<double>(x.proc.rss_bytes) / (1 << 20), static_cast<unsigned long long>(x.streams_open),
                static_cast<unsigned long long>(closed_so_far));
  return buf;
}

}  // namespace leakbench::harness
