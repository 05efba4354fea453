// The leakbench binary as a child process: bad command lines exit 2;
// SIGKILL and SIGINT of leakbench leave no child process and no run
// directory behind (the watchdog and the normal stop path); --target-cmd
// runs the docker CLI as the follower and judges its output for loss; the
// report tool: a run renders report.html, `leakbench report` and `compare`
// run reports/leakbench-report, and say how to get it when it is missing.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/child_process.h"

namespace leakbench::harness {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kLeakbench = LEAKBENCH_PATH;
const std::string kSource = LEAKBENCH_SOURCE_DIR;

// Debian's python3 with what reports/ needs (ci/setup installs it).
bool ReportToolUsable() {
  return std::system("/usr/bin/python3 -c 'import matplotlib, numpy' >/dev/null 2>&1") == 0;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Direct children of `pid` (from /proc/*/stat).
std::set<pid_t> ChildrenOf(pid_t pid) {
  std::set<pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    const std::string stat = Slurp("/proc/" + name + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream f(stat.substr(close + 2));
    std::string state;
    long ppid = 0;
    f >> state >> ppid;
    if (ppid == pid && state != "Z") out.insert(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

bool Alive(pid_t pid) {
  const std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return false;
  const auto close = stat.rfind(')');
  return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

// The run directory of a leakbench whose children are `children`: the
// parent of fake-dockerd's --socket (other tests may run leakbench at the
// same time, so "a new directory in /tmp" would not do).
std::string RunDirOf(const std::set<pid_t>& children) {
  for (pid_t c : children) {
    const std::string cmdline = Slurp("/proc/" + std::to_string(c) + "/cmdline");
    std::vector<std::string> args;
    std::string arg;
    for (char ch : cmdline) {
      if (ch == '\0') {
        args.push_back(arg);
        arg.clear();
      } else {
        arg += ch;
      }
    }
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == "--socket") return fs::path(args[i + 1]).parent_path();
    }
  }
  return "";
}

template <typename Pred>
bool Within(std::chrono::milliseconds limit, Pred pred) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

struct Started {
  std::unique_ptr<ChildProcess> leakbench;
  std::set<pid_t> children;  // fake-dockerd, log-capturer, the watchdog
  std::set<pid_t> grandchildren;
  std::string run_dir;
};

Started StartLong(const std::string& dir) {
  Started s;
  s.leakbench = std::make_unique<ChildProcess>(
      std::vector<std::string>{kLeakbench, "--containers", "5", "--duration", "60s", "--warmup", "5s",
                               "--rotation-interval", "1s", "--quiet"},
      dir + "/out", dir + "/err");
  const pid_t pid = s.leakbench->pid();
  // The watchdog, fake-dockerd and log-capturer.
  Within(10s, [&] { return ChildrenOf(pid).size() >= 3; });
  s.children = ChildrenOf(pid);
  for (pid_t c : s.children) {
    for (pid_t g : ChildrenOf(c)) s.grandchildren.insert(g);
  }
  s.run_dir = RunDirOf(s.children);
  return s;
}

class LeakbenchProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lbproc.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(LeakbenchProcess, BadCommandLinesExitTwo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--containers", "0"}, {"--duration", "banana"},
        {"--scenario", "/nonexistent.yaml"}, {"--duration", "1m", "--warmup", "5m"}, {"--no-such-flag"}}) {
    std::vector<std::string> argv{kLeakbench};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess p(argv, dir_ + "/o", dir_ + "/e");
    ASSERT_TRUE(Within(10s, [&] { return p.Poll().has_value(); }));
    EXPECT_EQ(p.Poll()->code, 2) << args[0] << ": " << Slurp(dir_ + "/e");
    EXPECT_FALSE(Slurp(dir_ + "/e").empty()) << args[0];
  }
}

// Runs leakbench with `args` to its end (bounded); returns its exit code
// and sets *err to what it printed on stderr.
int RunToEnd(const std::string& dir, const std::vector<std::string>& args, std::string* err,
             std::chrono::seconds limit = 30s) {
  std::vector<std::string> argv{kLeakbench};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, dir + "/o", dir + "/e");
  if (!Within(limit, [&] { return p.Poll().has_value(); })) return -1;
  *err = Slurp(dir + "/e");
  return p.Poll()->code;
}

// Bad input of any kind: exit 2, one line on stderr naming the problem, and
// nothing started (each case must fail before the fake starts).
TEST_F(LeakbenchProcess, BadInputExitsTwoWithOneClearLine) {
  std::ofstream(dir_ + "/bad-fault.yaml") << "name: x\nfake: {faults: [{kind: boom}]}\n";
  std::ofstream(dir_ + "/bad-action.yaml") << "name: x\nfake:\n  timeline:\n    - {at: 1s, action: {action: explode}}\n";
  std::ofstream(dir_ + "/fast-sampling.yaml") << "name: x\nduration: 1m\nsample_interval: 5ms\n";
  std::ofstream(dir_ + "/a-file") << "x";
  struct Case {
    std::vector<std::string> args;
    std::string want;
  };
  const std::string long_value(300, '7');
  const Case cases[] = {
      {{"--duration", "99999999999h"}, "--duration: '99999999999h' is not a duration"},
      {{"--duration", "9000h"}, "--duration: '9000h' is out of range (accepted: more than 0s, at most 8760h"},
      {{"--duration", long_value + "h"}, "--duration: '" + long_value.substr(0, 200) + "...'"},
      {{"--rotation-interval", "0"}, "--rotation-interval: '0' is out of range"},
      {{"--rate", "nan"}, "--rate: 'nan' is not a finite number"},
      {{"--out", "/proc/leakbench-no-such-dir"}, "--out /proc/leakbench-no-such-dir: cannot create the directory"},
      {{"--out", dir_ + "/a-file"}, "--out " + dir_ + "/a-file: exists and is not a directory"},
      {{"--junit", "/proc/leakbench-no-such-dir/j.xml"}, "--junit (its directory) /proc/leakbench-no-such-dir"},
      {{"--junit", dir_}, "--junit " + dir_ + ": is a directory"},
      {{"--keep-run-dir", "/proc/leakbench-no-such-dir"}, "--keep-run-dir /proc/leakbench-no-such-dir: cannot create"},
      {{"--scenario", dir_ + "/bad-fault.yaml"}, dir_ + "/bad-fault.yaml:2:17: fake.faults[0]: unknown fault kind 'boom'"},
      {{"--scenario", dir_ + "/bad-action.yaml"},
       dir_ + "/bad-action.yaml:4:24: fake.timeline[0].action: unknown action \"explode\""},
      {{"--scenario", dir_ + "/fast-sampling.yaml"}, "sample_interval: must be at least 10ms"},
  };
  for (const Case& c : cases) {
    std::string err;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(RunToEnd(dir_, c.args, &err), 2) << c.args[0] << ": " << err;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << c.args[0] << ": refused only after a run";
    EXPECT_NE(err.find(c.want), std::string::npos) << "expected '" << c.want << "' in: " << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << "one line, not:\n" << err;
  }
}

// Two runs into one --out directory: the second refuses, naming the first.
TEST_F(LeakbenchProcess, SecondRunIntoTheSameOutDirectoryIsRefused) {
  const std::string out = dir_ + "/result";
  ChildProcess first({kLeakbench, "--containers", "2", "--duration", "60s", "--warmup", "5s", "--quiet", "--no-report",
                      "--target-cmd", "sleep 600", "--out", out},
                     dir_ + "/out1", dir_ + "/err1");
  // The lock is taken before anything starts; its file names the holder.
  ASSERT_TRUE(Within(10s, [&] { return Slurp(out + "/.leakbench.lock") == std::to_string(first.pid()) + "\n"; }))
      << Slurp(dir_ + "/err1");
  std::string err;
  EXPECT_EQ(RunToEnd(dir_, {"--containers", "1", "--duration", "5s", "--warmup", "1s", "--out", out}, &err), 2) << err;
  EXPECT_NE(err.find("--out " + out + ": another leakbench (pid " + std::to_string(first.pid()) + ") is writing there"),
            std::string::npos)
      << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_FALSE(first.Poll().has_value()) << "the first run goes on";
}

// Processes (not zombies) whose command line is exactly `argv`.
std::set<pid_t> ProcessesRunning(const std::vector<std::string>& argv) {
  std::string want;
  for (const auto& a : argv) want += a + '\0';
  std::set<pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (Slurp("/proc/" + name + "/cmdline") == want && Alive(pid)) out.insert(pid);
  }
  return out;
}

// A unique `sleep` for one test, so concurrent tests cannot be confused.
std::string UniqueSleep() { return std::to_string(600 + getpid() % 100000) + ".5"; }

// `setsid cmd &` leaves the target's process group and parent: the run's end
// still kills it.
TEST_F(LeakbenchProcess, SetsidGrandchildOfTheTargetIsKilledAtTheEnd) {
  const std::string secs = UniqueSleep();
  std::string err;
  const int code = RunToEnd(dir_, {"--containers", "1", "--duration", "3s", "--warmup", "1s", "--quiet", "--no-report",
                                   "--target-cmd", "setsid sleep " + secs + " & exec sleep 600"},
                            &err, 60s);
  EXPECT_TRUE(code == 0 || code == 1) << "the run itself must complete (the verdict does not matter): " << code << err;
  EXPECT_TRUE(Within(5s, [&] { return ProcessesRunning({"sleep", secs}).empty(); }))
      << "the setsid grandchild outlived the run: " << ProcessesRunning({"sleep", secs}).size();
}

// The same when leakbench itself is SIGKILLed: the watchdog finds it.
TEST_F(LeakbenchProcess, SetsidGrandchildOfTheTargetIsKilledByTheWatchdog) {
  const std::string secs = UniqueSleep();
  ChildProcess p({kLeakbench, "--containers", "1", "--duration", "60s", "--warmup", "1s", "--quiet", "--no-report",
                  "--target-cmd", "setsid sleep " + secs + " & exec sleep 600"},
                 dir_ + "/out", dir_ + "/err");
  ASSERT_TRUE(Within(15s, [&] { return !ProcessesRunning({"sleep", secs}).empty(); })) << Slurp(dir_ + "/err");
  kill(p.pid(), SIGKILL);
  EXPECT_TRUE(Within(10s, [&] { return ProcessesRunning({"sleep", secs}).empty(); }))
      << "the setsid grandchild outlived a SIGKILLed leakbench";
}

TEST_F(LeakbenchProcess, SigkillLeavesNoChildAndNoRunDirectory) {
  Started s = StartLong(dir_);
  ASSERT_GE(s.children.size(), 3u) << Slurp(dir_ + "/err");
  ASSERT_FALSE(s.run_dir.empty());
  ASSERT_TRUE(fs::exists(s.run_dir));
  kill(s.leakbench->pid(), SIGKILL);
  EXPECT_TRUE(Within(10s, [&] {
    for (pid_t c : s.children) {
      if (Alive(c)) return false;
    }
    for (pid_t g : s.grandchildren) {
      if (Alive(g)) return false;
    }
    return true;
  })) << "children left running after SIGKILL";
  EXPECT_TRUE(Within(10s, [&] { return !fs::exists(s.run_dir); })) << s.run_dir;
}

TEST_F(LeakbenchProcess, SigintStopsEverythingAndExitsTwo) {
  Started s = StartLong(dir_);
  ASSERT_GE(s.children.size(), 3u) << Slurp(dir_ + "/err");
  kill(s.leakbench->pid(), SIGINT);
  ASSERT_TRUE(Within(15s, [&] { return s.leakbench->Poll().has_value(); }));
  EXPECT_EQ(s.leakbench->Poll()->code, 2);
  EXPECT_NE(Slurp(dir_ + "/err").find("interrupted"), std::string::npos) << Slurp(dir_ + "/err");
  EXPECT_TRUE(Within(10s, [&] {
    for (pid_t c : s.children) {
      if (Alive(c)) return false;
    }
    return true;
  }));
  ASSERT_FALSE(s.run_dir.empty());
  EXPECT_FALSE(fs::exists(s.run_dir)) << s.run_dir;
}

// The docker CLI as the follower: its output (raw lines) is judged for loss.
TEST_F(LeakbenchProcess, TargetCmdRunsTheDockerCli) {
  if (access("/usr/bin/docker", X_OK) != 0 && access("/usr/local/bin/docker", X_OK) != 0) {
    GTEST_SKIP() << "no docker CLI here (apt-get install docker.io)";
  }
  ChildProcess p({kLeakbench, "--containers", "1", "--rate", "20", "--duration", "12s", "--warmup", "4s",
                  "--rotation-interval", "30s", "--target-cmd", "docker logs -f $(docker ps -q)", "--quiet", "--out",
                  dir_ + "/result"},
                 dir_ + "/out", dir_ + "/err");
  ASSERT_TRUE(Within(60s, [&] { return p.Poll().has_value(); }));
  EXPECT_EQ(p.Poll()->code, 0) << Slurp(dir_ + "/out") << Slurp(dir_ + "/err")
                               << Slurp(dir_ + "/result/summary.md");
  const auto result = nlohmann::json::parse(Slurp(dir_ + "/result/result.json"));
  bool loss_judged = false;
  for (const auto& c : result["criteria"]) {
    if (c["id"] == "log_loss") {
      loss_judged = c["judged"].get<bool>();
      EXPECT_TRUE(c["pass"].get<bool>()) << c.dump();
    }
  }
  EXPECT_TRUE(loss_judged) << "the docker CLI's output carries the fake's stamps";
  EXPECT_TRUE(fs::exists(dir_ + "/result/junit.xml"));
  EXPECT_TRUE(fs::exists(dir_ + "/result/summary.md"));
  if (ReportToolUsable()) {
    EXPECT_NE(Slurp(dir_ + "/result/report.html").find("<img"), std::string::npos) << Slurp(dir_ + "/err");
  } else {
    EXPECT_NE(Slurp(dir_ + "/err").find("no HTML report"), std::string::npos) << Slurp(dir_ + "/err");
  }
}

TEST_F(LeakbenchProcess, ReportAndCompareSayHowToGetAMissingTool) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"report", "html", "x.json"},
        {"compare", kSource + "/scenarios/gate-steady.yaml", kSource + "/scenarios/gate-churn.yaml"}}) {
    std::vector<std::string> argv{kLeakbench};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess p(argv, dir_ + "/o", dir_ + "/e", {"LEAKBENCH_REPORTS_DIR=" + dir_ + "/nowhere"});
    ASSERT_TRUE(Within(30s, [&] { return p.Poll().has_value(); }));
    EXPECT_EQ(p.Poll()->code, 2) << args[0];
    EXPECT_NE(Slurp(dir_ + "/e").find("--reports-dir"), std::string::npos) << Slurp(dir_ + "/e");
  }
}

TEST_F(LeakbenchProcess, ReportRendersARealResult) {
  if (!ReportToolUsable()) GTEST_SKIP() << "needs Debian's python3-matplotlib (ci/setup installs it)";
  const std::string fixture = kSource + "/reports/tests/data/gate-v2/gate-steady.json";
  ASSERT_TRUE(fs::exists(fixture));
  ChildProcess p({kLeakbench, "report", "html", fixture, "-o", dir_ + "/r.html"}, dir_ + "/o", dir_ + "/e");
  ASSERT_TRUE(Within(120s, [&] { return p.Poll().has_value(); }));
  EXPECT_EQ(p.Poll()->code, 0) << Slurp(dir_ + "/e");
  EXPECT_NE(Slurp(dir_ + "/r.html").find("gate-steady"), std::string::npos);
}

}  // namespace
}  // namespace leakbench::harness

namespace leakbench::harness {
namespace {

// The criteria of a finished run, by id.
std::map<std::string, nlohmann::json> Criteria(const std::string& result_json) {
  std::map<std::string, nlohmann::json> out;
  const nlohmann::json result = nlohmann::json::parse(Slurp(result_json));
  for (const auto& c : result["criteria"]) out[c["id"].get<std::string>()] = c;
  return out;
}

// A follower that does nothing cannot pass: no follow stream, nothing
// captured while containers logged.
TEST_F(LeakbenchProcess, AFollowerThatDoesNothingFailsCapture) {
  std::string err;
  const int code = RunToEnd(dir_, {"--containers", "5", "--duration", "6s", "--warmup", "2s", "--quiet", "--no-report",
                                   "--target-cmd", "exec sleep 600", "--out", dir_ + "/r"},
                            &err, 60s);
  EXPECT_EQ(code, 1) << err << Slurp(dir_ + "/r/summary.md");
  auto c = Criteria(dir_ + "/r/result.json");
  EXPECT_EQ(c["capture"]["status"], "fail") << c["capture"].dump();
  EXPECT_EQ(c["delivery"]["status"], "fail");
  EXPECT_EQ(c["log_loss"]["status"], "inconclusive") << "no output to judge is not a pass";
}

// A command target's TMPDIR lies inside the run directory, so whatever it
// leaves there (killed before its own clean-up) goes with the run.
TEST_F(LeakbenchProcess, WhatTheTargetLeavesInTmpdirGoesWithTheRun) {
  const std::string note = dir_ + "/tmpdir-of-target";
  std::string err;
  RunToEnd(dir_, {"--containers", "1", "--duration", "3s", "--warmup", "1s", "--quiet", "--no-report", "--target-cmd",
                  "d=$(mktemp -d) && touch \"$d/left-behind\" && echo \"$d\" > " + note + " && exec sleep 600",
                  "--out", dir_ + "/r"},
           &err, 60s);
  std::string left = Slurp(note);
  ASSERT_FALSE(left.empty()) << "the target did not run: " << err;
  left.erase(left.find_last_not_of('\n') + 1);
  EXPECT_NE(left.find("/leakbench-run."), std::string::npos) << left << " is not inside the run directory";
  EXPECT_FALSE(std::filesystem::exists(left)) << left << " was left behind";
}

// `leakbench gate`: every scenario tagged gate is run and must get the
// verdict it expects; the longest starts first; a follower that does
// nothing where a pass is expected is a wrong verdict (exit 1).
TEST_F(LeakbenchProcess, GateJudgesExpectedVerdictsLongestFirst) {
  const std::string set = dir_ + "/set";
  fs::create_directories(set);
  auto scenario = [&](const std::string& name, const std::string& duration, const std::string& extra,
                      const std::string& tag = "gate") {
    std::ofstream(set + "/" + name + ".yaml")
        << "name: " << name << "\ntags: [" << tag << "]\nduration: " << duration << "\nwarmup: 1s\n"
        << "fake:\n  containers: 3\n  rate: 5\n" << extra;
  };
  // Growth is not judged on 3 s (start-up heap): this is about the gate.
  const std::string no_growth =
      "criteria: {thread_growth_per_min: off, fd_growth_per_min: off, rss_growth_mib_per_min: off,\n"
      "  thread_growth_per_1000_rotations: off, fd_growth_per_1000_rotations: off,\n"
      "  rss_growth_mib_per_1000_rotations: off, no_continuous_trend: false}\n";
  scenario("a-short-pass", "4s", "target:\n  kind: log-capturer\n  rotation_interval: 1s\n" + no_growth);
  scenario("long-idle-must-fail", "6s",
           "expect_fail: capture\nexpect_also_fail: [delivery, log_loss, rotation, concurrency]\n"
           "target:\n  kind: command\n  command: exec sleep 600\n");
  scenario("not-a-gate-scenario", "4s", "target:\n  kind: command\n  command: exec sleep 600\n", "other");
  std::string err;
  int code = RunToEnd(dir_, {"gate", "--scenarios-dir", set, "--jobs", "1", "--no-report"}, &err, 90s);
  EXPECT_EQ(code, 0) << err;
  const auto long_at = err.find("leakbench gate: long-idle-must-fail");
  const auto short_at = err.find("leakbench gate: a-short-pass");
  ASSERT_NE(long_at, std::string::npos) << err;
  ASSERT_NE(short_at, std::string::npos) << err;
  EXPECT_LT(long_at, short_at) << "the 6 s scenario should run before the 4 s one with one job:\n" << err;
  EXPECT_EQ(err.find("not-a-gate-scenario"), std::string::npos) << err;
  EXPECT_NE(err.find("2 scenarios in"), std::string::npos) << err;

  // The idle follower where a pass is expected: a wrong verdict.
  fs::remove(set + "/long-idle-must-fail.yaml");
  scenario("idle-must-pass", "4s", "target:\n  kind: command\n  command: exec sleep 600\n");
  code = RunToEnd(dir_, {"gate", "--scenarios-dir", set, "--jobs", "2", "--no-report"}, &err, 90s);
  EXPECT_EQ(code, 1) << err;
  EXPECT_NE(err.find("idle-must-pass"), std::string::npos);
  EXPECT_NE(err.find("WRONG VERDICT"), std::string::npos) << err;
  EXPECT_NE(err.find("SOME VERDICT WRONG"), std::string::npos) << err;
}

// target.output: loki. log-capturer ships to leakbench's own Loki endpoint
// and is judged exactly-once on what arrived there.
TEST_F(LeakbenchProcess, AFollowerShippingToLokiIsJudgedOnWhatArrived) {
  std::string err;
  RunToEnd(dir_, {"--containers", "5", "--duration", "6s", "--warmup", "2s", "--quiet", "--no-report",
                  "--rotation-interval", "1s", "--target-output", "loki", "--out", dir_ + "/r"},
           &err, 60s);
  const nlohmann::json result = nlohmann::json::parse(Slurp(dir_ + "/r/result.json"));
  auto c = Criteria(dir_ + "/r/result.json");
  EXPECT_EQ(c["log_loss"]["status"], "pass") << c["log_loss"].dump() << err;
  EXPECT_EQ(result["scenario"]["output"], "loki");
  ASSERT_TRUE(result.contains("loki_output")) << result.dump().substr(0, 2000);
  const auto& loki = result["loki_output"];
  EXPECT_GT(loki["pushes"].get<int>(), 0);
  EXPECT_EQ(loki["rejected"], 0);
  EXPECT_GT(result["figures"]["lines_captured"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(loki["lines"].get<std::uint64_t>(), result["figures"]["lines_captured"].get<std::uint64_t>())
      << "every line pushed is a line captured";
}

// A follower pushing what leakbench's JSON-only endpoint cannot read gets a
// clear error (engine_errors), not a silent loss.
TEST_F(LeakbenchProcess, AProtobufPushToTheLokiOutputIsAnError) {
  const std::string push =
      "exec /usr/bin/python3 -c \"import urllib.request as u, time; "
      "r = u.Request('{loki}/loki/api/v1/push', data=b'x', headers={'Content-Type': 'application/x-protobuf'}); "
      "exec('try: u.urlopen(r)\\nexcept Exception: pass'); time.sleep(600)\"";
  std::string err;
  const int code = RunToEnd(dir_, {"--containers", "2", "--duration", "4s", "--warmup", "1s", "--quiet", "--no-report",
                                   "--target-output", "loki", "--target-cmd", push, "--out", dir_ + "/r"},
                            &err, 60s);
  EXPECT_EQ(code, 1) << err;
  auto c = Criteria(dir_ + "/r/result.json");
  EXPECT_EQ(c["engine_errors"]["status"], "fail") << c["engine_errors"].dump();
  EXPECT_NE(c["engine_errors"].dump().find("configure the Loki client for JSON"), std::string::npos)
      << c["engine_errors"].dump();
}

// A follower pointed at a socket that does not exist fails too (its error
// lines count, and it captures nothing).
TEST_F(LeakbenchProcess, AFollowerOnAMissingSocketFails) {
  if (access("/usr/bin/docker", X_OK) != 0 && access("/usr/local/bin/docker", X_OK) != 0) {
    GTEST_SKIP() << "no docker CLI here (apt-get install docker.io)";
  }
  std::string err;
  const int code = RunToEnd(dir_, {"--containers", "5", "--duration", "6s", "--warmup", "2s", "--quiet", "--no-report",
                                   "--target-cmd",
                                   "while :; do docker -H unix:///nonexistent/docker.sock logs -f x; sleep 1; done",
                                   "--out", dir_ + "/r"},
                            &err, 60s);
  EXPECT_EQ(code, 1) << err << Slurp(dir_ + "/r/summary.md");
  auto c = Criteria(dir_ + "/r/result.json");
  EXPECT_EQ(c["capture"]["status"], "fail");
  EXPECT_EQ(c["engine_errors"]["status"], "fail") << c["engine_errors"].dump();
}

// --max-streams overrides the scenario, and the concurrency bound follows it.
TEST_F(LeakbenchProcess, MaxStreamsOverrideIsTheConcurrencyBound) {
  std::string err;
  RunToEnd(dir_, {"--containers", "30", "--max-streams", "20", "--duration", "5s", "--warmup", "1s", "--quiet",
                  "--no-report", "--out", dir_ + "/r"},
           &err, 60s);
  auto c = Criteria(dir_ + "/r/result.json");
  EXPECT_EQ(c["concurrency"]["bound"], 20) << c["concurrency"].dump() << err;
  EXPECT_LE(c["concurrency"]["measured"].get<double>(), 20);
}

}  // namespace
}  // namespace leakbench::harness
