// leakbench --daemon real end to end on a private dockerd (label
// real-daemon; skipped with the reason when leakbench says no daemon can be
// started here): scenarios/real-gate.yaml passes for log-capturer with 0
// lost and 0 duplicated against the containers' stored logs, names the
// daemon in result.json, and leaves nothing behind — also when leakbench
// is SIGKILLed mid-run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/tests/support/polling.h"

namespace leakbench::harness {
namespace real_daemon_run_test {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string Sh(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// What a real-daemon run may leave: its daemons, emitters, proxies, dirs.
// Scoped to the run in `run_dir` (/tmp/leakbench-run.XXXXXX): processes
// naming it, processes in its containers' cgroup (/leakbench-XXXXXX) and
// mounts under it. Another run on this machine (the gate beside the tests
// in ci/test, a soak image's leakbench) is not this one's leftover.
std::string Leftovers(const std::string& run_dir) {
  const std::string suffix = run_dir.substr(run_dir.rfind('.') + 1);
  return Sh("pgrep -af '" + run_dir + "' | grep -v pgrep; "
            "grep -l '/leakbench-" + suffix + "' /proc/[0-9]*/cgroup 2>/dev/null | grep -v self; "
            "grep -c '" + run_dir + "' /proc/self/mountinfo | grep -v '^0$'");
}

// The run directory of the leakbench with this pid, from its children's
// command lines (its dockerd and proxy name it); "" until they run.
std::string RunDirOf(pid_t pid) {
  std::string dir = Sh("pgrep -a -P " + std::to_string(pid) +
                       " | grep -o '/tmp/leakbench-run\\.[A-Za-z0-9]*' | head -n 1");
  while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) dir.pop_back();
  return dir;
}

// Runs leakbench with `args` to its end, noting its run directory while it
// runs (so that what is left afterwards is looked for in that run only).
struct Ran {
  int status = 0;
  std::string run_dir;  // "" when it never started a daemon
};
Ran RunToEnd(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(LEAKBENCH_PATH));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    execv(LEAKBENCH_PATH, argv.data());
    _exit(127);
  }
  Ran ran;
  if (pid < 0) return ran;
  while (waitpid(pid, &ran.status, WNOHANG) == 0) {
    if (ran.run_dir.empty()) ran.run_dir = RunDirOf(pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return ran;
}

json Result(const std::string& dir) {
  std::ifstream in(dir + "/result.json");
  return json::parse(in, nullptr, false);
}

class RealDaemonRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/leakbench-real-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    out_ = tmpl;
  }
  void TearDown() override { fs::remove_all(out_); }
  std::string out_;
};

TEST_F(RealDaemonRunTest, TheGatePassesAndLeavesNothing) {
  const Ran ran = RunToEnd({"--scenario", std::string(LEAKBENCH_SOURCE_DIR) + "/scenarios/real-gate.yaml", "--out",
                            out_ + "/r", "--no-report", "--quiet"});
  const json r = Result(out_ + "/r");
  ASSERT_FALSE(r.is_discarded());
  const std::string failure = r["run"]["failure"];
  if (failure.rfind("no Docker daemon could be started", 0) == 0) {
    GTEST_SKIP() << failure;
  }
  EXPECT_EQ(WEXITSTATUS(ran.status), 0) << r["criteria"].dump();
  EXPECT_EQ(r["daemon"]["kind"], "real");
  EXPECT_EQ(r["daemon"]["storage_driver"], "vfs");
  for (const json& c : r["criteria"]) {
    if (c["id"] == "log_loss" || c["id"] == "delivery") {
      EXPECT_EQ(c["status"], "pass") << c.dump();
    }
  }
  ASSERT_FALSE(ran.run_dir.empty()) << "its run directory was never seen on its children's command lines";
  EXPECT_EQ(Leftovers(ran.run_dir), "");
  EXPECT_FALSE(fs::exists(ran.run_dir)) << ran.run_dir;
}

TEST_F(RealDaemonRunTest, SigkillLeavesNoDaemonNoContainerNoDirectory) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string scenario = std::string(LEAKBENCH_SOURCE_DIR) + "/scenarios/real-gate.yaml";
    execl(LEAKBENCH_PATH, LEAKBENCH_PATH, "--scenario", scenario.c_str(), "--no-report", "--quiet",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Until its own containers write (or it gives up: no daemon here).
  std::string run_dir;
  const bool running = leakbench::testing::Eventually(
      [&] {
        if (run_dir.empty()) run_dir = RunDirOf(pid);
        if (run_dir.empty()) return false;
        const std::string suffix = run_dir.substr(run_dir.rfind('.') + 1);
        return !Sh("grep -l '/leakbench-" + suffix + "' /proc/[0-9]*/cgroup 2>/dev/null | head -n 1").empty();
      },
      std::chrono::seconds(90));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  std::cout << "[ figures ] SIGKILLed the leakbench of " << run_dir << " once one of its containers ran; "
            << Sh("grep -l '/leakbench-" + run_dir.substr(run_dir.rfind('.') + 1) +
                  "' /proc/[0-9]*/cgroup 2>/dev/null | wc -l")
            << " processes in its containers' cgroup then\n";
  if (!running) {
    GTEST_SKIP() << "no container started (no Docker daemon here?)";
  }
  EXPECT_TRUE(leakbench::testing::Eventually([&] { return Leftovers(run_dir).empty(); }, std::chrono::seconds(30)))
      << run_dir << ":\n" << Leftovers(run_dir);
  EXPECT_FALSE(fs::exists(run_dir)) << run_dir;
}

}  // namespace real_daemon_run_test
}  // namespace leakbench::harness
