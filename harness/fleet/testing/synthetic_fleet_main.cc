// leakbench_fleet_synth: writes a synthetic fleet history (synthetic_fleet.h) as OpenMetrics for
// `promtool tsdb create-blocks-from openmetrics`, and prints how many instances of each truth it holds.
// Used by harness/bench/fleet_scale.sh.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <map>

#include "harness/fleet/testing/synthetic_fleet.h"

int main(int argc, char** argv) {
  namespace synth = leakbench::harness::testing;
  synth::SyntheticSpec spec;
  std::string out_path;
  double hours = 6;
  CLI::App app{"Writes a synthetic fleet history as OpenMetrics (known leaks, restarts, gaps, noise)"};
  app.add_option("--instances", spec.instances, "Instances (default 300)")->check(CLI::Range(1, 1000000));
  app.add_option("--hours", hours, "History length in hours (default 6)")->check(CLI::Range(0.1, 1000.0));
  app.add_option("--scrape", spec.scrape_s, "Seconds between samples (default 30)")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--start", spec.start, "First sample, Unix seconds (default 1764547200)");
  app.add_option("--seed", spec.seed, "Random seed (default 1)");
  app.add_option("--out", out_path, "The OpenMetrics file to write")->required();
  CLI11_PARSE(app, argc, argv);
  spec.duration_s = hours * 3600;
  std::ofstream out(out_path, std::ios::binary);
  if (!out) {
    std::fprintf(stderr, "leakbench_fleet_synth: cannot write %s\n", out_path.c_str());
    return 2;
  }
  const auto instances = synth::WriteSyntheticFleet(spec, out);
  out.close();
  if (!out) {
    std::fprintf(stderr, "leakbench_fleet_synth: writing %s failed (disk full?)\n", out_path.c_str());
    return 2;
  }
  std::map<std::string, int> truth;
  for (const auto& i : instances) ++truth[synth::TruthName(i.truth)];
  std::printf("%zu instances, %.1f h at %.0f s from %.0f to %.0f:", instances.size(), hours, spec.scrape_s, spec.start,
              spec.start + spec.duration_s);
  for (const auto& [t, n] : truth) std::printf(" %d %s", n, t.c_str());
  std::printf("\n");
  return 0;
}
