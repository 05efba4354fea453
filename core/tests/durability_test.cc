// No line lost across restarts whatever the sink does: the log-capturer
// binary against the fake-dockerd binary, with a state file, is stopped
// (SIGTERM or SIGKILL) while its sink is slow, down, full or refusing, then
// started again on the same state file with a working sink. Every line the
// fake's containers wrote is counted by cid/seq over both runs' outputs:
// none may be missing, and the duplicates are bounded by what the first run
// had not delivered. Every line of a file sink must be valid JSON.
// Labels: process, faults.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/loki_push_receiver.h"
#include "core/tests/support/capturer_process.h"
#include "core/tests/support/memory_sink.h"
#include "core/tests/support/seq_tally.h"
#include "fakes/tests/support/fake_process.h"
#include "fakes/tests/support/polling.h"

namespace logcap::testing {
namespace {

using leakbench::testing::Eventually;
using leakbench::testing::FakeProcess;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kCapturer = LOG_CAPTURER_PATH;
const std::string kFake = FAKE_DOCKERD_PATH;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Lines each container wrote, by cid; the generators are stopped first.
std::map<std::string, std::uint64_t> StopAndCountEmitted(const FakeProcess& fake) {
  fake.Act({{"action", "set"}, {"target", "*"}, {"rate", 0}});
  std::map<std::string, std::uint64_t> emitted;
  for (const auto& c : fake.Control("GET", "/containers")) {
    emitted[c.at("cid").get<std::string>()] = c.at("emitted").get<std::uint64_t>();
  }
  return emitted;
}

std::uint64_t Total(const std::map<std::string, std::uint64_t>& emitted) {
  std::uint64_t n = 0;
  for (const auto& [cid, e] : emitted) n += e;
  return n;
}

// "N records were not delivered" from a stopped run's log, else 0.
std::uint64_t ReportedUndelivered(const std::string& log) {
  const std::size_t at = log.find(" records were not delivered");
  if (at == std::string::npos) return 0;
  std::size_t start = at;
  while (start > 0 && std::isdigit(static_cast<unsigned char>(log[start - 1])) != 0) --start;
  return start == at ? 0 : std::stoull(log.substr(start, at - start));
}

// The engine's settings shared by both runs: small buffer (backpressure
// within a second), 3 s rotation, positions flushed every second.
std::string WriteConfig(const std::string& dir, const std::string& extra = "") {
  const std::string path = dir + "/capturer.yaml";
  std::ofstream(path) << "sink:\n  buffer_bytes: 65536\n  batch_bytes: 32768\n" << extra
                      << "state:\n  flush_interval: 1s\n";
  return path;
}

std::vector<std::string> Args(const FakeProcess& fake, const std::string& config, const std::string& sink) {
  return {"--docker-host", "unix://" + fake.socket(), "--config", config,   "--sink",
          sink,            "--state-file",            fake.dir() + "/state.json", "--rotation-interval",
          "3s",            "--metrics-listen",        ""};
}

// Five containers writing 100 lines/s each, history for the whole test.
std::unique_ptr<FakeProcess> StartFake() {
  auto fake = std::make_unique<FakeProcess>(
      kFake, std::vector<std::string>{"--containers", "5", "--rate", "100", "--retention", "1000000"});
  return fake;
}

// Reads a FIFO slowly (4 KiB per 200 ms, ~20 KB/s: far slower than the
// containers write) on its own thread until the writer closes it.
class SlowFifoReader {
 public:
  explicit SlowFifoReader(std::string path) : path_(std::move(path)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~SlowFifoReader() { Join(); }
  SlowFifoReader(const SlowFifoReader&) = delete;
  SlowFifoReader& operator=(const SlowFifoReader&) = delete;

  // Reads at full speed from now on, until EOF, and returns everything.
  std::string Finish() {
    fast_ = true;
    // A writer that never opened the FIFO (the capturer failed at start)
    // leaves the reader in open(): a writer of our own ends that at once.
    const int fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
    Join();
    return data_;
  }

 private:
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  void Run() {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);  // waits for the writer
    if (fd < 0) return;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      data_.append(buf, static_cast<std::size_t>(n));
      if (!fast_) std::this_thread::sleep_for(200ms);  // the slow consumer itself, not a wait
    }
    ::close(fd);
  }
  std::string path_;
  std::atomic<bool> fast_{false};
  std::string data_;
  std::thread thread_;
};

// The second run: a plain file sink, until every emitted line is in.
void CatchUp(const FakeProcess& fake, const std::string& config, const std::string& sink, SeqTally& tally,
             const std::function<void(SeqTally&)>& read_outputs, std::map<std::string, std::uint64_t>* emitted) {
  CapturerProcess run(kCapturer, Args(fake, config, sink));
  // Let it read for a moment with the generators still running, then stop
  // them so there is a fixed total to reach.
  std::this_thread::sleep_for(1s);  // only lets the generators run on; nothing is judged from it
  *emitted = StopAndCountEmitted(fake);
  const std::uint64_t total = Total(*emitted);
  SeqTally probe;
  ASSERT_TRUE(Eventually(
      [&] {
        probe = tally;
        read_outputs(probe);
        std::string ignored;
        return probe.Missing(*emitted, &ignored) == 0;
      },
      60s))
      << probe.records << " records for " << total << " emitted\n"
      << run.stderr_text();
  const auto status = run.Signal(SIGTERM, 5s);
  EXPECT_EQ(status.code, 0) << status.ToString() << "\n" << run.stderr_text();
  read_outputs(tally);
}

struct Verdict {
  std::uint64_t emitted = 0;
  std::uint64_t missing = 0;
  std::uint64_t duplicates = 0;
  std::string detail;
};

Verdict Judge(const SeqTally& tally, const std::map<std::string, std::uint64_t>& emitted) {
  Verdict v;
  v.emitted = Total(emitted);
  v.missing = tally.Missing(emitted, &v.detail);
  v.duplicates = tally.duplicates();
  std::printf("[ figures  ] emitted %llu, delivered %llu records, missing %llu, duplicates %llu\n",
              static_cast<unsigned long long>(v.emitted), static_cast<unsigned long long>(tally.records),
              static_cast<unsigned long long>(v.missing), static_cast<unsigned long long>(v.duplicates));
  return v;
}

// Records one run can hold unacknowledged: the 64 KiB buffer (records are
// > 100 bytes of JSON) plus what is written but not yet in the state file
// (one flush interval, 1 s, of 500 lines/s, and a margin for the SIGKILL
// race with a save).
constexpr std::uint64_t kUnacknowledgedBound = 65536 / 100 + 2 * 500;

// A slow consumer on a FIFO file sink for 5 s, then `signal`; then a
// second run on a plain file catches up.
void SlowFifoFirstRun(int signal) {
  auto fake = StartFake();
  ASSERT_TRUE(fake->ready()) << fake->failure();
  const std::string config = WriteConfig(fake->dir());
  const std::string fifo = fake->dir() + "/out.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  SeqTally tally;
  std::uint64_t undelivered = 0;
  {
    SlowFifoReader reader(fifo);
    CapturerProcess first(kCapturer, Args(*fake, config, "file:" + fifo));
    std::this_thread::sleep_for(5s);  // the run being judged: 5 s with a slow consumer
    const auto status = first.Signal(signal, 5s);
    if (signal == SIGTERM) {
      EXPECT_EQ(status.code, 1) << "a sink that could not deliver everything must end non-zero\n"
                                << first.stderr_text();
      undelivered = ReportedUndelivered(first.stderr_text());
      EXPECT_GT(undelivered, 0u) << first.stderr_text();
      EXPECT_NE(first.stderr_text().find("read again from the daemon"), std::string::npos) << first.stderr_text();
    }
    tally.AddJsonl(reader.Finish(), /*allow_torn_tail=*/true);
  }
  const std::string out = fake->dir() + "/out.jsonl";
  std::map<std::string, std::uint64_t> emitted;
  CatchUp(*fake, config, "file:" + out, tally, [&](SeqTally& t) { t.AddJsonl(ReadFile(out), false); }, &emitted);
  const Verdict v = Judge(tally, emitted);
  EXPECT_EQ(v.missing, 0u) << v.detail;
  EXPECT_EQ(tally.invalid_json, 0u);
  EXPECT_LE(v.duplicates, undelivered + kUnacknowledgedBound);
}

TEST(Durability, SlowFifoReaderThenSigterm) { SlowFifoFirstRun(SIGTERM); }
TEST(Durability, SlowFifoReaderThenSigkill) { SlowFifoFirstRun(SIGKILL); }

// Loki that does not answer (nothing listens), or answers an error status.
void LokiFirstRun(int first_status) {
  auto fake = StartFake();
  ASSERT_TRUE(fake->ready()) << fake->failure();
  const std::string config = WriteConfig(fake->dir(), "  batch_wait: 200ms\n");
  std::mutex pushed_mu;
  std::vector<std::string> pushed;
  leakbench::LokiPushReceiver loki([&](std::string_view, std::string_view, std::string_view line) {
    std::lock_guard lock(pushed_mu);
    pushed.emplace_back(line);
  });
  auto lines = [&] {
    std::lock_guard lock(pushed_mu);
    return pushed;
  };
  SeqTally tally;
  std::uint64_t undelivered = 0;
  {
    const std::string url = first_status == 0 ? "http://127.0.0.1:" + std::to_string(leakbench::UnusedLoopbackPort())
                                              : loki.url();
    loki.set_status(first_status == 0 ? 204 : first_status);
    CapturerProcess first(kCapturer, Args(*fake, config, "loki:" + url));
    std::this_thread::sleep_for(4s);  // the run being judged: Loki down or refusing throughout
    const auto status = first.Signal(SIGTERM, 5s);
    EXPECT_EQ(status.code, 1) << status.ToString() << "\n" << first.stderr_text();
    undelivered = ReportedUndelivered(first.stderr_text());
    EXPECT_GT(undelivered, 0u) << first.stderr_text();
  }
  EXPECT_TRUE(lines().empty()) << "nothing may be accepted while Loki refuses";
  loki.set_status(204);
  std::map<std::string, std::uint64_t> emitted;
  CatchUp(*fake, config, "loki:" + loki.url(), tally,
          [&](SeqTally& t) {
            for (const std::string& line : lines()) t.AddLine(line);
          },
          &emitted);
  const Verdict v = Judge(tally, emitted);
  EXPECT_EQ(v.missing, 0u) << v.detail;
  EXPECT_EQ(loki.stats().rejected, 0u) << loki.last_rejection();
  EXPECT_LE(v.duplicates, undelivered + kUnacknowledgedBound);
}

TEST(Durability, LokiDownThenSigterm) { LokiFirstRun(0); }
TEST(Durability, LokiAnswering404ThenSigterm) { LokiFirstRun(404); }
TEST(Durability, LokiAnswering401ThenSigterm) { LokiFirstRun(401); }

// A file sink on a full filesystem (a 1 MiB tmpfs of our own, filled up),
// SIGTERM, space freed, restart on the same file.
TEST(Durability, DiskFullThenSigtermThenSpaceFreed) {
  auto fake = StartFake();
  ASSERT_TRUE(fake->ready()) << fake->failure();
  const std::string mnt = fake->dir() + "/small";
  ASSERT_EQ(::mkdir(mnt.c_str(), 0700), 0);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0) {
    GTEST_SKIP() << "cannot mount a small tmpfs here (" << std::strerror(errno)
                 << "); the disk-full case needs root with CAP_SYS_ADMIN";
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};
  const std::string config = WriteConfig(fake->dir());
  const std::string out = mnt + "/out.jsonl";
  const std::string filler = mnt + "/filler";
  {
    // Leave ~64 KiB: the first run fills it within a second.
    std::ofstream f(filler, std::ios::binary);
    const std::string block(4096, 'x');
    for (int i = 0; i < (1 << 20) / 4096 - 16; ++i) f << block;
  }
  SeqTally tally;
  std::uint64_t undelivered = 0;
  {
    CapturerProcess first(kCapturer, Args(*fake, config, "file:" + out));
    std::this_thread::sleep_for(4s);  // the run being judged: the disk is full
    const auto status = first.Signal(SIGTERM, 5s);
    EXPECT_EQ(status.code, 1) << status.ToString() << "\n" << first.stderr_text();
    undelivered = ReportedUndelivered(first.stderr_text());
    EXPECT_GT(undelivered, 0u) << first.stderr_text();
  }
  ASSERT_EQ(::unlink(filler.c_str()), 0);
  std::map<std::string, std::uint64_t> emitted;
  CatchUp(*fake, config, "file:" + out, tally, [&](SeqTally& t) { t.AddJsonl(ReadFile(out), false); }, &emitted);
  const Verdict v = Judge(tally, emitted);
  EXPECT_EQ(v.missing, 0u) << v.detail;
  EXPECT_EQ(tally.invalid_json, 0u) << "every line of the file must be valid JSON";
  EXPECT_LE(v.duplicates, undelivered + kUnacknowledgedBound);
}

}  // namespace
}  // namespace logcap::testing
