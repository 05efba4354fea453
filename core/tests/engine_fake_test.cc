// The engine against the in-process fake-dockerd, time-compressed (rotation
// every 1-3 s): every line the fake emitted must arrive exactly once
// (checked by the cid/seq the fake stamps in each line against its ground
// truth), the pool's cap must hold per the fake's own count of open follow
// streams, and that must stay true through churn, long lines, TTY
// containers, equal-timestamp bursts, every fault mode, a daemon restart, a
// slow sink, and a restart of the engine itself with a state file.
// Every wait is a bounded poll; the runs last a fixed time because rotation
// needs time to happen, not to hope something finished.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/tests/support/engine_under_test.h"
#include "core/tests/support/memory_sink.h"
#include "core/tests/support/tcp_unix_proxy.h"
#include "fakes/tests/support/in_process_fake.h"
#include "fakes/tests/support/polling.h"

namespace logcap::testing {
namespace engine_fake_test {

using json = nlohmann::json;
using leakbench::testing::Eventually;
using leakbench::testing::InProcessFake;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(EngineFake, ChurnLosesNothingOfLiveContainers) {
  InProcessFake fake(FakeConfig(40, 20));
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.max_streams = 10;
  config.docker.rotation_interval = 2s;
  EngineUnderTest engine(config, sink);
  const auto until = Clock::now() + 10s;
  while (Clock::now() < until) {
    fake.Act({{"action", "churn"}, {"count", 3}});
    std::this_thread::sleep_for(500ms);
  }
  const CaptureReport report = WaitForExactCapture(fake, sink, 30s);
  EXPECT_TRUE(report.exact()) << Describe(report);
  EXPECT_LE(Streams(fake).peak, 10u);
  EXPECT_EQ(engine.engine().stats().containers, 40u) << "removed containers must be dropped";
}

TEST(EngineFake, LongLinesTtyAndBurstsAcrossRotations) {
  fakedocker::DaemonConfig fc = FakeConfig(16, 15);
  fc.generator.min_bytes = 100;
  fc.generator.max_bytes = 70'000;
  fc.generator.burst = 4;
  fc.tty_fraction = 0.5;
  InProcessFake fake(fc);
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.max_streams = 6;
  config.docker.rotation_interval = 1s;
  config.docker.rotation_jitter = 200ms;
  EngineUnderTest engine(config, sink);
  std::this_thread::sleep_for(10s);
  const CaptureReport report = WaitForExactCapture(fake, sink, 30s);
  EXPECT_TRUE(report.exact()) << Describe(report);
  std::uint64_t longest = 0;
  for (const auto& [cid, cap] : sink.Snapshot()) longest = std::max(longest, cap.max_line_bytes);
  EXPECT_GT(longest, 16'384u) << "lines split by the daemon must come out whole";
  EXPECT_GT(engine.engine().stats().rotations, 20u);
  EXPECT_LE(Streams(fake).peak, 6u);
}

// A line longer than max_line_bytes is split into parts and the stream goes
// on; every part is delivered once.
TEST(EngineFake, OverlongLinesAreSplitAndTheStreamGoesOn) {
  fakedocker::DaemonConfig fc = FakeConfig(0, 0);
  InProcessFake fake(fc);
  const std::string id = fake.AddQuiet({{"line_bytes", 50'000}});
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.max_line_bytes = 16 * 1024;
  EngineUnderTest engine(config, sink);
  fake.Emit(id, 3);
  // 3 lines of 50,000 bytes in parts of at most 16 KiB: 4 parts each; only
  // the first part carries the fake's stamp.
  ASSERT_TRUE(Eventually([&] { return sink.Summary().records == 12; }, 10s)) << sink.Summary().records;
  fake.Emit(id, 1);
  ASSERT_TRUE(Eventually([&] { return sink.Summary().records == 16; }, 10s)) << sink.Summary().records;
  EXPECT_EQ(sink.Summary().duplicates, 0u);
}

// The value after `name ` in Prometheus text; -1 when absent.
double MetricValue(const std::string& text, const std::string& name) {
  const std::size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + name.size() + 2, nullptr);
}

// A starved dockerd's stderr copier behind stdout: stderr lines are stamped
// 400 ms before they are stored, and since= filters every record, live ones
// too. A reopen 10 ms before the position filters the lagging lines out and
// loses them; the lookback must grow from the inversions the engine sees.
TEST(EngineFake, StderrStampedFarBehindStdoutIsNotLostAtReopens) {
  fakedocker::DaemonConfig fc = FakeConfig(8, 40);
  fc.generator.stderr_fraction = 0.3;
  fc.generator.stderr_lag_ns = 400'000'000;
  InProcessFake fake(fc);
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.rotation_interval = 1500ms;
  EngineUnderTest engine(config, sink);
  std::this_thread::sleep_for(8s);
  const CaptureReport report = WaitForExactCapture(fake, sink, 30s);
  const std::string metrics = engine.metrics().Serialize();
  EXPECT_TRUE(report.exact()) << Describe(report);
  EXPECT_GT(MetricValue(metrics, "log_capturer_lines_out_of_order_total"), 0) << metrics;
  EXPECT_GE(MetricValue(metrics, "log_capturer_reopen_lookback_seconds"), 0.4) << metrics;
  EXPECT_GT(engine.engine().stats().rotations, 20u);
}

TEST(EngineFake, SurvivesADaemonRestart) {
  InProcessFake fake(FakeConfig(20, 20));
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.rotation_interval = 2s;
  EngineUnderTest engine(config, sink);
  std::this_thread::sleep_for(3s);
  fake.Act({{"action", "restart_daemon"}, {"down", "1s"}});
  std::this_thread::sleep_for(5s);
  const std::uint64_t before = sink.Summary().records;
  ASSERT_TRUE(Eventually([&] { return sink.Summary().records > before + 100; }, 10s))
      << "no lines after the daemon came back";
  const CaptureReport report = WaitForExactCapture(fake, sink, 30s);
  EXPECT_TRUE(report.exact()) << Describe(report);
  EXPECT_GE(engine.engine().stats().events_connects, 2u);
}

// A sink that refuses most of the time: reading pauses, nothing is lost or
// duplicated, and what waits in the engine stays small.
TEST(EngineFake, SlowSinkPausesReadingInsteadOfBuffering) {
  InProcessFake fake(FakeConfig(10, 100));
  MemorySink sink(/*capacity=*/100);
  Config config = TestConfig(fake.socket());
  config.docker.rotation_interval = 2s;
  EngineUnderTest engine(config, sink);
  std::atomic<bool> done{false};
  std::thread drainer([&] {
    while (!done.load()) {
      sink.Drain(5);  // at most ~500 lines/s; the fake writes 1,000/s
      std::this_thread::sleep_for(10ms);
    }
  });
  std::this_thread::sleep_for(6s);
  const std::uint64_t refusals = sink.refusals();
  const CaptureReport report = WaitForExactCapture(fake, sink, 30s);
  done = true;
  drainer.join();
  EXPECT_GT(refusals, 0u) << "the sink never pushed back; the test did not test backpressure";
  EXPECT_TRUE(report.exact()) << Describe(report);
}

TEST(EngineFake, StoppedContainersResumeAndRenamesShowInRecords) {
  InProcessFake fake(FakeConfig(0, 0));
  const std::string id = fake.AddQuiet({{"name", "before"}});
  MemorySink sink;
  EngineUnderTest engine(TestConfig(fake.socket()), sink);
  fake.Emit(id, 5);
  ASSERT_TRUE(Eventually([&] { return sink.Summary().records == 5; }, 10s));
  fake.Act({{"action", "stop"}, {"target", id}});
  fake.Act({{"action", "start"}, {"target", id}});
  fake.Emit(id, 5);
  ASSERT_TRUE(Eventually([&] { return sink.Summary().records == 10; }, 10s)) << sink.Summary().records;
  fake.Act({{"action", "rename"}, {"target", id}, {"name", "after"}});
  ASSERT_TRUE(Eventually([&] {
    fake.Emit(id, 1);
    return sink.Snapshot().begin()->second.names.count("after") == 1;
  }, 10s));
  const CaptureReport report = WaitForExactCapture(fake, sink);
  EXPECT_TRUE(report.exact()) << Describe(report);
}

TEST(EngineFake, IncludeAndExcludeRules) {
  InProcessFake fake(FakeConfig(10, 10));
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.include_labels = {"com.leakbench.group=even"};
  config.docker.exclude_names = {"*-0005"};
  EngineUnderTest engine(config, sink);
  // A container started later is filtered by its labels too.
  fake.Act({{"action", "add"}, {"name", "late-odd"}, {"labels", {{"com.leakbench.group", "odd"}}}, {"rate", 10}});
  fake.Act({{"action", "add"}, {"name", "late-even"}, {"labels", {{"com.leakbench.group", "even"}}}, {"rate", 10}});
  ASSERT_TRUE(Eventually([&] { return sink.Snapshot().size() >= 5; }, 10s));
  std::this_thread::sleep_for(2s);
  std::set<std::string> names;
  for (const auto& [cid, cap] : sink.Snapshot()) names.insert(cap.names.begin(), cap.names.end());
  // The fake labels index 0, 2, 4, ... (fake-0001, fake-0003, ...) "even".
  EXPECT_EQ(names, (std::set<std::string>{"fake-0001", "fake-0003", "fake-0007", "fake-0009", "late-even"}));
}

// Positions survive a restart of the engine: the second engine resumes from
// the state file the first one wrote, so nothing is captured twice.
TEST(EngineFake, StateFileResumesAfterEngineRestart) {
  InProcessFake fake(FakeConfig(8, 50));
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.state_file = fake.dir() + "/positions.json";
  config.state_flush_interval = 1s;
  {
    EngineUnderTest first(config, sink);
    std::this_thread::sleep_for(3s);
  }
  ASSERT_TRUE(std::filesystem::exists(config.state_file));
  const std::uint64_t after_first = sink.Summary().records;
  std::this_thread::sleep_for(1s);  // lines written while no engine runs
  EngineUnderTest second(config, sink);
  std::this_thread::sleep_for(2s);
  const CaptureReport report = WaitForExactCapture(fake, sink);
  EXPECT_GT(after_first, 0u);
  EXPECT_TRUE(report.exact()) << Describe(report);
}

// The state file holds only what the sink acknowledged: a first engine
// whose sink took thousands of records but acknowledged none (never
// drained) must leave positions that make the next engine read every line
// again. Had it saved the positions of what it merely handed over, the
// second engine would start after them and those lines would be lost.
TEST(EngineFake, StateFileKeepsOnlyAcknowledgedPositions) {
  InProcessFake fake(FakeConfig(4, 50));
  Config config = TestConfig(fake.socket());
  config.state_file = fake.dir() + "/positions.json";
  config.state_flush_interval = 500ms;
  {
    MemorySink stuck(/*capacity=*/1'000'000);  // takes everything, acknowledges nothing
    EngineUnderTest first(config, stuck);
    ASSERT_TRUE(Eventually([&] { return stuck.Summary().records >= 400; }, 10s));
    // Past at least two state flushes, so positions were saved while running.
    ASSERT_TRUE(Eventually([&] { return std::filesystem::exists(config.state_file); }, 5s));
    std::this_thread::sleep_for(1200ms);
    EXPECT_EQ(stuck.acknowledged(), 0u);
  }
  MemorySink sink;
  EngineUnderTest second(config, sink);
  const CaptureReport report = WaitForExactCapture(fake, sink);
  EXPECT_TRUE(report.exact()) << Describe(report);
}

TEST(EngineFake, RemovedContainersAreDropped) {
  InProcessFake fake(FakeConfig(5, 10));
  MemorySink sink;
  EngineUnderTest engine(TestConfig(fake.socket()), sink);
  ASSERT_TRUE(Eventually([&] { return engine.engine().stats().containers == 5; }, 10s));
  fake.Act({{"action", "remove"}, {"target", "fake-0001"}});
  fake.Act({{"action", "remove"}, {"target", "fake-0002"}});
  EXPECT_TRUE(Eventually([&] { return engine.engine().stats().containers == 3; }, 10s))
      << engine.engine().stats().containers;
}

// tcp://HOST:PORT works like a Unix socket (through a byte-for-byte proxy
// to the fake, which listens on Unix sockets only).
TEST(EngineFake, FollowsOverTcp) {
  InProcessFake fake(FakeConfig(5, 20));
  TcpUnixProxy proxy(fake.socket());
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.host = "tcp://127.0.0.1:" + std::to_string(proxy.port());
  config.docker.rotation_interval = 1s;
  EngineUnderTest engine(config, sink);
  std::this_thread::sleep_for(4s);
  const CaptureReport report = WaitForExactCapture(fake, sink);
  EXPECT_TRUE(report.exact()) << Describe(report);
  EXPECT_GT(engine.engine().stats().rotations, 5u);
}

TEST(EngineFake, StopClosesEveryStreamPromptly) {
  InProcessFake fake(FakeConfig(30, 10));
  MemorySink sink;
  EngineUnderTest engine(TestConfig(fake.socket()), sink);
  ASSERT_TRUE(Eventually([&] { return Streams(fake).open == 30; }, 10s)) << Streams(fake).open;
  const auto took = engine.Stop();
  EXPECT_LT(took, 2s);
  EXPECT_TRUE(Eventually([&] { return Streams(fake).open == 0; }, 2s)) << Streams(fake).open;
}

}  // namespace engine_fake_test
}  // namespace logcap::testing
