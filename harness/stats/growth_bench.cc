// Micro-benchmark of the growth statistics: TheilSen (O(n^2) pairwise
// slopes plus selection) and MannKendall on noisy linear series of 1000
// and 10,000 points; the latter are thinned to the default 1000 first.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "harness/stats/growth.h"

namespace {

using leakbench::harness::Point;

std::vector<Point> NoisyLine(std::int64_t n) {
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0, 2);
  std::vector<Point> points;
  for (std::int64_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i);
    points.push_back({t, 0.05 * t + noise(rng)});
  }
  return points;
}

void BM_TheilSen(benchmark::State& state) {
  const auto points = NoisyLine(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(leakbench::harness::TheilSen(points));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TheilSen)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_MannKendall(benchmark::State& state) {
  const auto points = NoisyLine(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(leakbench::harness::MannKendall(points));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MannKendall)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
