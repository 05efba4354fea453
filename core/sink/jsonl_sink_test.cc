#include "core/sink/jsonl_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

// Fills the pipe to the brim so that the sink's writer cannot write a byte;
// returns how many bytes it took.
std::size_t FillPipe(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  const std::string block(4096, 'x');
  std::size_t filled = 0;
  for (;;) {
    const ssize_t n = ::write(fd, block.data(), block.size());
    if (n <= 0) break;
    filled += static_cast<std::size_t>(n);
  }
  // One byte at a time for what a 4 KiB write could not fill.
  while (::write(fd, "x", 1) == 1) ++filled;
  ::fcntl(fd, F_SETFL, flags);
  return filled;
}

// Reads exactly `bytes` bytes from `fd` (or fails after the deadline).
std::string ReadExactly(int fd, std::size_t bytes, milliseconds timeout = milliseconds(5000)) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (out.size() < bytes) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd pfd = {fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::read(fd, buf, std::min(sizeof buf, bytes - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Counts writable callbacks and lets a test wait for one.
class CallbackCounter {
 public:
  std::function<void()> Callback() {
    return [this] {
      std::lock_guard lock(mu_);
      ++count_;
      cv_.notify_all();
    };
  }
  bool WaitForAtLeast(int n, milliseconds timeout = milliseconds(5000)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_ >= n; });
  }
  int count() {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

class FileSinkTest : public ::testing::Test {
 protected:
  void TearDown() override { ::unlink(path_.c_str()); }
  const std::string path_ = UniqueTempPath("file") + ".jsonl";
};

TEST_F(FileSinkTest, WritesEveryRecordInOrder) {
  auto sink = MakeJsonlFileSink(path_, 1 << 20);
  EXPECT_EQ(sink->description(), "file:" + path_);
  constexpr int kRecords = 2000;
  for (int i = 0; i < kRecords; ++i) {
    const std::string line = "line " + std::to_string(i) + " \"quoted\"\t\xFF";
    ASSERT_TRUE(sink->TryWrite(Record("web-" + std::to_string(i % 3), line, 1000 + i,
                                      i % 2 ? RecordStream::kStderr : RecordStream::kStdout)));
  }
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
  const std::string text = ReadWholeFile(path_);
  const std::vector<nlohmann::json> lines = ParseJsonLines(text);
  ASSERT_EQ(lines.size(), kRecords);
  for (int i = 0; i < kRecords; ++i) {
    EXPECT_EQ(lines[i]["line"], "line " + std::to_string(i) + " \"quoted\"\t\xEF\xBF\xBD");
    EXPECT_EQ(lines[i]["container_name"], "web-" + std::to_string(i % 3));
    EXPECT_EQ(lines[i]["stream"], i % 2 ? "stderr" : "stdout");
    EXPECT_EQ(lines[i]["ts"], "1970-01-01T00:00:00.00000" + std::to_string(1000 + i) + "Z");
  }
  const SinkStats stats = sink->stats();
  EXPECT_EQ(stats.records_accepted, kRecords);
  EXPECT_EQ(stats.records_written, kRecords);
  EXPECT_EQ(stats.bytes_written, text.size());
  EXPECT_EQ(stats.invalid_utf8, kRecords);
  EXPECT_EQ(stats.records_dropped, 0u);
  EXPECT_EQ(stats.buffered_bytes, 0u);
}

TEST_F(FileSinkTest, AppendsToAnExistingFile) {
  {
    std::ofstream(path_) << "existing\n";
  }
  auto sink = MakeJsonlFileSink(path_, 1 << 20);
  ASSERT_TRUE(sink->TryWrite(Record("a", "one")));
  ASSERT_TRUE(sink->TryWrite(Record("a", "two")));
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  const std::string text = ReadWholeFile(path_);
  ASSERT_TRUE(text.starts_with("existing\n"));
  const auto lines = ParseJsonLines(text.substr(9));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["line"], "one");
  EXPECT_EQ(lines[1]["line"], "two");
}

TEST_F(FileSinkTest, CloseFlushesAndIsIdempotent) {
  auto sink = MakeJsonlFileSink(path_, 1 << 20);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", std::to_string(i))));
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(ParseJsonLines(ReadWholeFile(path_)).size(), 100u);
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_FALSE(sink->TryWrite(Record("a", "after close")));
  EXPECT_EQ(sink->stats().records_written, 100u);
  EXPECT_EQ(sink->stats().records_accepted, 100u);
}

TEST(JsonlSinkTest, BackpressureIsBoundedAndTheCallbackFiresOnce) {
  Pipe pipe = MakePipe();
  const int read_fd = pipe.read.get();
  const std::size_t prefill = FillPipe(pipe.write.get());
  constexpr std::size_t kBuffer = 32 * 1024;
  auto sink = MakeJsonlSink(std::move(pipe.write), "pipe", kBuffer);
  CallbackCounter callbacks;
  sink->SetWritableCallback(callbacks.Callback());

  const std::string line(150, 'z');
  std::uint64_t accepted = 0;
  for (int i = 0; i < 10000 && sink->TryWrite(Record("a", line, i)); ++i) {
    ++accepted;
    ASSERT_LE(sink->stats().buffered_bytes, kBuffer);
  }
  ASSERT_LT(accepted, 10000u) << "never refused";
  EXPECT_FALSE(sink->TryWrite(Record("a", line)));
  SinkStats stats = sink->stats();
  EXPECT_EQ(stats.refusals, 2u);
  EXPECT_LE(stats.buffered_bytes, kBuffer);
  EXPECT_GT(stats.buffered_bytes, kBuffer - 300);
  EXPECT_EQ(stats.records_written, 0u);
  EXPECT_EQ(callbacks.count(), 0);

  // The reader comes back: everything arrives, in order, and the sink says
  // once that it takes records again.
  const std::size_t encoded = stats.buffered_bytes;  // nothing was written yet
  ASSERT_EQ(ReadExactly(read_fd, prefill).size(), prefill);
  ASSERT_TRUE(callbacks.WaitForAtLeast(1));
  const auto lines = ParseJsonLines(ReadExactly(read_fd, encoded));
  ASSERT_EQ(lines.size(), accepted);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    char expected[64];
    std::snprintf(expected, sizeof expected, "1970-01-01T00:00:00.%09zuZ", i);
    ASSERT_EQ(lines[i]["ts"], expected);
  }
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(callbacks.count(), 1);
  EXPECT_EQ(sink->stats().records_written, accepted);
}

TEST(JsonlSinkTest, CloseWithAStuckWriterGivesUpAtTheDeadline) {
  Pipe pipe = MakePipe();
  FillPipe(pipe.write.get());
  auto sink = MakeJsonlSink(std::move(pipe.write), "pipe", 1 << 20);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", "stuck")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sink->Close(milliseconds(50)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(50));
  EXPECT_LT(elapsed, milliseconds(2000));
  const SinkStats stats = sink->stats();
  EXPECT_EQ(stats.records_dropped, 10u);
  EXPECT_EQ(stats.records_written, 0u);
  EXPECT_FALSE(sink->Close(milliseconds(5000)));  // same answer, at once
}

TEST(JsonlSinkTest, DestructorDoesNotHangOnAStuckWriter) {
  Pipe pipe = MakePipe();
  FillPipe(pipe.write.get());
  const auto start = std::chrono::steady_clock::now();
  {
    auto sink = MakeJsonlSink(std::move(pipe.write), "pipe", 1 << 20);
    ASSERT_TRUE(sink->TryWrite(Record("a", "stuck")));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
}

// A full disk is transient (space may be freed): retried, nothing dropped
// before Close's deadline. (A reader that went away, EPIPE, is fatal:
// jsonl_file_sink_test.cc.)
TEST(JsonlSinkTest, DiskFullIsAWriteError) {
  auto sink = MakeJsonlFileSink("/dev/full", 1 << 20);
  ASSERT_TRUE(sink->TryWrite(Record("a", "no space")));
  ASSERT_TRUE(WaitUntil([&] { return sink->stats().write_errors >= 2; }));
  EXPECT_EQ(sink->stats().records_dropped, 0u);
  EXPECT_FALSE(sink->fatal_error().has_value());
  EXPECT_FALSE(sink->Close(milliseconds(10)));
  EXPECT_EQ(sink->stats().records_dropped, 1u);
  EXPECT_EQ(sink->acknowledged(), 0u);
}

TEST(JsonlSinkTest, ARecordLargerThanTheBufferIsTakenWhenTheBufferIsEmpty) {
  Pipe pipe = MakePipe();
  FillPipe(pipe.write.get());
  auto sink = MakeJsonlSink(std::move(pipe.write), "pipe", 64);
  const std::string big(1000, 'b');
  EXPECT_TRUE(sink->TryWrite(Record("a", big)));
  EXPECT_FALSE(sink->TryWrite(Record("a", "small")));
  EXPECT_GT(sink->stats().buffered_bytes, 1000u);
  EXPECT_FALSE(sink->Close(milliseconds(10)));
}

TEST(JsonlSinkTest, StdoutSinkUsesItsOwnDescriptor) {
  auto sink = MakeJsonlStdoutSink(1 << 20);
  EXPECT_EQ(sink->description(), "stdout");
  EXPECT_TRUE(sink->Close(milliseconds(1000)));
  EXPECT_NE(::fcntl(STDOUT_FILENO, F_GETFD), -1);  // fd 1 is still open
}

}  // namespace
}  // namespace logcap
