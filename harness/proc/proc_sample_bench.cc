// Benchmark: the cost of one ReadProcSample of this process while it holds
// ~200 open fds (100 pipes). The harness samples once per second, so a
// sample must stay far below 10 ms (1% of a core).
#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include <benchmark/benchmark.h>

#include "common/proc/proc_sample.h"
#include "common/unique_fd.h"

namespace leakbench::harness {
namespace {

void BM_ReadProcSampleSelf(benchmark::State& state) {
  std::vector<UniqueFd> fds;
  for (int i = 0; i < 100; ++i) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
      state.SkipWithError("pipe2 failed");
      return;
    }
    fds.emplace_back(p[0]);
    fds.emplace_back(p[1]);
  }
  const pid_t self = ::getpid();
  std::size_t total_fds = 0;
  for (auto _ : state) {
    ProcSample s = ReadProcSample(self);
    if (!s.ok) {
      state.SkipWithError(s.error.c_str());
      return;
    }
    total_fds = s.fds.total();
    benchmark::DoNotOptimize(s);
  }
  state.counters["fds"] = static_cast<double>(total_fds);
}
BENCHMARK(BM_ReadProcSampleSelf)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace leakbench::harness

BENCHMARK_MAIN();
