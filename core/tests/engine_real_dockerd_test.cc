// The engine against a real dockerd (started privately by RealDockerd; the
// test is skipped with the reason when that cannot be done here) with real
// busybox containers: short lines on stdout and stderr written back to back,
// lines far over 16 KiB (split by dockerd into pieces sharing a timestamp),
// a TTY container (raw stream, \r\n), and containers that exit while
// followed, all with rotation every 2 s and fewer slots than containers.
// Every container stamps its lines "cid=<12 chars> seq=<N> ", so the test
// knows exactly what must arrive: each seq once, none missing.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/tests/support/engine_under_test.h"
#include "core/tests/support/memory_sink.h"
#include "fakes/tests/support/polling.h"
#include "fakes/tests/support/real_dockerd.h"

namespace logcap::testing {
namespace {

using leakbench::testing::Eventually;
using leakbench::testing::RealDockerd;
using namespace std::chrono_literals;

class EngineRealDockerd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    daemon_ = RealDockerd::Start(&why).release();
    if (daemon_ == nullptr) skip_reason_ = new std::string(why);
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  void SetUp() override {
    if (daemon_ == nullptr) GTEST_SKIP() << "no real dockerd here: " << *skip_reason_;
  }

  // Runs a detached container whose shell script writes `n` stamped lines.
  // `body` prints line i (a shell snippet using $i and $tag).
  static void Run(const std::string& tag, int n, const std::string& body, bool tty = false,
                  const std::string& pace = "if [ $((i % 40)) -eq 0 ]; then sleep 0.3; fi") {
    const std::string script = "tag=" + tag + "; i=0; while [ $i -lt " + std::to_string(n) +
                               " ]; do i=$((i+1)); " + body + "; " + pace + "; done";
    daemon_->Docker(std::string("run -d --network none ") + (tty ? "-t " : "") + "--name c" + tag + " " +
                    RealDockerd::kImage + " sh -c '" + script + "'");
  }

  static RealDockerd* daemon_;
  static std::string* skip_reason_;
};

RealDockerd* EngineRealDockerd::daemon_ = nullptr;
std::string* EngineRealDockerd::skip_reason_ = nullptr;

// Waits until each tag has all its seqs, then checks exactness.
void ExpectExactly(const MemorySink& sink, const std::map<std::string, int>& expected) {
  const bool all = Eventually(
      [&] {
        const auto snap = sink.Snapshot();
        for (const auto& [tag, n] : expected) {
          auto it = snap.find(tag);
          if (it == snap.end() || it->second.seq_count.size() < static_cast<std::size_t>(n)) return false;
        }
        return true;
      },
      60s);
  const auto snap = sink.Snapshot();
  for (const auto& [tag, n] : expected) {
    auto it = snap.find(tag);
    ASSERT_NE(it, snap.end()) << tag << ": nothing captured";
    const ContainerCapture& c = it->second;
    EXPECT_EQ(c.seq_count.size(), static_cast<std::size_t>(n)) << tag << " incomplete (all=" << all << ")";
    EXPECT_EQ(c.seq_count.begin()->first, 1u) << tag;
    EXPECT_EQ(c.seq_count.rbegin()->first, static_cast<std::uint64_t>(n)) << tag;
    std::uint64_t dups = 0;
    for (const auto& [seq, times] : c.seq_count) dups += times - 1;
    EXPECT_EQ(dups, 0u) << tag << " has duplicates";
    EXPECT_EQ(c.unparsed, 0u) << tag << " has lines without a stamp (split or mangled)";
  }
  EXPECT_EQ(sink.Summary().duplicates, 0u);
}

TEST_F(EngineRealDockerd, RotatingFollowerLosesAndRepeatsNothing) {
  MemorySink sink;
  Config config = TestConfig(daemon_->socket_path());
  config.docker.rotation_interval = 2s;
  config.docker.rotation_jitter = 300ms;
  config.docker.max_streams = 3;  // 5 containers: turns
  EngineUnderTest engine(config, sink);
  ASSERT_TRUE(Eventually([&] { return engine.engine().stats().connected; }, 10s)) << daemon_->LogTail();

  std::map<std::string, int> expected;
  // Short lines, stdout and stderr interleaved back to back.
  Run("aaaaaaaaaaa1", 600, "echo \"cid=$tag seq=$i stream=out\"; i=$((i+1)); echo \"cid=$tag seq=$i stream=err\" >&2");
  expected["aaaaaaaaaaa1"] = 600;
  // Lines of 40,000 bytes: dockerd splits each into 3 pieces.
  Run("bbbbbbbbbbb2", 120,
      "printf \"cid=$tag seq=$i \"; head -c 40000 /dev/zero | tr \"\\\\0\" x; echo", false,
      "if [ $((i % 10)) -eq 0 ]; then sleep 0.3; fi");
  expected["bbbbbbbbbbb2"] = 120;
  // A TTY container: raw stream, \r\n line ends.
  Run("ccccccccccc3", 400, "echo \"cid=$tag seq=$i tty line\"", true);
  expected["ccccccccccc3"] = 400;
  // Bursts: 100 lines per write burst without pause.
  Run("ddddddddddd4", 1000, "echo \"cid=$tag seq=$i burst\"", false,
      "if [ $((i % 100)) -eq 0 ]; then sleep 0.4; fi");
  expected["ddddddddddd4"] = 1000;
  // A long TTY line.
  Run("eeeeeeeeeee5", 60, "printf \"cid=$tag seq=$i \"; head -c 20000 /dev/zero | tr \"\\\\0\" y; echo", true,
      "if [ $((i % 10)) -eq 0 ]; then sleep 0.3; fi");
  expected["eeeeeeeeeee5"] = 60;

  ExpectExactly(sink, expected);
  const EngineStats stats = engine.engine().stats();
  EXPECT_GT(stats.rotations, 3u) << "the run must rotate streams to test anything";
  std::uint64_t longest = 0;
  for (const auto& [tag, c] : sink.Snapshot()) longest = std::max(longest, c.max_line_bytes);
  EXPECT_GT(longest, 40'000u);
  std::cout << "[ figures ] real dockerd: " << sink.Summary().records << " records, rotations " << stats.rotations
            << ", streams opened " << stats.streams_opened << ", replayed frames dropped "
            << stats.replayed_dropped << "\n";
}

}  // namespace
}  // namespace logcap::testing
