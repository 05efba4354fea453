// The machine's load averages and this process's own CPU time: the context
// a benchmark reads its figures in (follow-load prints both at each end of
// its hold window). Thread-safe.
#pragma once

#include <string>

namespace leakbench {

// The three load averages of /proc/loadavg ("1.00 0.50 0.25"); "" if unreadable.
std::string LoadAverage();

// This process's user + system CPU time so far, in seconds (getrusage).
double SelfCpuSeconds();

}  // namespace leakbench
