// The file sink's durability: torn-record repair at open, rotation by size,
// reopen (SIGHUP), fdatasync-gated acknowledgement; and EPIPE being fatal
// for an fd sink.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/sink/jsonl_sink.h"
#include "core/sink/sink_test_util.h"

namespace logcap {
namespace {

using std::chrono::milliseconds;
using testing_util::MakePipe;
using testing_util::ParseJsonLines;
using testing_util::Pipe;
using testing_util::ReadWholeFile;
using testing_util::Record;
using testing_util::UniqueTempPath;
using testing_util::WaitUntil;

bool Exists(const std::string& path) {
  struct stat st = {};
  return ::stat(path.c_str(), &st) == 0;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// Blocks every sync until released; counts the calls.
class SyncGate {
 public:
  std::function<int(int)> Function() {
    return [this](int) {
      std::unique_lock lock(mu_);
      ++calls_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
      return 0;
    };
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitForCall(milliseconds timeout = milliseconds(5000)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return calls_ > 0; });
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  bool open_ = false;
};

class FileDurabilityTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const std::string& p : {path_, path_ + ".1", path_ + ".2", path_ + ".3", path_ + ".moved"}) {
      ::unlink(p.c_str());
    }
  }
  static JsonlFileOptions NoFsync() {
    JsonlFileOptions options;
    options.fsync_interval = {};
    return options;
  }
  const std::string path_ = UniqueTempPath("durable") + ".jsonl";
};

TEST_F(FileDurabilityTest, ATornLastRecordIsCutAtOpen) {
  WriteFile(path_, "{\"n\":1}\n{\"n\":2}\n{\"ts\":\"2026-11-28T14:43:59.8");
  auto sink = MakeJsonlFileSink(path_, 1 << 20, NoFsync());
  ASSERT_TRUE(sink->TryWrite(Record("a", "after")));
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  const std::string text = ReadWholeFile(path_);
  EXPECT_TRUE(text.starts_with("{\"n\":1}\n{\"n\":2}\n{\"ts\":")) << text;
  const auto lines = ParseJsonLines(text);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2]["line"], "after");
}

TEST_F(FileDurabilityTest, AFileWithoutAnyNewlineIsEmptied) {
  WriteFile(path_, std::string(70000, 'x'));  // longer than one read block
  auto sink = MakeJsonlFileSink(path_, 1 << 20, NoFsync());
  ASSERT_TRUE(sink->TryWrite(Record("a", "first")));
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  const auto lines = ParseJsonLines(ReadWholeFile(path_));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["line"], "first");
}

TEST_F(FileDurabilityTest, AWholeFileIsLeftAlone) {
  WriteFile(path_, "{\"n\":1}\n");
  auto sink = MakeJsonlFileSink(path_, 1 << 20, NoFsync());
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(ReadWholeFile(path_), "{\"n\":1}\n");
}

// max_bytes 1000, keep 2: every file at most 1000 bytes of whole records,
// path.3 never exists, and what is kept is the newest records, in order.
TEST_F(FileDurabilityTest, RotationBySizeKeepsNFilesAndNeverSplitsARecord) {
  JsonlFileOptions options = NoFsync();
  options.max_bytes = 1000;
  options.keep = 2;
  auto sink = MakeJsonlFileSink(path_, 1 << 20, options);
  constexpr int kRecords = 60;  // ~170 bytes each: ~10 files' worth
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_TRUE(sink->TryWrite(Record("rot", "record " + std::to_string(i) + std::string(40, '.'), i)));
  }
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_FALSE(Exists(path_ + ".3"));
  std::vector<int> kept;
  for (const std::string& p : {path_ + ".2", path_ + ".1", path_}) {
    const std::string text = ReadWholeFile(p);
    EXPECT_LE(text.size(), 1000u) << p;
    EXPECT_GT(text.size(), 500u) << p;  // filled before rotating (5 records of ~170)
    for (const auto& line : ParseJsonLines(text)) {
      kept.push_back(std::stoi(line["line"].get<std::string>().substr(7)));
    }
  }
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.back(), kRecords - 1);
  for (std::size_t i = 1; i < kept.size(); ++i) EXPECT_EQ(kept[i], kept[i - 1] + 1);
}

TEST_F(FileDurabilityTest, ARecordLargerThanMaxBytesGetsAFileOfItsOwn) {
  JsonlFileOptions options = NoFsync();
  options.max_bytes = 300;
  auto sink = MakeJsonlFileSink(path_, 1 << 20, options);
  ASSERT_TRUE(sink->TryWrite(Record("a", "small")));
  ASSERT_TRUE(sink->TryWrite(Record("a", std::string(1000, 'B'))));
  ASSERT_TRUE(sink->TryWrite(Record("a", "small again")));
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  ASSERT_EQ(ParseJsonLines(ReadWholeFile(path_ + ".2")).size(), 1u);
  const auto big = ParseJsonLines(ReadWholeFile(path_ + ".1"));
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0]["line"], std::string(1000, 'B'));
  const auto last = ParseJsonLines(ReadWholeFile(path_));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0]["line"], "small again");
}

// logrotate's "move, then SIGHUP": the next record goes to a new file at
// the path; the moved file keeps what was written before.
TEST_F(FileDurabilityTest, ReopenRecreatesAMovedFile) {
  auto sink = MakeJsonlFileSink(path_, 1 << 20, NoFsync());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", "before " + std::to_string(i))));
  ASSERT_TRUE(WaitUntil([&] { return sink->acknowledged() == 3; }));
  ASSERT_EQ(::rename(path_.c_str(), (path_ + ".moved").c_str()), 0);
  sink->Reopen();
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", "after " + std::to_string(i))));
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  const auto moved = ParseJsonLines(ReadWholeFile(path_ + ".moved"));
  ASSERT_EQ(moved.size(), 3u);
  EXPECT_EQ(moved[2]["line"], "before 2");
  ASSERT_TRUE(Exists(path_));
  const auto fresh = ParseJsonLines(ReadWholeFile(path_));
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_EQ(fresh[0]["line"], "after 0");
}

// Written is not acknowledged: only a sync that covers the records is, and
// the writer syncs on its own within fsync_interval with no new records.
TEST_F(FileDurabilityTest, AcknowledgementWaitsForTheSyncAndComesWithoutNewRecords) {
  SyncGate gate;
  JsonlFileOptions options;
  options.fsync_interval = milliseconds(20);
  options.sync_for_test = gate.Function();
  auto sink = MakeJsonlFileSink(path_, 1 << 20, options);
  // Destroyed before the sink: a failed assertion must not leave Close's
  // final sync blocked.
  struct OpenAtExit {
    SyncGate& gate;
    ~OpenAtExit() { gate.Open(); }
  } open_at_exit{gate};
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", std::to_string(i))));
  ASSERT_TRUE(WaitUntil([&] { return sink->stats().records_written == 10; }));
  ASSERT_TRUE(gate.WaitForCall());  // the timer fired: no record came after the ten
  EXPECT_EQ(sink->acknowledged(), 0u) << "acknowledged before the sync returned";
  EXPECT_EQ(ParseJsonLines(ReadWholeFile(path_)).size(), 10u);
  gate.Open();
  ASSERT_TRUE(WaitUntil([&] { return sink->acknowledged() == 10; }));
  EXPECT_EQ(sink->stats().records_acknowledged, 10u);
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
}

TEST_F(FileDurabilityTest, CloseSyncsWhatIsLeft) {
  std::atomic<int> syncs{0};
  JsonlFileOptions options;
  options.fsync_interval = std::chrono::hours(1);
  options.sync_for_test = [&](int) { return ++syncs, 0; };
  auto sink = MakeJsonlFileSink(path_, 1 << 20, options);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", std::to_string(i))));
  ASSERT_TRUE(WaitUntil([&] { return sink->stats().records_written == 5; }));
  EXPECT_EQ(sink->acknowledged(), 0u);
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(syncs.load(), 1);
  EXPECT_EQ(sink->acknowledged(), 5u);
}

TEST_F(FileDurabilityTest, ZeroIntervalAcknowledgesOnWriteWithoutSyncing) {
  std::atomic<int> syncs{0};
  JsonlFileOptions options;
  options.fsync_interval = {};
  options.sync_for_test = [&](int) { return ++syncs, 0; };
  auto sink = MakeJsonlFileSink(path_, 1 << 20, options);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", std::to_string(i))));
  ASSERT_TRUE(WaitUntil([&] { return sink->acknowledged() == 5; }));
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(syncs.load(), 0);
}

TEST_F(FileDurabilityTest, AFailedSyncIsFatalAndAcknowledgesNothing) {
  JsonlFileOptions options;
  options.fsync_interval = milliseconds(1);
  options.sync_for_test = [](int) {
    errno = EIO;
    return -1;
  };
  auto sink = MakeJsonlFileSink(path_, 1 << 20, options);
  ASSERT_TRUE(sink->TryWrite(Record("a", "1")));
  ASSERT_TRUE(WaitUntil([&] { return sink->fatal_error().has_value(); }));
  EXPECT_NE(sink->fatal_error()->find("fdatasync failed"), std::string::npos) << *sink->fatal_error();
  EXPECT_EQ(sink->acknowledged(), 0u);
  EXPECT_FALSE(sink->TryWrite(Record("a", "2")));
  EXPECT_FALSE(sink->Close(milliseconds(5000)));
}

// The reader of a pipe sink (stdout in production) went away for good.
TEST(JsonlPipeSinkTest, ABrokenPipeIsFatal) {
  Pipe pipe = MakePipe();
  ASSERT_TRUE(pipe.read.valid());
  pipe.read.Reset();
  auto sink = MakeJsonlSink(std::move(pipe.write), "stdout", 1 << 20);
  EXPECT_FALSE(sink->fatal_error().has_value());
  // The writer thread may meet EPIPE after the first record already, and from
  // then on TryWrite refuses: count what was taken rather than assume all 5.
  ASSERT_TRUE(sink->TryWrite(Record("a", "lost reader")));
  std::uint64_t accepted = 1;
  for (int i = 1; i < 5; ++i) accepted += sink->TryWrite(Record("a", "lost reader")) ? 1 : 0;
  ASSERT_TRUE(WaitUntil([&] { return sink->fatal_error().has_value(); }));
  EXPECT_NE(sink->fatal_error()->find("stdout is a broken pipe (EPIPE)"), std::string::npos)
      << *sink->fatal_error();
  EXPECT_EQ(sink->acknowledged(), 0u);
  EXPECT_FALSE(sink->TryWrite(Record("a", "refused")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sink->Close(milliseconds(5000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));  // no waiting for a deadline
  EXPECT_EQ(sink->stats().records_dropped, accepted);
  EXPECT_EQ(sink->acknowledged(), 0u);
}

}  // namespace
}  // namespace logcap
