// The log-capturer binary as a child process, against the fake-dockerd
// binary: bad command lines exit 2 with a clear message; a run with a file
// sink captures every line exactly once, keeps its thread count from 1 to
// 200 containers, serves /metrics (clean for promtool), and exits 0 within
// 2 s of SIGTERM; each --inject-leak kind really leaks what it says (the
// harness's negative controls depend on it) and no leak is the default.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/tests/support/capturer_process.h"
#include "core/tests/support/memory_sink.h"
#include "core/tests/support/seq_tally.h"
#include "fakes/tests/support/fake_process.h"
#include "fakes/tests/support/polling.h"

namespace logcap::testing {
namespace {

using leakbench::testing::Eventually;
using leakbench::testing::FakeProcess;
using leakbench::testing::RunCommand;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kCapturer = LOG_CAPTURER_PATH;
const std::string kFake = FAKE_DOCKERD_PATH;

// What the file sink at `path` wrote so far, tallied by cid and seq.
SeqTally ReadJsonl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  SeqTally tally;
  tally.AddJsonl(text.str(), false);
  return tally;
}

std::uint64_t Emitted(const FakeProcess& fake) {
  std::uint64_t n = 0;
  for (const auto& c : fake.Control("GET", "/containers")) n += c.at("emitted").get<std::uint64_t>();
  return n;
}

// The metrics port from the capturer's start-up log line.
int MetricsPort(const CapturerProcess& p) {
  const std::string err = p.stderr_text();
  const std::string key = "metrics on http://127.0.0.1:";
  const auto at = err.find(key);
  if (at == std::string::npos) return 0;
  return std::atoi(err.c_str() + at + key.size());
}

TEST(CapturerProcess, BadCommandLinesExitTwoWithAClearMessage) {
  const std::vector<std::vector<std::string>> bad = {
      {"--max-streams", "0"},          {"--rotation-interval", "banana"}, {"--sink", "ftp://x"},
      {"--docker-host", "unix://rel"}, {"--no-such-flag"},                 {"--inject-leak", "everything"},
      {"--config", "/nonexistent/log-capturer.yaml"},
      {"--rotation-interval", "999ms"},
      {"--max-opens-per-second", "0"},
      {"--metrics-listen", "[::1]:9464"},
      {"--inject-fault", "drop-line:0"},
      {"--inject-fault", "melt"}};
  for (const auto& args : bad) {
    std::vector<std::string> argv{kCapturer};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = RunCommand(argv, 10s);
    EXPECT_EQ(r.status.code, 2) << args[0] << ": " << r.status.ToString() << " " << r.err;
    EXPECT_FALSE(r.err.empty()) << args[0];
    EXPECT_NE(r.err.find(args[0].substr(2, 6)), std::string::npos) << "the message should name the flag: " << r.err;
  }
  const auto help = RunCommand({kCapturer, "--help"}, 10s);
  EXPECT_EQ(help.status.code, 0);
  EXPECT_NE(help.out.find("--rotation-interval"), std::string::npos);
}

// Checked before anything starts, not at every flush: exit 2 with the path,
// the reason and what to do.
TEST(CapturerProcess, StateFileThatCannotBeWrittenExitsTwo) {
  const std::string not_a_dir = ::testing::TempDir() + "capturer_state_not_a_dir_" + std::to_string(::getpid());
  std::ofstream(not_a_dir) << "a file where a directory should be\n";
  const std::string state = not_a_dir + "/positions.json";
  const auto r = RunCommand({kCapturer, "--docker-host", "unix:///nonexistent/docker.sock", "--sink",
                             "file:/dev/null", "--metrics-listen", "", "--state-file", state},
                            10s);
  std::remove(not_a_dir.c_str());
  EXPECT_EQ(r.status.code, 2) << r.status.ToString() << " " << r.err;
  EXPECT_NE(r.err.find("log-capturer: state file " + state + " cannot be used: cannot create " + state +
                       ".tmp: Not a directory"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("give --state-file (state.file) another path"), std::string::npos) << r.err;
}

TEST(CapturerProcess, CapturesEverythingWithConstantThreadsAndStopsWithinTwoSeconds) {
  FakeProcess fake(kFake, {"--containers", "1", "--rate", "20", "--retention", "100000"});
  ASSERT_TRUE(fake.ready()) << fake.failure();
  CapturerProcess run(kCapturer, {"--docker-host", "unix://" + fake.socket(), "--sink",
                                  "file:" + fake.dir() + "/out.jsonl", "--rotation-interval", "2s", "--max-streams",
                                  "50", "--metrics-listen", "127.0.0.1:0"});
  const std::string out = fake.dir() + "/out.jsonl";
  ASSERT_TRUE(Eventually([&] { return ReadJsonl(out).distinct() != 0; }, 10s)) << run.stderr_text();
  const std::size_t threads_one = run.Threads();
  const std::size_t fds_one = run.OpenFds();
  fake.Act({{"action", "add"}, {"count", 199}, {"rate", 20}});
  ASSERT_TRUE(Eventually([&] { return ReadJsonl(out).seqs.size() == 200; }, 30s)) << run.stderr_text();
  EXPECT_EQ(run.Threads(), threads_one) << "threads must not depend on the number of containers";
  // Every stream holds one socket: 50 more fds at most, never one per container.
  EXPECT_LE(run.OpenFds(), fds_one + 50 + 5);

  const int port = MetricsPort(run);
  ASSERT_GT(port, 0) << run.stderr_text();
  const std::string metrics = HttpGetLocal(port, "/metrics");
  for (const char* name : {"log_capturer_container_streams_active", "log_capturer_container_stream_rotations_total",
                           "log_capturer_container_stream_age_seconds_bucket",
                           "log_capturer_container_stream_errors_total"}) {
    EXPECT_NE(metrics.find(name), std::string::npos) << name;
  }
  if (auto promtool = leakbench::testing::FindExecutable("promtool")) {
    const std::string file = fake.dir() + "/metrics.txt";
    std::ofstream(file) << metrics;
    const auto r = RunCommand({"/bin/sh", "-c", *promtool + " check metrics < " + file}, 30s);
    EXPECT_EQ(r.status.code, 0) << r.out << r.err;
  }

  fake.Act({{"action", "set"}, {"target", "*"}, {"rate", 0}});
  const std::uint64_t emitted = Emitted(fake);
  ASSERT_TRUE(Eventually([&] { return ReadJsonl(out).distinct() == emitted; }, 30s))
      << ReadJsonl(out).distinct() << " of " << emitted;
  std::chrono::milliseconds took{0};
  const auto status = run.Signal(SIGTERM, 5s, &took);
  EXPECT_EQ(status.code, 0) << status.ToString() << "\n" << run.stderr_text();
  EXPECT_LT(took, 2s);
  const SeqTally fc = ReadJsonl(out);
  EXPECT_EQ(fc.duplicates(), 0u);
  EXPECT_EQ(fc.invalid_json + fc.unstamped, 0u);
  EXPECT_EQ(fc.distinct(), emitted);
  EXPECT_EQ(fake.Control("GET", "/truth").at("follow_streams_open"), 0) << "streams left open after exit";
  EXPECT_EQ(run.stderr_text().find(" error "), std::string::npos) << run.stderr_text();
}

struct LeakCase {
  const char* kind;
};
class CapturerLeaks : public ::testing::TestWithParam<LeakCase> {};

// Rotation every 1 s (the minimum) for 5 s on 3 containers: about 15-20 rotations.
TEST_P(CapturerLeaks, InjectedLeakShows) {
  const std::string kind = GetParam().kind;
  FakeProcess fake(kFake, {"--containers", "3", "--rate", "20"});
  ASSERT_TRUE(fake.ready()) << fake.failure();
  std::vector<std::string> args{"--docker-host", "unix://" + fake.socket(), "--sink", "file:/dev/null",
                                "--rotation-interval", "1s", "--max-streams", "3", "--metrics-listen",
                                "127.0.0.1:0"};
  if (kind != "none") {
    args.push_back("--inject-leak");
    args.push_back(kind);
  }
  CapturerProcess run(kCapturer, args);
  ASSERT_TRUE(Eventually([&] { return MetricsPort(run) > 0; }, 10s)) << run.stderr_text();
  std::this_thread::sleep_for(1s);
  auto series = [&] {
    const std::string m = HttpGetLocal(MetricsPort(run), "/metrics");
    std::size_t n = 0;
    for (std::size_t p = m.find("\nlog_capturer_"); p != std::string::npos; p = m.find("\nlog_capturer_", p + 1)) ++n;
    return n;
  };
  const std::size_t threads0 = run.Threads(), fds0 = run.OpenFds(), rss0 = run.RssKiB(), series0 = series();
  std::this_thread::sleep_for(5s);
  const std::size_t threads1 = run.Threads(), fds1 = run.OpenFds(), rss1 = run.RssKiB(), series1 = series();
  const std::uint64_t open = fake.Control("GET", "/truth").at("follow_streams_open").get<std::uint64_t>();
  if (kind == "none") {
    EXPECT_EQ(threads1, threads0);
    EXPECT_LE(fds1, fds0 + 1);
    EXPECT_LE(open, 3u);
    EXPECT_EQ(series1, series0);
  } else if (kind == "thread") {
    EXPECT_GE(threads1, threads0 + 8);
  } else if (kind == "fd") {
    EXPECT_GE(fds1, fds0 + 16);  // two pipe ends per rotation
  } else if (kind == "memory") {
    EXPECT_GE(rss1, rss0 + 8 * 64);  // 64 KiB per rotation
  } else if (kind == "stream") {
    EXPECT_GT(open, 3u) << "rotated streams must stay open at the daemon";
  } else if (kind == "series-rotation") {
    EXPECT_GE(series1, series0 + 8);
  }
  std::cout << "[ figures ] " << kind << ": threads " << threads0 << "->" << threads1 << ", fds " << fds0 << "->"
            << fds1 << ", rss KiB " << rss0 << "->" << rss1 << ", series " << series0 << "->" << series1
            << ", streams open at the fake " << open << "\n";
  EXPECT_EQ(run.Signal(SIGTERM, 5s).code, 0) << run.stderr_text();
}

INSTANTIATE_TEST_SUITE_P(Kinds, CapturerLeaks,
                         ::testing::Values(LeakCase{"none"}, LeakCase{"thread"}, LeakCase{"fd"}, LeakCase{"memory"},
                                           LeakCase{"stream"}, LeakCase{"series-rotation"}),
                         [](const ::testing::TestParamInfo<LeakCase>& p) {
                           std::string n = p.param.kind;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// --inject-fault through the binary: one warning at start naming the faults;
// threads-at-start's threads are there from the start and do not grow (so
// leakbench's threads_baseline fails and thread_growth does not);
// error-lines' lines reach stderr at error level.
TEST(CapturerProcess, InjectedFaultsAreAnnouncedAndThreadsAtStartStaysConstant) {
  FakeProcess fake(kFake, {"--containers", "3", "--rate", "20"});
  ASSERT_TRUE(fake.ready()) << fake.failure();
  CapturerProcess run(kCapturer, {"--docker-host", "unix://" + fake.socket(), "--sink", "file:/dev/null",
                                  "--rotation-interval", "1s", "--metrics-listen", "127.0.0.1:0", "--inject-fault",
                                  "threads-at-start:150", "--inject-fault", "error-lines:2"});
  ASSERT_TRUE(Eventually([&] { return MetricsPort(run) > 0; }, 10s)) << run.stderr_text();
  auto count = [&](const std::string& needle) {
    const std::string err = run.stderr_text();
    std::size_t n = 0;
    for (auto p = err.find(needle); p != std::string::npos; p = err.find(needle, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(" warning INJECTING FAULTS (--inject-fault, for leakbench's negative controls): error-lines:2, "
                  "threads-at-start:150;"),
            1u)
      << run.stderr_text();
  EXPECT_GE(run.Threads(), 150u + 5u) << "the injected threads are there from the start";
  // Counted once the engine has run a rotation (the first error line): a
  // thread of the start-up may still be ending when /metrics first answers
  // (158, then 157 once, under load in CI).
  ASSERT_TRUE(Eventually([&] { return count(" error injected fault (--inject-fault error-lines:2)") >= 1; }, 20s))
      << run.stderr_text();
  const std::size_t threads0 = run.Threads();
  // Each error line is two rotations: wait for 6 or more.
  ASSERT_TRUE(Eventually([&] { return count(" error injected fault (--inject-fault error-lines:2)") >= 3; }, 20s))
      << run.stderr_text();
  EXPECT_EQ(run.Threads(), threads0) << "constant after the start";
  EXPECT_EQ(run.Signal(SIGTERM, 5s).code, 0) << run.stderr_text();
}

// series-container: a removed container's series stay; without the leak they go.
TEST(CapturerProcess, RemovedContainerSeriesAreDeletedUnlessLeakIsInjected) {
  for (const bool leak : {false, true}) {
    FakeProcess fake(kFake, {"--containers", "2", "--rate", "20"});
    ASSERT_TRUE(fake.ready()) << fake.failure();
    std::vector<std::string> args{"--docker-host", "unix://" + fake.socket(), "--sink", "file:/dev/null",
                                  "--rotation-interval", "1s", "--metrics-listen", "127.0.0.1:0"};
    if (leak) args.insert(args.end(), {"--inject-leak", "series-container"});
    CapturerProcess run(kCapturer, args);
    ASSERT_TRUE(Eventually([&] { return MetricsPort(run) > 0; }, 10s)) << run.stderr_text();
    const std::string cid = fake.Control("GET", "/containers")[0].at("cid").get<std::string>();
    ASSERT_TRUE(Eventually([&] { return HttpGetLocal(MetricsPort(run), "/metrics").find(cid) != std::string::npos; },
                           10s));
    fake.Act({{"action", "remove"}, {"target", cid}});
    const bool gone = Eventually(
        [&] { return HttpGetLocal(MetricsPort(run), "/metrics").find(cid) == std::string::npos; }, 5s);
    EXPECT_EQ(gone, !leak) << (leak ? "the injected leak must keep the series" : "series of removed containers must go");
    EXPECT_EQ(run.Signal(SIGTERM, 5s).code, 0);
  }
}

}  // namespace
}  // namespace logcap::testing
