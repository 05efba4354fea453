// The sinks' hot path: batches handed over under one lock with one wake
// (TryWriteBatch), large writes to descriptors that never block, partial
// writes and EAGAIN on non-blocking pipes. Deterministic: no sleeps; counts
// come from SinkStats (downstream_writes, writer_wakes).
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/sink/jsonl_sink.h"
#include "core/sink/sink_test_util.h"

namespace logcap::sink_batch_test {

using std::chrono::milliseconds;
using testing_util::MakePipe;
using testing_util::ParseJsonLines;
using testing_util::Pipe;
using testing_util::Record;

// n records whose line is `line` (which must outlive them) and whose ts is
// their index (ns).
std::vector<LogRecord> Records(std::size_t n, const std::string& line) {
  std::vector<LogRecord> records;
  for (std::size_t i = 0; i < n; ++i) records.push_back(Record("a", line, static_cast<std::int64_t>(i)));
  return records;
}

// Reads until EOF (the sink closed its end).
std::string ReadToEof(int fd, std::size_t read_bytes = 65536) {
  std::string out;
  std::vector<char> buf(read_bytes);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
  return out;
}

// Every line is record i, in order, once.
void ExpectRecordsInOrder(const std::string& text, std::size_t n) {
  const auto lines = ParseJsonLines(text);
  ASSERT_EQ(lines.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    char expected[64];
    std::snprintf(expected, sizeof expected, "1970-01-01T00:00:00.%09zuZ", i);
    ASSERT_EQ(lines[i]["ts"], expected) << "record " << i;
  }
}

// Fills a non-blocking `fd` until it takes no more.
void Fill(int fd) {
  const std::string block(4096, 'x');
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  while (::write(fd, "x", 1) == 1) {
  }
}

TEST(SinkBatchTest, ABatchIsTakenWholeWithOneWake) {
  JsonlFileOptions options;
  options.fsync_interval = {};
  auto sink = MakeJsonlFileSink("/dev/null", 8 << 20, options);
  const std::string line(100, 'l');
  const std::vector<LogRecord> records = Records(500, line);
  EXPECT_EQ(sink->TryWriteBatch(records), 500u);
  const SinkStats stats = sink->stats();
  EXPECT_EQ(stats.records_accepted, 500u);
  EXPECT_EQ(stats.writer_wakes, 1u);  // not one per record
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(sink->stats().records_written, 500u);
  EXPECT_EQ(sink->acknowledged(), 500u);
}

// Sparse streams hand the sink one line per socket event. Within the
// gather wait those are one wake and one write, not one each. Close writes
// what waits at once, so a long wait keeps this deterministic; the pauses
// between lines give a writer that does not gather time to write each one
// (then this test fails).
TEST(SinkBatchTest, LinesHandedOneByOneWithinTheGatherWaitAreOneWakeAndOneWrite) {
  JsonlFileOptions options;
  options.fsync_interval = {};
  options.gather_wait = std::chrono::seconds(60);
  auto sink = MakeJsonlFileSink("/dev/null", 8 << 20, options);
  const std::string line(100, 'l');
  const std::vector<LogRecord> records = Records(10, line);
  for (const LogRecord& record : records) {
    ASSERT_EQ(sink->TryWriteBatch(std::span<const LogRecord>(&record, 1)), 1u);
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(sink->stats().writer_wakes, 1u);
  EXPECT_EQ(sink->stats().records_written, 0u);  // still gathering
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(sink->stats().records_written, 10u);
  EXPECT_EQ(sink->stats().downstream_writes, 1u);
  EXPECT_EQ(sink->acknowledged(), 10u);
}

// The default gather wait is short: a lone record is written without Close.
TEST(SinkBatchTest, ALoneRecordIsWrittenAfterTheDefaultGatherWait) {
  JsonlFileOptions options;
  options.fsync_interval = {};
  auto sink = MakeJsonlFileSink("/dev/null", 8 << 20, options);
  const std::string line(10, 'x');  // the records view it
  const std::vector<LogRecord> records = Records(1, line);
  ASSERT_EQ(sink->TryWriteBatch(records), 1u);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sink->acknowledged() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(sink->acknowledged(), 1u);
  EXPECT_EQ(sink->stats().records_written, 1u);
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
}

// A buffer smaller than a write's worth: the writer does not wait for bytes
// that cannot arrive (it writes at half the buffer), so the engine is not
// refused while records are gathered.
TEST(SinkBatchTest, ASmallBufferIsWrittenAtHalfWithoutWaitingTheGatherWait) {
  JsonlFileOptions options;
  options.fsync_interval = {};
  options.gather_wait = std::chrono::seconds(60);
  auto sink = MakeJsonlFileSink("/dev/null", 16 * 1024, options);
  const std::string line(100, 'y');  // the records view it
  const std::vector<LogRecord> records = Records(400, line);  // ~60 KB encoded
  std::size_t taken = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (taken < records.size() && std::chrono::steady_clock::now() < deadline) {
    taken += sink->TryWriteBatch(std::span<const LogRecord>(records).subspan(taken));
    if (taken < records.size()) std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(taken, records.size());  // with a 60 s gather this needs writes before Close
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(sink->stats().records_written, records.size());
}

// A full buffer refuses in the middle of a batch: the records before the
// refusal are taken, none after it (the engine keeps those and offers them
// again), and once the reader is back everything taken arrives in order.
TEST(SinkBatchTest, ABatchStopsAtTheFirstRefusal) {
  Pipe pipe = MakePipe();
  const int read_fd = pipe.read.get();
  ::fcntl(pipe.write.get(), F_SETPIPE_SZ, 4096);
  ::fcntl(pipe.write.get(), F_SETFL, O_NONBLOCK);
  Fill(pipe.write.get());  // the writer cannot write a byte
  const std::size_t prefill = static_cast<std::size_t>(::fcntl(pipe.write.get(), F_GETPIPE_SZ));
  auto sink = MakeJsonlSink(std::move(pipe.write), "pipe", 16 * 1024);
  const std::string line(150, 'z');
  const std::vector<LogRecord> records = Records(200, line);
  const std::size_t taken = sink->TryWriteBatch(records);
  ASSERT_GT(taken, 0u);
  ASSERT_LT(taken, 200u);
  EXPECT_EQ(sink->stats().refusals, 1u);
  EXPECT_EQ(sink->stats().records_accepted, taken);
  // Only the first `taken` records were encoded, and nothing after the refusal.
  std::thread reader([&] {
    std::string all = ReadToEof(read_fd);
    ASSERT_GE(all.size(), prefill);
    ExpectRecordsInOrder(all.substr(prefill), taken);
  });
  EXPECT_TRUE(sink->Close(milliseconds(10000)));
  sink.reset();  // closes the write end: the reader sees EOF
  reader.join();
}

// /dev/null opened by the sink itself: a device that never blocks takes the
// whole chunk in one write, not 4 KiB after a poll each.
TEST(SinkBatchTest, ADeviceTheSinkOpenedGetsLargeWrites) {
  auto sink = MakeJsonlFileSink("/dev/null", 8 << 20);
  const std::string line(100, 'l');
  const std::vector<LogRecord> records = Records(2000, line);  // ~400 KB
  ASSERT_EQ(sink->TryWriteBatch(records), 2000u);
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  const SinkStats stats = sink->stats();
  EXPECT_EQ(stats.records_written, 2000u);
  EXPECT_GT(stats.bytes_written, 300'000u);
  EXPECT_EQ(stats.downstream_writes, 1u);
}

// A pipe handed over as a shared blocking descriptor (stdout's case) with
// room for the whole chunk: one write, and the bytes are right.
TEST(SinkBatchTest, ASharedBlockingPipeGetsLargeWrites) {
  Pipe pipe = MakePipe();
  const int read_fd = pipe.read.get();
  ASSERT_GE(::fcntl(pipe.write.get(), F_SETPIPE_SZ, 1 << 20), 1 << 20);
  auto sink = MakeJsonlSink(std::move(pipe.write), "pipe", 8 << 20);
  const std::string line(100, 'l');
  const std::vector<LogRecord> records = Records(2000, line);
  ASSERT_EQ(sink->TryWriteBatch(records), 2000u);
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(sink->stats().downstream_writes, 1u);
  sink.reset();
  ExpectRecordsInOrder(ReadToEof(read_fd), 2000);
}

// A pipe far smaller than the chunk, read in small pieces: the writer goes
// on from wherever each write stopped, every byte once.
TEST(SinkBatchTest, PartialWritesDeliverEveryByteOnce) {
  Pipe pipe = MakePipe();
  const int read_fd = pipe.read.get();
  ::fcntl(pipe.write.get(), F_SETPIPE_SZ, 4096);
  auto sink = MakeJsonlSink(std::move(pipe.write), "pipe", 8 << 20);
  std::string all;
  std::thread reader([&] { all = ReadToEof(read_fd, 1000); });
  const std::string line(97, 'p');
  const std::vector<LogRecord> records = Records(3000, line);
  ASSERT_EQ(sink->TryWriteBatch(records), 3000u);
  ASSERT_TRUE(sink->Close(milliseconds(10000)));
  const SinkStats stats = sink->stats();
  EXPECT_GT(stats.downstream_writes, 1u);  // it did write in parts
  EXPECT_EQ(stats.records_written, 3000u);
  EXPECT_EQ(sink->acknowledged(), 3000u);
  EXPECT_EQ(stats.write_errors, 0u);
  sink.reset();
  reader.join();
  ExpectRecordsInOrder(all, 3000);
}

// O_NONBLOCK set by whoever handed the pipe over, and the pipe full: write()
// says EAGAIN, which means "wait for the reader", not a failed write.
TEST(SinkBatchTest, EagainOnANonBlockingPipeWaitsForTheReader) {
  Pipe pipe = MakePipe();
  const int read_fd = pipe.read.get();
  ::fcntl(pipe.write.get(), F_SETPIPE_SZ, 4096);
  ::fcntl(pipe.write.get(), F_SETFL, O_NONBLOCK);
  Fill(pipe.write.get());  // the first write says EAGAIN
  const std::size_t prefill = static_cast<std::size_t>(::fcntl(pipe.write.get(), F_GETPIPE_SZ));
  auto sink = MakeJsonlSink(std::move(pipe.write), "pipe", 8 << 20);
  const std::string line(100, 'e');
  const std::vector<LogRecord> records = Records(500, line);
  ASSERT_EQ(sink->TryWriteBatch(records), 500u);
  std::string all;
  std::thread reader([&] { all = ReadToEof(read_fd, 512); });
  ASSERT_TRUE(sink->Close(milliseconds(10000)));
  const SinkStats stats = sink->stats();
  EXPECT_EQ(stats.write_errors, 0u);
  EXPECT_EQ(stats.records_written, 500u);
  EXPECT_FALSE(sink->fatal_error().has_value());
  sink.reset();
  reader.join();
  ASSERT_GE(all.size(), prefill);
  ExpectRecordsInOrder(all.substr(prefill), 500);
}

}  // namespace logcap::sink_batch_test
