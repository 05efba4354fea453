// The line a run prints on stderr once per sample while it runs (unless --quiet): elapsed, the target's threads, fds and RSS, the follow streams open and those closed so far.
#pragma once

#include <cstdint>
#include <string>

#include "harness/run/run_scenario.h"

namespace leakbench::harness {

// `closed_so_far`: follow streams the daemon (the fake or the proxy) has
// seen closed up to this sample, its /truth `streams_closed_total` (a
// Sample's own streams_closed is only known once the run has ended).
std::string ProgressLine(const std::string& scenario, double total_s, const Sample& x, std::uint64_t closed_so_far);

}  // namespace leakbench::harness
