// The acceptance run against the in-process fake: 200 containers,
// 50 slots, rotation every 3 s, 60 s; every line exactly once, never more
// than 50 follow streams open per the fake's truth; and threads constant
// from 1 to 200 containers. Labelled slow (about 90 s).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/tests/support/engine_under_test.h"
#include "core/tests/support/memory_sink.h"
#include "fakes/tests/support/in_process_fake.h"
#include "fakes/tests/support/polling.h"

namespace logcap::testing {
namespace {

using json = nlohmann::json;
using leakbench::testing::Eventually;
using leakbench::testing::InProcessFake;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The acceptance run of the issue: 200 containers, 50 slots, rotation every
// 3 s, 60 s.
TEST(EngineFake, TwoHundredContainersFiftySlotsSixtySeconds) {
  InProcessFake fake(FakeConfig(200, 5));
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.max_streams = 50;
  EngineUnderTest engine(config, sink);
  const std::uint64_t max_open = RunWatchingStreams(fake, 60s);
  const CaptureReport report = WaitForExactCapture(fake, sink, 30s);
  const EngineStats stats = engine.engine().stats();
  EXPECT_TRUE(report.exact()) << Describe(report);
  EXPECT_EQ(report.containers, 200u);
  EXPECT_LE(max_open, 50u);
  EXPECT_LE(Streams(fake).peak, 50u) << "the fake saw more than 50 follow streams at once";
  EXPECT_GE(Streams(fake).peak, 45u) << "the pool should use its slots";
  EXPECT_GT(stats.rotations, 200u);
  for (const auto& [cid, cap] : sink.Snapshot()) EXPECT_GT(cap.seq_count.size(), 0u) << cid;
  std::cout << "[ figures ] " << Describe(report) << "; rotations " << stats.rotations << ", streams opened "
            << stats.streams_opened << ", replayed frames dropped " << stats.replayed_dropped << ", peak "
            << Streams(fake).peak << "\n";
}

// The number of threads does not depend on the number of containers.
TEST(EngineFake, ThreadsDoNotGrowFromOneToTwoHundredContainers) {
  InProcessFake fake(FakeConfig(1, 20));
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  EngineUnderTest engine(config, sink);
  ASSERT_TRUE(Eventually([&] { return sink.Summary().records > 10; }, 10s));
  const std::size_t threads_one = ProcessThreads();
  fake.Act({{"action", "add"}, {"count", 199}, {"rate", 20}});
  ASSERT_TRUE(Eventually([&] { return sink.Snapshot().size() == 200; }, 30s)) << sink.Snapshot().size();
  EXPECT_EQ(ProcessThreads(), threads_one);
  const CaptureReport report = WaitForExactCapture(fake, sink);
  EXPECT_TRUE(report.exact()) << Describe(report);
}

}  // namespace
}  // namespace logcap::testing
