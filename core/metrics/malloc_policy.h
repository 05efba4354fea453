// How this process's malloc (glibc) gives memory back, set once when the
// /metrics endpoint starts. A scrape at 10,000 containers allocates ~20 MiB
// (every series' samples and the whole text) in the civetweb worker's own
// malloc arena and frees it at once. By default glibc then (1) raises its
// mmap threshold to the largest block freed so far, so the next scrapes'
// large buffers come from the arena instead of mmap, and (2) keeps freed
// arena memory mapped: 4 workers kept 82 MiB after 10 scrapes
// (core/bench/metrics_rss.sh). Fixing both thresholds at glibc's defaults
// (128 KiB) and calling malloc_trim(0) after each request (engine_metrics.cc)
// keeps 1 MiB; either alone kept 21 and 40 MiB.
#pragma once

#include <cstddef>

namespace logcap {

// The fixed M_MMAP_THRESHOLD and M_TRIM_THRESHOLD: blocks of this size and
// more are mmapped and unmapped when freed; an arena's free top above it is
// returned to the kernel.
inline constexpr std::size_t kMallocThresholdBytes = 128 * 1024;

// Fixes both thresholds (turns off glibc's dynamic raising of them). Safe to
// call more than once; returns false if mallopt refused.
bool FixMallocThresholds();

}  // namespace logcap
