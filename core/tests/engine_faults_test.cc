// Every fault mode of the fake (on logs streams, and on the events stream),
// each on half of the streams for 5 s with rotation every 1.5 s and an
// oversubscribed pool; then no faults: every line still arrives exactly once.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
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

struct FaultCase {
  const char* name;
  json fault;
  bool restart_containers = false;  // faults that matter when a container dies
};

class EngineFaults : public ::testing::TestWithParam<FaultCase> {};

// Each fault mode on half of the streams for 5 s, then no faults: every line
// still arrives exactly once.
TEST_P(EngineFaults, EveryLineArrivesOnce) {
  InProcessFake fake(FakeConfig(12, 20));
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.max_streams = 6;
  config.docker.rotation_interval = 1500ms;
  config.docker.rotation_jitter = 300ms;
  EngineUnderTest engine(config, sink);
  json fault = GetParam().fault;
  fault["target"] = "*";
  if (!fault.contains("probability")) fault["probability"] = 0.5;
  fake.Control("POST", "/faults", fault);
  const auto until = Clock::now() + 5s;
  int round = 0;
  while (Clock::now() < until) {
    if (GetParam().restart_containers && ++round % 5 == 0) {
      fake.Act({{"action", "restart"}, {"target", "fake-000" + std::to_string(1 + round / 5 % 9)}});
    }
    std::this_thread::sleep_for(100ms);
  }
  // The fault really hit streams (per the fake), or this test proves nothing.
  std::uint64_t applied = 0;
  for (const auto& f : fake.Control("GET", "/faults")) applied += f.value("applied", 0u);
  EXPECT_GT(applied, 0u) << GetParam().name << " was never applied";
  fake.Control("DELETE", "/faults");
  const CaptureReport report = WaitForExactCapture(fake, sink, 30s);
  EXPECT_TRUE(report.exact()) << GetParam().name << ": " << Describe(report);
  EXPECT_LE(Streams(fake).peak, 6u);
}

// The value of log_capturer_container_streams_active in a /metrics text;
// -1 when the line is missing.
double StreamsActive(const std::string& metrics) {
  const std::string name = "\nlog_capturer_container_streams_active ";
  const std::size_t at = metrics.find(name);
  if (at == std::string::npos) return -1;
  return std::strtod(metrics.c_str() + at + name.size(), nullptr);
}

// streams_active counts a stream from the daemon's answer, not from the
// request: while every open waits 4 s for its response headers (latency
// fault), the engine holds 3 requested streams and the gauge says 0 (the
// daemon serves none yet); once the headers arrive, 3. Counted from the
// request, a scrape at start-up with 10,000 containers saw 284 streams the
// fake had not received.
TEST(EngineStreamsActive, CountsAStreamFromTheDaemonsAnswer) {
  InProcessFake fake(FakeConfig(3, 5));
  fake.Control("POST", "/faults", {{"kind", "latency"}, {"delay", "4s"}, {"target", "*"}, {"probability", 1.0}});
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.max_streams = 3;
  config.docker.rotation_interval = 60s;
  EngineUnderTest engine(config, sink);
  ASSERT_TRUE(Eventually([&] { return engine.engine().stats().streams_open == 3; }, 10s));
  const EngineStats requested = engine.engine().stats();
  EXPECT_EQ(requested.streams_answered, 0u);
  EXPECT_EQ(StreamsActive(engine.metrics().Serialize()), 0);
  ASSERT_TRUE(Eventually([&] { return engine.engine().stats().streams_answered == 3; }, 20s));
  EXPECT_TRUE(Eventually([&] { return StreamsActive(engine.metrics().Serialize()) == 3; }, 5s))
      << engine.metrics().Serialize();
  // Closing them takes them out of the gauge again.
  fake.Control("DELETE", "/faults");
  engine.Stop();
  EXPECT_EQ(engine.engine().stats().streams_answered, 0u);
  EXPECT_EQ(StreamsActive(engine.metrics().Serialize()), 0);
}

std::uint64_t LogRequests(InProcessFake& fake) {
  return fake.Control("GET", "/truth").at("requests").value("containers_logs", std::uint64_t{0});
}

// A daemon slower to answer than the lease (a CPU-starved dockerd): every
// log request waits 2 s for its headers, the lease is 400 ms. A request not
// yet answered is waited for, not closed and sent again: 4 containers make
// 4 requests, and once answered their lines arrive. Rotated away at the
// lease end instead, each would be sent 5 times in those 2 s and none
// answered, ever.
TEST(EngineSlowDaemon, AnUnansweredFollowRequestIsWaitedForNotRotatedAway) {
  InProcessFake fake(FakeConfig(4, 20));
  fake.Control("POST", "/faults", {{"kind", "latency"}, {"delay", "2s"}, {"target", "*"}, {"probability", 1.0}});
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.max_streams = 4;
  config.docker.rotation_interval = 400ms;
  config.docker.rotation_jitter = 0ms;
  EngineUnderTest engine(config, sink);
  ASSERT_TRUE(Eventually([&] { return engine.engine().stats().streams_answered == 4; }, 10s))
      << LogRequests(fake) << " log requests, " << engine.engine().stats().streams_answered << " answered";
  EXPECT_EQ(LogRequests(fake), 4u) << "a request was sent again before its answer";
  EXPECT_TRUE(Eventually([&] { return sink.acknowledged() > 0; }, 5s));
  fake.Control("DELETE", "/faults");
  const CaptureReport report = WaitForExactCapture(fake, sink, 30s);
  EXPECT_TRUE(report.exact()) << Describe(report);
}

// Past docker.request_timeout an unanswered request fails as a timeout and
// the container backs off (250 ms, 500 ms, 1 s, ...): a few requests each
// over 3 s, not one per lease.
TEST(EngineSlowDaemon, AFollowRequestUnansweredPastTheTimeoutFailsAndBacksOff) {
  InProcessFake fake(FakeConfig(4, 20));
  fake.Control("POST", "/faults", {{"kind", "latency"}, {"delay", "60s"}, {"target", "*"}, {"probability", 1.0}});
  MemorySink sink;
  Config config = TestConfig(fake.socket());
  config.docker.max_streams = 4;
  config.docker.rotation_interval = 200ms;
  config.docker.rotation_jitter = 0ms;
  config.docker.request_timeout = 500ms;
  EngineUnderTest engine(config, sink);
  const std::string timeouts = "log_capturer_container_stream_errors_total{error_type=\"timeout\"} ";
  auto timeout_count = [&] {
    const std::string m = engine.metrics().Serialize();
    const std::size_t at = m.find(timeouts);
    return at == std::string::npos ? 0.0 : std::strtod(m.c_str() + at + timeouts.size(), nullptr);
  };
  ASSERT_TRUE(Eventually([&] { return timeout_count() >= 8; }, 10s)) << engine.metrics().Serialize();
  const std::uint64_t requests = LogRequests(fake);
  // 4 containers, each: 500 ms waiting, then backoffs from 250 ms doubling.
  EXPECT_LE(requests, 4u * 4) << "one request per lease would be ~4 x 15";
  EXPECT_GE(requests, 8u);
  EXPECT_EQ(engine.engine().stats().streams_answered, 0u);
  std::printf("[ figures ] %llu log requests, %.0f timeouts\n", static_cast<unsigned long long>(requests), timeout_count());
}

INSTANTIATE_TEST_SUITE_P(
    AllModes, EngineFaults,
    ::testing::Values(
        FaultCase{"stall", {{"kind", "stall"}, {"after_bytes", 2000}}},
        FaultCase{"reset", {{"kind", "reset"}, {"after_bytes", 3000}}},
        FaultCase{"truncate", {{"kind", "truncate"}, {"after_bytes", 3000}}},
        FaultCase{"malformed_stream", {{"kind", "malformed"}, {"after_bytes", 1000}, {"variant", "stream"}}},
        FaultCase{"malformed_length", {{"kind", "malformed"}, {"after_bytes", 1000}, {"variant", "length"}}},
        FaultCase{"error_frame", {{"kind", "error_frame"}, {"after_bytes", 1000}}},
        FaultCase{"http_500", {{"kind", "http_500"}}},
        FaultCase{"http_503", {{"kind", "http_503"}}},
        FaultCase{"slow", {{"kind", "slow"}, {"bytes_per_s", 4096}}},
        FaultCase{"latency", {{"kind", "latency"}, {"delay", "300ms"}}},
        FaultCase{"slice", {{"kind", "slice"}, {"chunk_bytes", 3}, {"delay", "1ms"}}},
        FaultCase{"slow_close", {{"kind", "slow_close"}, {"delay", "500ms"}}, true},
        FaultCase{"zombie", {{"kind", "zombie"}}, true},
        FaultCase{"events_reset", {{"kind", "reset"}, {"endpoint", "events"}, {"after_bytes", 10}}, true},
        FaultCase{"events_http_500", {{"kind", "http_500"}, {"endpoint", "events"}}, true}),
    [](const ::testing::TestParamInfo<FaultCase>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace logcap::testing
