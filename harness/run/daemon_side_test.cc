// The daemon's side of a run: daemon_fd_growth is off unless a bound is
// set, fails when a daemon process's fds climb (per minute and per 1,000
// follow streams opened), passes on a flat daemon, and is inconclusive
// with the reason when no daemon process was sampled; result.json,
// summary.md carry the daemon's figures; the daemon's processes are found
// by the socket's peer and by a child's name.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/unique_fd.h"
#include "harness/run/daemon_processes.h"
#include "harness/run/judge.h"
#include "harness/run/result_files.h"
#include "harness/run/summary_markdown.h"

namespace leakbench::harness {
namespace daemon_side_test {

// 120 samples at 1 Hz (warm-up 10 s), 12 follow streams opened and 10 closed a second, a
// flat target; dockerd's fds follow `dockerd_fds(t)`, containerd's stay at 40.
template <typename F>
RunData RunWithDaemon(F dockerd_fds, bool bounded = true) {
  RunData run;
  run.completed = true;
  run.scenario.name = "daemon-side";
  run.scenario.duration = std::chrono::seconds(120);
  run.scenario.warmup = std::chrono::seconds(10);
  run.scenario.target.rotation_interval = std::chrono::seconds(2);
  run.scenario.target.max_streams = 20;
  if (bounded) {
    run.scenario.criteria.daemon_fd_growth_per_min = 10;
    run.scenario.criteria.daemon_fd_growth_per_1000_streams = 20;
  }
  DeriveBounds(run.scenario);
  run.daemon = {"real", "20.10.24", "1.41", "vfs", true, ""};
  run.daemon_processes = {{"dockerd", 100}, {"containerd", 101}};
  for (int t = 0; t < 120; ++t) {
    Sample x;
    x.t = t;
    x.proc.ok = true;
    x.proc.threads = 6;
    x.proc.fds.socket = 30;
    x.proc.rss_bytes = 16u << 20;
    x.streams_open = 20;
    x.streams_closed = static_cast<std::uint64_t>(t) * 10;
    x.streams_opened = static_cast<std::uint64_t>(t) * 12 + 20;
    x.metric_streams_active = 20;
    x.streams_open_min = 19;
    x.streams_open_max = 21;
    x.metric_rotations = t * 10.0;
    x.metric_series = 60;
    for (int fds : {static_cast<int>(dockerd_fds(t)), 40}) {
      ProcSample d;
      d.ok = true;
      d.threads = 30;
      d.fds.file = static_cast<std::size_t>(fds);
      d.rss_bytes = 80u << 20;
      d.cpu_seconds = 0.05 * t;
      x.daemon.push_back(d);
    }
    run.samples.push_back(x);
  }
  run.follow_streams_peak = 20;
  run.ages.max_age_s = 2.0;
  run.ages.rotated = 1200;
  run.ages.streams = 1220;
  run.delivery.containers = run.delivery.containers_delivered = 20;
  run.delivery.lines_emitted = run.delivery.lines_delivered = 1000;
  run.loss.judged = true;
  run.loss.emitted = run.loss.captured = 1000;
  return run;
}

const CriterionResult& DaemonFd(const Verdict& v) {
  for (const auto& c : v.criteria) {
    if (c.id == "daemon_fd_growth") return c;
  }
  throw std::runtime_error("no daemon_fd_growth");
}

TEST(DaemonSide, DaemonFdGrowthIsOffUnlessBounded) {
  const Verdict v = Judge(RunWithDaemon([](int t) { return 200 + t; }, false));
  EXPECT_EQ(DaemonFd(v).status, Status::kOff) << DaemonFd(v).detail;
  EXPECT_EQ(v.verdict, "pass");
}

TEST(DaemonSide, AFlatDaemonPasses) {
  const Verdict v = Judge(RunWithDaemon([](int t) { return 200 + (t % 3); }));
  EXPECT_EQ(DaemonFd(v).status, Status::kPass) << DaemonFd(v).detail;
  EXPECT_NE(DaemonFd(v).detail.find("dockerd: "), std::string::npos);
  EXPECT_NE(DaemonFd(v).detail.find("containerd: "), std::string::npos);
  EXPECT_EQ(v.verdict, "pass");
}

TEST(DaemonSide, ADaemonLeakingAnFdPerStreamFails) {
  // One fd a second: 60 fds/min, 83.33 per 1,000 streams opened (not per
  // 1,000 rotations: that would be 100).
  const Verdict v = Judge(RunWithDaemon([](int t) { return 200 + t; }));
  const CriterionResult& c = DaemonFd(v);
  EXPECT_EQ(c.status, Status::kFail) << c.detail;
  EXPECT_NEAR(c.measured, 60, 1);
  EXPECT_NE(c.detail.find("83.33 fds per 1,000 follow streams opened"), std::string::npos) << c.detail;
  EXPECT_EQ(v.verdict, "fail");
  const nlohmann::json& dockerd = v.figures.at("daemon").at(0);
  EXPECT_EQ(dockerd.at("name"), "dockerd");
  EXPECT_NEAR(dockerd.at("fds").at("per_minute").get<double>(), 60, 1);
  EXPECT_NEAR(dockerd.at("fds").at("per_1000_streams").get<double>(), 83.33, 0.01);
  EXPECT_NEAR(dockerd.at("cpu_cores").get<double>(), 0.05, 1e-6);
  EXPECT_NEAR(dockerd.at("cpu_s_per_1000_streams").get<double>(), 4.1667, 1e-3);
}

// restart_daemon on a real daemon: its processes are new ones from the
// restart on. A dockerd that sat at 1,000 fds before and leaks one a
// second after a restart to 100 must fail: fitted across the restart, the
// drop would hide the leak.
TEST(DaemonSide, AfterARestartOnlyTheNewProcessesAreFitted) {
  RunData run = RunWithDaemon([](int t) { return t < 60 ? 1000 : 100 + (t - 60); });
  for (Sample& x : run.samples) x.daemon_generation = x.t < 60 ? 0 : 1;
  run.daemon_restarts_s = {60};
  const Verdict v = Judge(run);
  const CriterionResult& c = DaemonFd(v);
  EXPECT_EQ(c.status, Status::kFail) << c.detail;
  EXPECT_NEAR(c.measured, 60, 1);
  EXPECT_NE(c.detail.find("fitted from the daemon's last restart (at 60 s) on"), std::string::npos) << c.detail;
  // The same samples read as one process: the drop hides the leak.
  run.daemon_restarts_s.clear();
  for (Sample& x : run.samples) x.daemon_generation = 0;
  EXPECT_NE(DaemonFd(Judge(run)).status, Status::kFail);
}

TEST(DaemonSide, WithoutADaemonSampleItIsInconclusiveWithTheReason) {
  RunData run = RunWithDaemon([](int) { return 200; });
  run.daemon_processes.clear();
  for (Sample& x : run.samples) x.daemon.clear();
  run.daemon_unsampled = "the process behind /x.sock lives in another pid namespace";
  const Verdict v = Judge(run);
  EXPECT_EQ(DaemonFd(v).status, Status::kInconclusive);
  EXPECT_NE(DaemonFd(v).detail.find("another pid namespace"), std::string::npos) << DaemonFd(v).detail;
  EXPECT_EQ(v.verdict, "inconclusive");
}

TEST(DaemonSide, AProcessGoneAfterTheWarmupIsInconclusive) {
  RunData run = RunWithDaemon([](int) { return 200; });
  for (Sample& x : run.samples) x.daemon[1].ok = false;  // containerd never readable
  EXPECT_EQ(DaemonFd(Judge(run)).status, Status::kInconclusive);
}

TEST(DaemonSide, ResultAndSummaryShowTheDaemonAndItsFigures) {
  const RunData run = RunWithDaemon([](int t) { return 200 + t; });
  const Verdict v = Judge(run);
  const nlohmann::json r = ResultJson(run, v);
  EXPECT_EQ(r.at("daemon").at("storage_driver"), "vfs");
  EXPECT_EQ(r.at("daemon").at("processes_sampled").size(), 2u);
  EXPECT_EQ(r.at("samples").at("daemon").at("dockerd").at("fds").size(), run.samples.size());
  EXPECT_EQ(r.at("samples").at("daemon").at("containerd").at("fds").at(0), 40);
  EXPECT_EQ(r.at("samples").at("streams_opened").at(1), 32);
  const std::string md = SummaryMarkdown(r);
  EXPECT_NE(md.find("Daemon: real 20.10.24 (API 1.41, storage driver vfs, started by leakbench)"), std::string::npos)
      << md;
  EXPECT_NE(md.find("- `dockerd`: fds +60 fds/min [60 .. 60], +83.33 per 1,000 follow streams (max 319)"),
            std::string::npos)
      << md;
}

TEST(DaemonProcesses, TheSocketPeerIsTheListeningProcess) {
  const std::string path = testing::TempDir() + "peer-" + std::to_string(getpid()) + ".sock";
  unlink(path.c_str());
  UniqueFd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener.get(), 4), 0);
  std::string why;
  EXPECT_EQ(SocketPeerPid(path, &why), getpid()) << why;
  unlink(path.c_str());
  EXPECT_EQ(SocketPeerPid(path, &why), -1);
  EXPECT_NE(why.find("cannot connect"), std::string::npos) << why;
}

TEST(DaemonProcesses, AChildIsFoundByItsName) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(testing::TempDir()) / ("proc-" + std::to_string(getpid()));
  for (const auto& [pid, line] : std::vector<std::pair<int, std::string>>{
           {100, "100 (dockerd) S 1 100 100 0"}, {101, "101 (containerd) S 100 101 101 0"},
           {102, "102 (containerd) S 1 102 102 0"}}) {
    fs::create_directories(root / std::to_string(pid));
    std::ofstream(root / std::to_string(pid) / "stat") << line << " -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n";
  }
  EXPECT_EQ(ChildNamed(100, "containerd", root.string()), 101);
  EXPECT_EQ(ChildNamed(1, "dockerd", root.string()), 100);
  EXPECT_EQ(ChildNamed(100, "runc", root.string()), -1);
  fs::remove_all(root);
}

}  // namespace daemon_side_test
}  // namespace leakbench::harness
