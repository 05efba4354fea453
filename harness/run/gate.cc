#include "harness/run/gate.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "harness/run/run_one.h"
#include "harness/run/summary_markdown.h"
#include "harness/scenario/scenario.h"

namespace leakbench::harness {
namespace {

bool HasTag(const Scenario& s, const char* tag) { return std::find(s.tags.begin(), s.tags.end(), tag) != s.tags.end(); }

bool GateInterrupted(const RunOptions& options) {
  return options.interrupted != nullptr && options.interrupted->load();
}

// The gate set: every scenario tagged `gate`, less those of the Go
// followers when they are not built (Debian's golang-go and Go sources:
// ci/setup installs them), which are skipped, said loudly, never counted
// as passed. `skipped` counts them.
std::vector<Scenario> GateSet(const GateOptions& gate, const RunOptions& options, std::size_t& skipped) {
  std::vector<Scenario> gated;
  for (auto& s : LoadScenarioDir(gate.scenarios_dir)) {
    if (HasTag(s, "gate")) gated.push_back(std::move(s));
  }
  if (gated.empty()) throw std::runtime_error("no scenario tagged `gate` in " + gate.scenarios_dir);
  const bool go_built = access((options.go_followers_dir + "/go-follower-naive").c_str(), X_OK) == 0 &&
                        access((options.go_followers_dir + "/go-follower-fixed").c_str(), X_OK) == 0;
  std::erase_if(gated, [&](const Scenario& s) {
    if (go_built || !HasTag(s, "go")) return false;
    std::fprintf(stderr, "leakbench gate: %-34s SKIPPED: the Go followers are not built in %s (apt-get install "
                         "golang-go golang-github-docker-docker-dev golang-github-prometheus-client-golang-dev, "
                         "then rebuild)\n",
                 s.name.c_str(), options.go_followers_dir.c_str());
    ++skipped;
    return true;
  });
  return gated;
}

// Reports once every scenario is judged (the renders would otherwise take
// CPU from the runs being measured): one HTML per scenario when the report
// tool is there, and the Markdown summary of the whole gate, always.
void WriteGateReports(const GateOptions& gate, const std::vector<Scenario>& gated) {
  std::vector<nlohmann::json> results;
  for (const auto& s : gated) {
    const std::string dir = gate.out_dir + "/" + s.name;
    std::ifstream in(dir + "/result.json", std::ios::binary);
    if (!in) continue;
    const nlohmann::json result = nlohmann::json::parse(in, nullptr, false);
    if (result.is_discarded()) {
      std::fprintf(stderr, "leakbench gate: %s/result.json does not parse; left out of the summary\n", dir.c_str());
      continue;
    }
    results.push_back(result);
    if (gate.reports == nullptr) continue;
    const std::string html = RenderHtmlReport(*gate.reports, dir);
    if (!html.empty()) std::fprintf(stderr, "leakbench gate: report %s\n", html.c_str());
  }
  if (results.empty()) return;
  const std::string path = gate.out_dir + "/summary.md";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << RenderSummary(results).markdown;
  if (out.flush()) {
    std::fprintf(stderr, "leakbench gate: summary %s\n", path.c_str());
  } else {
    std::fprintf(stderr, "leakbench gate: cannot write %s\n", path.c_str());
  }
}

}  // namespace

int RunGate(const GateOptions& gate, const RunOptions& options) {
  std::size_t skipped = 0;
  const std::vector<Scenario> gated = GateSet(gate, options, skipped);
  // Scenarios run `jobs` at a time: each measures its own processes, and
  // the gate's followers are light, so a few share 2 cores without
  // changing a verdict. A free worker takes the longest scenario left
  // (longest first keeps one long run from ending the gate alone).
  std::vector<std::size_t> order(gated.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return gated[a].duration > gated[b].duration; });
  std::atomic<int> worst{0};
  std::atomic<std::size_t> next{0};
  std::mutex print;
  const auto started = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (std::size_t k = next++; k < order.size() && !GateInterrupted(options); k = next++) {
      const Scenario& s = gated[order[k]];
      RunOptions quiet_options = options;
      quiet_options.quiet = true;  // several progress lines at once help nobody
      const auto run_started = std::chrono::steady_clock::now();
      const int c = RunOne(s, quiet_options, gate.out_dir.empty() ? "" : gate.out_dir + "/" + s.name, "", true,
                           nullptr, gate.repeat);
      const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_started).count();
      {
        std::lock_guard lock(print);
        std::fprintf(stderr, "leakbench gate: %-34s %-40s %s (%.0f s)\n", s.name.c_str(),
                     s.expect_fail ? ("must fail on " + *s.expect_fail).c_str() : "must pass",
                     c == 0   ? "ok"
                     : c == 1 ? "WRONG VERDICT"
                     : c == 3 ? "WRONG VERDICT (inconclusive: a criterion could not be judged)"
                              : "ERROR (the run could not be done)",
                     took);
      }
      // A gate treats inconclusive as wrong.
      const int code = c == 3 ? 1 : c;
      int seen = worst.load();
      while (code > seen && !worst.compare_exchange_weak(seen, code)) {
      }
    }
  };
  std::vector<std::future<void>> workers;
  for (std::size_t j = 0; j < std::max<std::size_t>(1, gate.jobs); ++j) {
    workers.push_back(std::async(std::launch::async, worker));
  }
  for (auto& w : workers) w.get();
  std::fprintf(stderr, "leakbench gate: %zu scenarios in %.0f s: %s%s\n", gated.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
               worst.load() == 0 ? "every verdict right" : "SOME VERDICT WRONG",
               skipped > 0 ? (" (" + std::to_string(skipped) + " skipped, see above)").c_str() : "");
  if (GateInterrupted(options)) return 2;
  if (!gate.out_dir.empty()) WriteGateReports(gate, gated);
  return worst.load();
}

}  // namespace leakbench::harness
