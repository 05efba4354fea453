#include "fakes/bench/fd_limit.h"

#include <sys/resource.h>

#include <cstdio>

namespace followload {

FdBudget RaiseFdLimit(size_t streams, bool quiet) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  FdBudget budget;
  budget.nofile_limit = rl.rlim_cur;
  constexpr size_t kReserve = 32;  // stdio, epoll, the control requests, /proc reads
  const size_t need = streams + kReserve;
  budget.stream_cap = streams;
  if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur) {
    budget.stream_cap = rl.rlim_cur > kReserve ? static_cast<size_t>(rl.rlim_cur) - kReserve : 0;
    std::fprintf(stderr,
                 "follow-load: %zu streams need about %zu file descriptors but RLIMIT_NOFILE is %llu (hard limit "
                 "%llu): opening only %zu streams, the rest count as failed. Raise the hard limit (ulimit -Hn "
                 "as root, or nofile in /etc/security/limits.conf) to run the full load.\n",
                 streams, need, static_cast<unsigned long long>(rl.rlim_cur),
                 static_cast<unsigned long long>(rl.rlim_max), budget.stream_cap);
  } else if (!quiet) {
    std::fprintf(stderr, "follow-load: RLIMIT_NOFILE %llu (hard %llu) covers %zu streams\n",
                 static_cast<unsigned long long>(rl.rlim_cur), static_cast<unsigned long long>(rl.rlim_max), streams);
  }
  return budget;
}

}  // namespace followload
