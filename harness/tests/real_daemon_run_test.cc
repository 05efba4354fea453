// leakbench --daemon real end to end on a private dockerd (label
// real-daemon; skipped with the reason when leakbench says no daemon can be
// started here): scenarios/real-gate.yaml passes for log-capturer with 0
// lost and 0 duplicated against the containers' stored logs, names the
// daemon in result.json, and leaves nothing behind — also when leakbench
// is SIGKILLed mid-run; the never-rotating `docker logs -f` negative
// control fails on the real daemon on exactly the criteria it fails on
// with the fake; with --docker-host, a SIGKILLed leakbench's containers are
// removed from that daemon by its watchdog; across a dockerd restart
// log-capturer loses nothing and a follower that never reopens fails.
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
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

// What a real-daemon run may leave: its daemons, emitters, proxies, dirs;
// scoped to one run (/tmp/leakbench-run.XXXXXX): processes naming it,
// processes in its containers' cgroup (/leakbench-XXXXXX) and mounts under
// it. Another run on this machine (ci/test plays real-gate beside the
// tests, other engineers run theirs) is not this one's leftover.
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

// The children of `pid` that are forked copies of it (same command line):
// leakbench's watchdog.
std::vector<pid_t> ForkedCopiesOf(pid_t pid) {
  auto cmdline = [](const std::string& p) {
    std::ifstream in("/proc/" + p + "/cmdline");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string own = cmdline(std::to_string(pid));
  std::vector<pid_t> copies;
  std::istringstream children(Sh("pgrep -P " + std::to_string(pid)));
  std::string child;
  while (children >> child) {
    if (!own.empty() && cmdline(child) == own) copies.push_back(static_cast<pid_t>(std::stol(child)));
  }
  return copies;
}

// Running: it exists and is not a zombie waiting for its reaper.
bool Alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat(std::istreambuf_iterator<char>(in), {});
  const std::size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
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

  // leakbench on scenarios/<file> into out_/r: its exit code, result and
  // run directory (seen in its children's command lines while it ran, so
  // the leftover check looks at this run only: other real-daemon runs may
  // share the machine); `skip` says why when no daemon could be started.
  struct Ran {
    int exit_code = -1;
    json result;
    std::string run_dir;
    std::string skip;
  };
  Ran RunScenario(const std::string& file) const {
    const std::string scenario = std::string(LEAKBENCH_SOURCE_DIR) + "/scenarios/" + file;
    const std::string out = out_ + "/r";
    const pid_t pid = fork();
    if (pid == 0) {
      execl(LEAKBENCH_PATH, LEAKBENCH_PATH, "--scenario", scenario.c_str(), "--out", out.c_str(), "--no-report",
            "--quiet", static_cast<char*>(nullptr));
      _exit(127);
    }
    Ran ran;
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, WNOHANG) == 0) {
      if (ran.run_dir.empty()) ran.run_dir = RunDirOf(pid);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    ran.result = Result(out);
    if (!ran.result.is_discarded()) {
      const std::string failure = ran.result["run"]["failure"];
      if (failure.rfind("no Docker daemon could be started", 0) == 0) ran.skip = failure;
    }
    return ran;
  }
  std::string out_;
};

TEST_F(RealDaemonRunTest, TheGatePassesAndLeavesNothing) {
  const Ran ran = RunScenario("real-gate.yaml");
  const json& r = ran.result;
  ASSERT_FALSE(r.is_discarded());
  if (!ran.skip.empty()) {
    GTEST_SKIP() << ran.skip;
  }
  EXPECT_EQ(ran.exit_code, 0) << r["criteria"].dump();
  EXPECT_EQ(r["daemon"]["kind"], "real");
  EXPECT_EQ(r["daemon"]["storage_driver"], "vfs");
  // A private dockerd's emitters are stopped from the host, not through a
  // daemon that may be too starved to answer.
  EXPECT_NE(r["daemon"]["notes"].get<std::string>().find("emission stopped by SIGUSR1 to 20 of 20 running containers "
                                                         "from the host (their cgroups), 0 through the API"),
            std::string::npos)
      << r["daemon"]["notes"];
  for (const json& c : r["criteria"]) {
    if (c["id"] == "log_loss" || c["id"] == "delivery") {
      EXPECT_EQ(c["status"], "pass") << c.dump();
    }
  }
  ASSERT_FALSE(ran.run_dir.empty());
  EXPECT_EQ(Leftovers(ran.run_dir), "");
  EXPECT_FALSE(fs::exists(ran.run_dir)) << ran.run_dir;
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
  const Ran ran = RunScenario("real-never-rotates.yaml");
  const json& r = ran.result;
  ASSERT_FALSE(r.is_discarded());
  if (!ran.skip.empty()) {
    GTEST_SKIP() << ran.skip;
  }
  EXPECT_EQ(r["verdict"], "fail");
  EXPECT_EQ(ran.exit_code, 0) << "a negative control that failed where it must exits 0";
  EXPECT_EQ(r["expectation"]["met"], true) << r["expectation"].dump();
  std::set<std::string> failed;
  for (const json& c : r["criteria"]) {
    if (c["status"] == "fail") failed.insert(c["id"].get<std::string>());
  }
  EXPECT_EQ(failed, MustFail(fake)) << r["criteria"].dump();
  ASSERT_FALSE(ran.run_dir.empty());
  EXPECT_EQ(Leftovers(ran.run_dir), "");
  EXPECT_FALSE(fs::exists(ran.run_dir)) << ran.run_dir;
}

// restart_daemon on a private dockerd: log-capturer reconnects and loses
// nothing; a follower that never reopens loses every line written after the
// restart. The second is what shows the restart really broke the streams.
TEST_F(RealDaemonRunTest, ADaemonRestartLosesNothingForLogCapturerAndCatchesAFollowerThatNeverReopens) {
  const Ran ran = RunScenario("real-daemon-restart.yaml");
  const json& r = ran.result;
  ASSERT_FALSE(r.is_discarded());
  if (!ran.skip.empty()) {
    GTEST_SKIP() << ran.skip;
  }
  EXPECT_EQ(ran.exit_code, 0) << r["criteria"].dump();
  EXPECT_EQ(r["daemon"]["restarted_at_s"].size(), 1u) << r["daemon"].dump() << ": dockerd got no new pid";
  for (const json& c : r["criteria"]) {
    if (c["id"] == "log_loss" || c["id"] == "delivery") {
      EXPECT_EQ(c["status"], "pass") << c.dump();
    }
  }
  EXPECT_EQ(Leftovers(ran.run_dir), "");

  const Ran negative = RunScenario("real-daemon-restart-negative.yaml");
  const json& n = negative.result;
  ASSERT_FALSE(n.is_discarded());
  EXPECT_EQ(n["verdict"], "fail");
  EXPECT_EQ(n["expectation"]["met"], true) << n["expectation"].dump();
  std::set<std::string> failed;
  for (const json& c : n["criteria"]) {
    if (c["status"] == "fail") failed.insert(c["id"].get<std::string>());
  }
  EXPECT_EQ(failed, (std::set<std::string>{"log_loss", "delivery", "rotation"})) << n["criteria"].dump();
  EXPECT_EQ(Leftovers(negative.run_dir), "");
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
  // The watchdog removes the directory last (after the processes, cgroups
  // and mounts), while the check above may already hold.
  EXPECT_TRUE(leakbench::testing::Eventually([&] { return !fs::exists(run_dir); }, std::chrono::seconds(30)))
      << run_dir;
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
  const bool created = leakbench::testing::Eventually([&] { return !ours().empty(); }, std::chrono::seconds(90));
  const std::vector<pid_t> watchdogs = ForkedCopiesOf(pid);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(created) << "leakbench created no containers on the daemon";
  ASSERT_EQ(watchdogs.size(), 1u) << "leakbench's watchdog (a forked copy of it) not found";
  const auto killed_with = ours().size();
  // Judged once the watchdog is done: a create leakbench sent before it
  // died can land after a first sweep, and must not outlive the watchdog.
  EXPECT_TRUE(leakbench::testing::Eventually([&] { return !Alive(watchdogs[0]); }, std::chrono::seconds(150)))
      << "the watchdog is still running";
  EXPECT_TRUE(ours().empty()) << ours().size() << " of the killed run's containers are still on the daemon";
  std::cout << "[ figures ] SIGKILLed with " << killed_with << " containers on the --docker-host daemon\n";
  daemon.reset();
  fs::remove_all(dir);
}

}  // namespace real_daemon_run_test
}  // namespace leakbench::harness
