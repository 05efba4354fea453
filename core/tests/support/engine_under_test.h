// Runs a log-capturer Engine on its own thread against a fake daemon's
// socket for integration tests, and checks what a MemorySink captured
// against the fake's ground truth (GET /containers on its control socket).
// The destructor stops and joins the engine.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/config/config.h"
#include "core/engine/engine.h"
#include "core/metrics/engine_metrics.h"
#include "core/tests/support/memory_sink.h"
#include "fakes/tests/support/in_process_fake.h"

namespace logcap::testing {

// Settings for a time-compressed run against the socket: rotation 3 s,
// 50 slots, fast backoff, no metrics endpoint.
Config TestConfig(const std::string& socket);

class EngineUnderTest {
 public:
  EngineUnderTest(const Config& config, Sink& sink);
  ~EngineUnderTest();
  EngineUnderTest(const EngineUnderTest&) = delete;
  EngineUnderTest& operator=(const EngineUnderTest&) = delete;

  // Stops the engine and joins its thread; returns how long that took.
  std::chrono::milliseconds Stop();
  Engine& engine() { return *engine_; }
  EngineMetrics& metrics() { return metrics_; }

 private:
  EngineMetrics metrics_{""};
  std::unique_ptr<Engine> engine_;
  std::thread thread_;
  bool stopped_ = false;
};

struct CaptureReport {
  std::size_t containers = 0;     // live containers checked
  std::uint64_t emitted = 0;      // lines they wrote
  std::uint64_t captured = 0;     // distinct lines of theirs captured
  std::uint64_t duplicates = 0;   // over every container, live or gone
  std::uint64_t unparsed = 0;
  std::vector<std::string> problems;  // per-container detail, for failures
  bool exact() const { return emitted == captured && duplicates == 0 && unparsed == 0 && problems.empty(); }
};

// Stops every generator of the fake, then waits (up to `limit`) until every
// live container's lines were captured, and compares: for each live
// container the distinct seqs captured must be exactly 1..emitted. Gone
// containers (churn) must show a gap-free prefix 1..k.
CaptureReport WaitForExactCapture(leakbench::testing::InProcessFake& fake, const MemorySink& sink,
                                  std::chrono::milliseconds limit = std::chrono::seconds(20));

std::string Describe(const CaptureReport& report);

// A fake with `containers` containers writing `rate` lines/s of 60-200
// bytes, 20% on stderr, a history long enough for every test.
fakedocker::DaemonConfig FakeConfig(std::size_t containers, double rate);

// Follow streams (/logs) open now and the peak, per the fake's truth.
struct StreamCounts {
  std::uint64_t open = 0;
  std::uint64_t peak = 0;
};
StreamCounts Streams(leakbench::testing::InProcessFake& fake);

// Waits `d`, reading the fake's open follow streams every 100 ms; returns
// the most seen at once.
std::uint64_t RunWatchingStreams(leakbench::testing::InProcessFake& fake, std::chrono::milliseconds d);

// Threads of this process (/proc/self/task).
std::size_t ProcessThreads();

}  // namespace logcap::testing
