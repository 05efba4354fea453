// --inject-fault against the in-process fake-dockerd: each fault must really
// do what leakbench's negative control relies on, and without a fault none
// of it may happen. Rotation every 1 s (the minimum), 3-4 containers; every
// wait is a bounded poll on a condition (rotations done, lines caught up).
//
//   no fault             every line exactly once, daemon side gap-free, no
//                        error line, no fault counted
//   drop-line:10         exactly one line in 10 lost, never read again; the
//                        daemon sent every line (delivery stays clean)
//   duplicate-on-reopen  nothing lost, lines of every container written twice
//   skip-container:2     the 2nd, 4th, 6th container discovered never get a
//                        follow stream, the others are captured
//   error-lines:2        one error-level line per 2 rotations, saying so
//   threads-at-start:150 150 more threads than without, constant, joined
//   late-since:2         gaps in what the daemon sent and in the capture
// Label: integration.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/tests/support/captured_log.h"
#include "core/tests/support/engine_under_test.h"
#include "core/tests/support/memory_sink.h"
#include "core/tests/support/seq_tally.h"
#include "fakes/tests/support/in_process_fake.h"
#include "fakes/tests/support/polling.h"

namespace logcap::testing {
namespace engine_injected_faults_test {

using leakbench::testing::Eventually;
using leakbench::testing::InProcessFake;
using json = nlohmann::json;
using namespace std::chrono_literals;

Config WithFaults(const InProcessFake& fake, FaultConfig faults) {
  Config c = TestConfig(fake.socket());
  c.docker.rotation_interval = 1s;
  c.docker.rotation_jitter = 200ms;
  c.faults = faults;
  return c;
}

std::uint64_t TotalEmitted(InProcessFake& fake) {
  std::uint64_t n = 0;
  for (const auto& c : fake.Control("GET", "/containers")) n += c.at("emitted").get<std::uint64_t>();
  return n;
}

// Distinct (cid, seq) captured, over every container.
std::uint64_t DistinctCaptured(const MemorySink& sink) {
  std::uint64_t n = 0;
  for (const auto& [cid, cap] : sink.Snapshot()) n += cap.seq_count.size();
  return n;
}

// Seqs missing below the highest one captured, over every container: lines
// a later line overtook, i.e. lost for good by an engine that moves forward.
std::uint64_t CaptureHoles(const MemorySink& sink) {
  std::uint64_t holes = 0;
  for (const auto& [cid, cap] : sink.Snapshot()) holes += HolesBelowMax(cap.seq_count);
  return holes;
}

// The daemon's side, from the fake's record of every /logs stream: per
// container, the seqs below the highest one sent that no stream carried
// (each stream carries a contiguous range first_seq..last_seq). What
// leakbench's daemon-side delivery criterion looks at: 0 means every line
// left the daemon, whatever the engine then did with it.
std::uint64_t DaemonSideHoles(InProcessFake& fake) {
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> ranges;
  for (const auto& s : fake.Control("GET", "/streams")) {
    if (s.at("endpoint") != "logs" || s.at("lines_sent").get<std::uint64_t>() == 0) continue;
    ranges[s.at("container_id").get<std::string>()].emplace_back(s.at("first_seq").get<std::uint64_t>(),
                                                                 s.at("last_seq").get<std::uint64_t>());
  }
  std::uint64_t holes = 0;
  for (auto& [id, r] : ranges) {
    std::sort(r.begin(), r.end());
    std::uint64_t next = 1;  // the first seq not yet covered
    for (const auto& [first, last] : r) {
      if (first > next) holes += first - next;
      next = std::max(next, last + 1);
    }
  }
  return holes;
}

// Container ids the fake ever served a /logs stream for.
std::set<std::string> FollowedIds(InProcessFake& fake) {
  std::set<std::string> ids;
  for (const auto& s : fake.Control("GET", "/streams")) {
    if (s.at("endpoint") == "logs") ids.insert(s.at("container_id").get<std::string>());
  }
  return ids;
}

std::uint64_t Rotations(EngineUnderTest& e) { return e.engine().stats().rotations; }

void StopWriting(InProcessFake& fake) { fake.Act({{"action", "set"}, {"target", "*"}, {"rate", 0}}); }

// The control: none of what the faults do happens without them.
TEST(InjectedFault, NoneByDefaultNothingLostDuplicatedSkippedOrLogged) {
  CapturedLog log;
  InProcessFake fake(FakeConfig(4, 50));
  MemorySink sink;
  EngineUnderTest engine(WithFaults(fake, FaultConfig{}), sink);
  ASSERT_TRUE(Eventually([&] { return Rotations(engine) >= 12; }, 30s)) << Rotations(engine) << " rotations";
  const CaptureReport report = WaitForExactCapture(fake, sink);
  EXPECT_TRUE(report.exact()) << Describe(report);
  EXPECT_EQ(sink.Snapshot().size(), 4u) << "every container captured";
  EXPECT_EQ(DaemonSideHoles(fake), 0u) << "the daemon sent every line";
  EXPECT_EQ(FollowedIds(fake).size(), 4u);
  engine.Stop();
  const EngineStats stats = engine.engine().stats();
  EXPECT_EQ(stats.injected_dropped_lines, 0u);
  EXPECT_EQ(stats.injected_skipped_containers, 0u);
  EXPECT_EQ(stats.injected_error_lines, 0u);
  EXPECT_TRUE(log.MessagesAt(spdlog::level::err).empty()) << log.MessagesAt(spdlog::level::err).front();
  EXPECT_EQ(log.Count("INJECTING FAULTS"), 0u);
  EXPECT_EQ(log.Count("injected fault"), 0u);
}

TEST(InjectedFault, DropLineLosesOneLineInNAndNeverReadsItAgain) {
  InProcessFake fake(FakeConfig(3, 50));
  MemorySink sink;
  EngineUnderTest engine(WithFaults(fake, FaultConfig{.drop_line_every = 10}), sink);
  ASSERT_TRUE(Eventually([&] { return Rotations(engine) >= 9; }, 30s)) << Rotations(engine) << " rotations";
  StopWriting(fake);
  const std::uint64_t emitted = TotalEmitted(fake);
  // Caught up: every line was written or dropped by the fault, once.
  ASSERT_TRUE(Eventually(
      [&] { return DistinctCaptured(sink) + engine.engine().stats().injected_dropped_lines == emitted; }, 20s))
      << DistinctCaptured(sink) << " written + " << engine.engine().stats().injected_dropped_lines
      << " dropped, " << emitted << " emitted";
  // Three more rotations of every container: the positions are past the
  // dropped lines, so they do not come back.
  const std::uint64_t rotations = Rotations(engine);
  ASSERT_TRUE(Eventually([&] { return Rotations(engine) >= rotations + 9; }, 20s));
  const std::uint64_t lost = emitted - DistinctCaptured(sink);
  std::cout << "[ figures ] drop-line:10: " << emitted << " emitted, " << lost << " lost, "
            << sink.Summary().duplicates << " duplicated, daemon-side holes " << DaemonSideHoles(fake) << "\n";
  EXPECT_EQ(lost, emitted / 10) << "one line in 10, counted over every line handled";
  EXPECT_EQ(lost, engine.engine().stats().injected_dropped_lines);
  EXPECT_EQ(sink.Summary().duplicates, 0u);
  EXPECT_EQ(DaemonSideHoles(fake), 0u) << "the daemon sent every line; the engine dropped them";
}

TEST(InjectedFault, DuplicateOnReopenWritesLinesTwice) {
  InProcessFake fake(FakeConfig(3, 20));
  MemorySink sink;
  EngineUnderTest engine(WithFaults(fake, FaultConfig{.duplicate_on_reopen = true}), sink);
  ASSERT_TRUE(Eventually([&] { return Rotations(engine) >= 12; }, 30s)) << Rotations(engine) << " rotations";
  StopWriting(fake);
  const std::uint64_t emitted = TotalEmitted(fake);
  ASSERT_TRUE(Eventually([&] { return DistinctCaptured(sink) == emitted; }, 20s))
      << DistinctCaptured(sink) << " of " << emitted << ": the rewind must lose nothing";
  std::map<std::string, std::uint64_t> duplicated;  // per cid
  for (const auto& [cid, cap] : sink.Snapshot()) {
    duplicated[cid] += Duplicates(cap.seq_count);
  }
  std::cout << "[ figures ] duplicate-on-reopen: " << emitted << " emitted, " << sink.Summary().duplicates
            << " duplicated over " << Rotations(engine) << " rotations\n";
  EXPECT_GT(sink.Summary().duplicates, 0u);
  ASSERT_EQ(duplicated.size(), 3u);
  for (const auto& [cid, n] : duplicated) EXPECT_GT(n, 0u) << cid << ": reopened without duplicates";
  EXPECT_EQ(CaptureHoles(sink), 0u);
}

TEST(InjectedFault, SkipContainerNeverFollowsOneContainerInN) {
  InProcessFake fake(FakeConfig(4, 20));
  MemorySink sink;
  EngineUnderTest engine(WithFaults(fake, FaultConfig{.skip_container_every = 2}), sink);
  ASSERT_TRUE(Eventually([&] { return Rotations(engine) >= 6 && sink.Snapshot().size() == 2; }, 30s))
      << Rotations(engine) << " rotations, " << sink.Snapshot().size() << " containers captured";
  // Two more, discovered through events: the 5th is followed, the 6th not.
  fake.Act({{"action", "add"}, {"count", 2}, {"rate", 20}});
  ASSERT_TRUE(Eventually([&] { return sink.Snapshot().size() == 3 && engine.engine().stats().injected_skipped_containers == 3; },
                         20s))
      << sink.Snapshot().size() << " containers captured, " << engine.engine().stats().injected_skipped_containers
      << " skipped";
  const std::uint64_t rotations = Rotations(engine);
  ASSERT_TRUE(Eventually([&] { return Rotations(engine) >= rotations + 6; }, 20s));
  EXPECT_EQ(fake.Control("GET", "/containers").size(), 6u);
  EXPECT_EQ(sink.Snapshot().size(), 3u) << "3 of 6 containers captured";
  EXPECT_EQ(FollowedIds(fake).size(), 3u) << "a skipped container never gets a follow stream";
  EXPECT_EQ(engine.engine().stats().containers, 3u);
}

TEST(InjectedFault, ErrorLinesLogsOneErrorLineEveryNRotations) {
  CapturedLog log;
  InProcessFake fake(FakeConfig(3, 10));
  MemorySink sink;
  EngineUnderTest engine(WithFaults(fake, FaultConfig{.error_lines_every = 2}), sink);
  ASSERT_TRUE(Eventually([&] { return log.MessagesAt(spdlog::level::err).size() >= 4; }, 30s))
      << log.MessagesAt(spdlog::level::err).size() << " error lines after " << Rotations(engine) << " rotations";
  // Nothing else went wrong: every line is still there. Emission stops and
  // the engine catches up before it is stopped (stopped first, it could not
  // read a line the fake wrote after it: CI saw 30 of 31 per container).
  const CaptureReport report = WaitForExactCapture(fake, sink);
  engine.Stop();
  const std::vector<std::string> errors = log.MessagesAt(spdlog::level::err);
  EXPECT_EQ(errors.size(), Rotations(engine) / 2);
  EXPECT_EQ(errors.size(), engine.engine().stats().injected_error_lines);
  for (const std::string& e : errors) {
    EXPECT_NE(e.find("injected fault (--inject-fault error-lines:2)"), std::string::npos) << e;
  }
  EXPECT_EQ(log.Count("INJECTING FAULTS (--inject-fault, for leakbench's negative controls): error-lines:2;"), 1u);
  EXPECT_TRUE(report.exact()) << Describe(report);
}

// Threads of this process while an engine with `faults` runs 6 rotations:
// the fewest and the most seen, sampled every 50 ms.
std::pair<std::size_t, std::size_t> ThreadsWhileRunning(InProcessFake& fake, FaultConfig faults) {
  MemorySink sink;
  EngineUnderTest engine(WithFaults(fake, faults), sink);
  EXPECT_TRUE(Eventually([&] { return engine.engine().stats().connected && sink.Summary().records > 0; }, 10s));
  std::size_t fewest = ProcessThreads(), most = fewest;
  const std::uint64_t until = Rotations(engine) + 6;
  EXPECT_TRUE(Eventually(
      [&] {
        const std::size_t n = ProcessThreads();
        fewest = std::min(fewest, n);
        most = std::max(most, n);
        return Rotations(engine) >= until;
      },
      20s));
  return {fewest, most};
}

TEST(InjectedFault, ThreadsAtStartAddsNIdleThreadsThatStayConstant) {
  InProcessFake fake(FakeConfig(3, 10));
  const std::size_t before = ProcessThreads();
  const auto [plain_fewest, plain_most] = ThreadsWhileRunning(fake, FaultConfig{});
  ASSERT_TRUE(Eventually([&] { return ProcessThreads() == before; }, 5s));
  const auto [fault_fewest, fault_most] = ThreadsWhileRunning(fake, FaultConfig{.threads_at_start = 150});
  std::cout << "[ figures ] threads-at-start:150: " << before << " threads before, " << plain_fewest << ".."
            << plain_most << " with an engine, " << fault_fewest << ".." << fault_most << " with the fault\n";
  EXPECT_EQ(plain_fewest, plain_most) << "an engine's threads are constant";
  EXPECT_EQ(fault_fewest, fault_most) << "the fault's threads are constant: no growth to find";
  EXPECT_EQ(fault_fewest, plain_fewest + 150);
  EXPECT_TRUE(Eventually([&] { return ProcessThreads() == before; }, 5s))
      << ProcessThreads() << " threads after the engine, " << before << " before: they must be joined";
}

TEST(InjectedFault, LateSinceLeavesGapsAtTheSource) {
  InProcessFake fake(FakeConfig(3, 20));
  MemorySink sink;
  EngineUnderTest engine(WithFaults(fake, FaultConfig{.late_since_seconds = 2}), sink);
  ASSERT_TRUE(Eventually([&] { return Rotations(engine) >= 9 && CaptureHoles(sink) > 0 && DaemonSideHoles(fake) > 0; },
                         30s))
      << Rotations(engine) << " rotations, " << CaptureHoles(sink) << " holes in the capture, "
      << DaemonSideHoles(fake) << " in what the daemon sent";
  StopWriting(fake);
  const std::uint64_t emitted = TotalEmitted(fake);
  const std::uint64_t daemon_holes = DaemonSideHoles(fake);
  std::cout << "[ figures ] late-since:2: " << emitted << " emitted, " << DistinctCaptured(sink) << " captured, "
            << CaptureHoles(sink) << " holes in the capture, " << daemon_holes << " never sent by the daemon\n";
  EXPECT_LT(DistinctCaptured(sink), emitted);
  EXPECT_EQ(sink.Summary().duplicates, 0u);
  // Lost at the source: what the capture misses, the daemon never sent.
  EXPECT_GE(daemon_holes * 2, CaptureHoles(sink)) << "most of the loss must be lines never asked for";
}

}  // namespace engine_injected_faults_test
}  // namespace logcap::testing
