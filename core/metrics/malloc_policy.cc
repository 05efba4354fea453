#include "core/metrics/malloc_policy.h"

#include <malloc.h>

namespace logcap {

bool FixMallocThresholds() {
  constexpr int kBytes = static_cast<int>(kMallocThresholdBytes);
  const bool mmap_set = ::mallopt(M_MMAP_THRESHOLD, kBytes) == 1;
  const bool trim_set = ::mallopt(M_TRIM_THRESHOLD, kBytes) == 1;
  return mmap_set && trim_set;
}

}  // namespace logcap
