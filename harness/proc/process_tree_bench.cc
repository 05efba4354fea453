// Benchmark: one SampleProcessTree of a command target's shape, a shell and
// 40 followers (`sleep`), with and without the run marker (which reads the
// environ of every process outside the tree). Registered in
// leakbench_proc_bench next to BM_ReadProcSampleSelf.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "harness/proc/process_tree.h"

namespace leakbench::harness {
namespace {

constexpr std::size_t kBenchFollowers = 40;
constexpr char kBenchMarker[] = "LEAKBENCH_RUN_DIR=/tmp/leakbench-proc-tree-bench";

// `sh -c 'for i in 1..40; do sleep 600 & done; wait'` in its own process
// group, marked; killed (the whole group) and reaped by the destructor.
class FollowerTree {
 public:
  FollowerTree() {
    std::vector<std::string> env_strings;
    for (char** e = ::environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.emplace_back(kBenchMarker);
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string sh = "/bin/sh", dash_c = "-c",
                script = "i=0; while [ $i -lt " + std::to_string(kBenchFollowers) +
                         " ]; do sleep 600 & i=$((i+1)); done; wait";
    char* argv[] = {sh.data(), dash_c.data(), script.data(), nullptr};
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::execve(argv[0], argv, envp.data());
      ::_exit(127);
    }
  }
  FollowerTree(const FollowerTree&) = delete;
  FollowerTree& operator=(const FollowerTree&) = delete;
  ~FollowerTree() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }

  // Whether all followers are up within 10 s.
  bool WaitReady() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (SampleProcessTree(pid_).processes.size() == kBenchFollowers + 1) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

void BM_SampleProcessTree40(benchmark::State& state) {
  const bool with_marker = state.range(0) != 0;
  FollowerTree tree;
  if (tree.pid() <= 0 || !tree.WaitReady()) {
    state.SkipWithError("the 40 followers did not start");
    return;
  }
  std::size_t scanned = 0;
  for (auto _ : state) {
    ProcessTreeSample s = SampleProcessTree(tree.pid(), with_marker ? kBenchMarker : "");
    if (s.processes.size() != kBenchFollowers + 1) {
      state.SkipWithError(("tree changed: " + std::to_string(s.processes.size()) + " processes").c_str());
      return;
    }
    scanned = s.scanned;
    benchmark::DoNotOptimize(s);
  }
  state.counters["processes"] = static_cast<double>(kBenchFollowers + 1);
  state.counters["listed"] = static_cast<double>(scanned);
}
BENCHMARK(BM_SampleProcessTree40)->Arg(0)->Arg(1)->ArgName("marker")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace leakbench::harness
