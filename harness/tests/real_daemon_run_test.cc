// leakbench --daemon real end to end on a private dockerd (label
// real-daemon; skipped with the reason when leakbench says no daemon can be
// started here): scenarios/real-gate.yaml passes for log-capturer with 0
// lost and 0 duplicated against the containers' stored logs, names the
// daemon in result.json, and leaves nothing behind — also when leakbench
// is SIGKILLed mid-run; the never-rotating `docker logs -f` negative
// control fails on the real daemon on exactly the criteria it fails on
// with the fake; with --docker-host, a SIGKILLed leakbench's containers are
// removed from that daemon by its watchdog.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "fakes/tests/support/polling.h"
#include "harness/run/docker_client.h"
#include "harness/run/private_dockerd.h"
#include "harness/scenario/scenario.h"

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
// Scoped to one run when `run_dir` is given (/tmp/leakbench-run.XXXXXX):
// processes naming it, processes in its containers' cgroup
// (/leakbench-XXXXXX) and mounts under it. Another run on this machine
// (ci/test plays real-gate beside the tests) is not this one's leftover.
std::string Leftovers(const std::string& run_dir = "") {
  if (run_dir.empty()) {
    // The emitter and the proxy by their process name (a compiler's command
    // line naming leakbench-proxy.cc is not a leftover).
    return Sh("pgrep -af 'leakbench-run\\.' | grep -v pgrep; ps -eo pid=,comm= | grep -E ' leakbench-(emitt|proxy)$'; "
              "grep -c 'leakbench-run\\.' /proc/self/mountinfo | grep -v '^0$'");
  }
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
  const std::string cmd = std::string(LEAKBENCH_PATH) + " --scenario " + LEAKBENCH_SOURCE_DIR +
                          "/scenarios/real-gate.yaml --out " + out_ + "/r --no-report --quiet";
  const int status = std::system(cmd.c_str());
  const json r = Result(out_ + "/r");
  ASSERT_FALSE(r.is_discarded());
  const std::string failure = r["run"]["failure"];
  if (failure.rfind("no Docker daemon could be started", 0) == 0) {
    GTEST_SKIP() << failure;
  }
  EXPECT_EQ(WEXITSTATUS(status), 0) << r["criteria"].dump();
  EXPECT_EQ(r["daemon"]["kind"], "real");
  EXPECT_EQ(r["daemon"]["storage_driver"], "vfs");
  for (const json& c : r["criteria"]) {
    if (c["id"] == "log_loss" || c["id"] == "delivery") {
      EXPECT_EQ(c["status"], "pass") << c.dump();
    }
  }
  EXPECT_EQ(Leftovers(), "");
}

// The criteria a negative control must fail on: expect_fail and expect_also_fail.
std::set<std::string> MustFail(const Scenario& s) {
  std::set<std::string> ids(s.expect_also_fail.begin(), s.expect_also_fail.end());
  ids.insert(*s.expect_fail);
  return ids;
}

TEST_F(RealDaemonRunTest, TheDockerLogsNegativeControlFailsOnTheSameCriteriaAsOnTheFake) {
  const std::string dir = std::string(LEAKBENCH_SOURCE_DIR) + "/scenarios/";
  const Scenario fake = LoadScenario(dir + "negative-never-rotates.yaml");
  const Scenario real = LoadScenario(dir + "real-never-rotates.yaml");
  ASSERT_EQ(real.daemon, "real");
  ASSERT_EQ(real.target.command, fake.target.command) << "the same follower";
  ASSERT_EQ(MustFail(real), MustFail(fake));
  const std::string cmd = std::string(LEAKBENCH_PATH) + " --scenario " + dir + "real-never-rotates.yaml --out " +
                          out_ + "/r --no-report --quiet";
  const int status = std::system(cmd.c_str());
  const json r = Result(out_ + "/r");
  ASSERT_FALSE(r.is_discarded());
  const std::string failure = r["run"]["failure"];
  if (failure.rfind("no Docker daemon could be started", 0) == 0) {
    GTEST_SKIP() << failure;
  }
  EXPECT_EQ(r["verdict"], "fail");
  EXPECT_EQ(WEXITSTATUS(status), 0) << "a negative control that failed where it must exits 0";
  EXPECT_EQ(r["expectation"]["met"], true) << r["expectation"].dump();
  std::set<std::string> failed;
  for (const json& c : r["criteria"]) {
    if (c["status"] == "fail") failed.insert(c["id"].get<std::string>());
  }
  EXPECT_EQ(failed, MustFail(fake)) << r["criteria"].dump();
  EXPECT_EQ(Leftovers(), "");
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

TEST_F(RealDaemonRunTest, SigkillWithDockerHostLeavesNoContainerOnThatDaemon) {
  // A daemon leakbench does not own: it stays up, so only the watchdog can
  // remove what the killed run created there.
  char tmpl[] = "/tmp/lbdh.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  std::unique_ptr<PrivateDockerd> daemon;
  try {
    daemon = std::make_unique<PrivateDockerd>(dir + "/d", std::vector<std::string>{});
  } catch (const DaemonUnavailable& e) {
    fs::remove_all(dir);
    GTEST_SKIP() << e.what();
  }
  const DockerClient docker(daemon->socket_path());
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string scenario = std::string(LEAKBENCH_SOURCE_DIR) + "/scenarios/real-gate.yaml";
    execl(LEAKBENCH_PATH, LEAKBENCH_PATH, "--scenario", scenario.c_str(), "--docker-host", daemon->host().c_str(),
          "--no-report", "--quiet", static_cast<char*>(nullptr));
    _exit(127);
  }
  auto ours = [&] { return docker.ListByLabel("leakbench.owner", "leakbench"); };
  const bool created = leakbench::testing::Eventually([&] { return ours().size() >= 5; }, std::chrono::seconds(90));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(created) << "leakbench created no containers on the daemon";
  const auto killed_with = ours().size();
  EXPECT_TRUE(leakbench::testing::Eventually([&] { return ours().empty(); }, std::chrono::seconds(60)))
      << ours().size() << " of the killed run's containers are still on the daemon";
  std::cout << "[ figures ] SIGKILLed with " << killed_with << " containers on the --docker-host daemon\n";
  daemon.reset();
  fs::remove_all(dir);
}

}  // namespace real_daemon_run_test
}  // namespace leakbench::harness
