// Finds every process a run started, even one that left its process group
// and its parent (`setsid cmd &` in a target command): each child of a run
// gets an environment marker, which its descendants inherit, and the sweep
// kills whatever carries it. Used at the end of a run and by the watchdog.
// A process that clears its environment (env -i) escapes it. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace leakbench::harness {

// "LEAKBENCH_RUN_DIR=<dir>": the marker of the run in `run_dir`.
std::string RunMarker(const std::string& run_dir);

// SIGKILLs every process but the caller whose environment holds exactly the
// entry `marker`, again and again until a scan finds none (a dying process
// may have forked) or `limit` passes. Returns how many SIGKILLs it sent.
std::size_t KillMarked(const std::string& marker, std::chrono::milliseconds limit);

}  // namespace leakbench::harness
