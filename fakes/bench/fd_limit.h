// Raises RLIMIT_NOFILE to its hard limit and works out how many follow streams fit under it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace followload {

struct FdBudget {
  uint64_t nofile_limit = 0;  // the soft limit in force afterwards
  size_t stream_cap = 0;      // streams that fit, keeping fds for sampling and the control requests
};

// Raises the soft limit to the hard one where it can; says on stderr when
// `streams` do not fit (always) or that they do (unless `quiet`).
FdBudget RaiseFdLimit(size_t streams, bool quiet);

}  // namespace followload
