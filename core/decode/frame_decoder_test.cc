#include "core/decode/frame_decoder.h"

#include "common/rfc3339_nano.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

// GCC (at -O1 and above) cannot see that these replacements pair malloc with
// free and warns at every inlined new/delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Largest single allocation made while g_track_allocations is set: proves
// that an absurd frame length is rejected before anything is allocated.
namespace {
std::atomic<bool> g_track_allocations{false};
std::atomic<std::size_t> g_largest_allocation{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_track_allocations.load(std::memory_order_relaxed)) {
    std::size_t prev = g_largest_allocation.load();
    while (size > prev && !g_largest_allocation.compare_exchange_weak(prev, size)) {
    }
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace logcap {
namespace {

constexpr std::string_view kTs1 = "2026-11-28T15:03:08.775986608Z";
constexpr int64_t kTs1Ns = 1795878188LL * 1'000'000'000 + 775986608;

std::string Header(unsigned char stream, uint32_t length) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(stream);
  h[4] = static_cast<char>(length >> 24);
  h[5] = static_cast<char>(length >> 16);
  h[6] = static_cast<char>(length >> 8);
  h[7] = static_cast<char>(length);
  return h;
}

std::string Frame(unsigned char stream, std::string_view payload) {
  return Header(stream, static_cast<uint32_t>(payload.size())) + std::string(payload);
}

struct Owned {
  StreamType stream;
  int64_t ts;
  std::string bytes;
  bool partial;
  bool drop_trailing_cr = false;
  bool operator==(const Owned&) const = default;
};

struct DecodeRun {
  std::vector<Owned> messages;
  DecodeStatus status;
};

// Feeds `body` in slices of `step` bytes (0 = all at once), then Finish().
DecodeRun Decode(FrameDecoderOptions options, std::string_view body, std::size_t step = 0,
           bool finish = true) {
  FrameDecoder decoder(options);
  DecodeRun run;
  auto collect = [&run](const Message& m) {
    run.messages.push_back(
        {m.stream, m.ts_ns, std::string(m.bytes), m.partial, m.drop_trailing_cr});
  };
  if (step == 0) step = body.size() + 1;
  for (std::size_t i = 0; i < body.size(); i += step) {
    run.status = decoder.Feed(body.substr(i, step), collect);
    if (!run.status.ok()) return run;
  }
  if (finish) run.status = decoder.Finish(collect);
  return run;
}

FrameDecoderOptions Mux(bool timestamps = true) {
  FrameDecoderOptions o;
  o.mode = FrameMode::kMultiplexed;
  o.timestamps = timestamps;
  return o;
}

FrameDecoderOptions Raw(bool timestamps = true) {
  FrameDecoderOptions o;
  o.mode = FrameMode::kRaw;
  o.timestamps = timestamps;
  return o;
}

// The daemon's spelling of the timestamp travels with the message when it
// is the canonical one (what a sink would format from ts_ns), so that the
// sink copies it; any other spelling leaves it empty (the sink formats).
TEST(FrameDecoderTest, KeepsTheDaemonsTimestampBytesOnlyWhenCanonical) {
  const struct {
    std::string_view ts;
    bool kept;
  } cases[] = {{"2026-11-28T15:03:08.775986608Z", true},
               {"2026-11-28T15:03:08.77598660Z", false},  // Go's RFC3339Nano trims zeros
               {"2026-11-28T15:03:08Z", false},
               {"2026-11-28T16:03:08.775986608+01:00", false},
               {"2026-11-28T15:03:08.7759866081Z", false}};
  for (const auto& c : cases) {
    FrameDecoder decoder(Mux());
    std::string ts_text = "unset";
    int64_t ts_ns = 0;
    const std::string body = Frame(1, std::string(c.ts) + " line\n");
    ASSERT_TRUE(decoder
                    .Feed(body,
                          [&](const Message& m) {
                            ts_text = std::string(m.ts_text);
                            ts_ns = m.ts_ns;
                          })
                    .ok());
    EXPECT_EQ(ts_text, c.kept ? std::string(c.ts) : std::string()) << c.ts;
    if (c.kept) {
      EXPECT_EQ(leakbench::FormatRfc3339Nano(ts_ns), ts_text);
    }
  }
}

TEST(FrameDecoderTest, DecodesMeasuredCapture) {
  // logs_three_all_ts.bin without the HTTP chunking (dockerd-measured.md §5).
  const std::string body =
      Frame(2, "2026-11-28T15:03:08.775986608Z err1\n") +
      Frame(1, "2026-11-28T15:03:08.776043549Z out1\n") +
      Frame(1, "2026-11-28T15:03:08.776048317Z out2\n");
  ASSERT_EQ(body.substr(0, 8), std::string("\x02\0\0\0\0\0\0\x24", 8));
  for (std::size_t step : {0, 1, 3, 8, 9, 44}) {
    const DecodeRun run = Decode(Mux(), body, step);
    ASSERT_TRUE(run.status.ok()) << run.status.detail;
    ASSERT_EQ(run.messages.size(), 3u);
    EXPECT_EQ(run.messages[0], (Owned{StreamType::kStderr, kTs1Ns, "err1", false}));
    EXPECT_EQ(run.messages[1].stream, StreamType::kStdout);
    EXPECT_EQ(run.messages[1].bytes, "out1");
    EXPECT_EQ(run.messages[2].ts, 1795878188LL * 1'000'000'000 + 776048317);
  }
}

TEST(FrameDecoderTest, WithoutTimestamps) {
  const DecodeRun run = Decode(Mux(false), Frame(2, "err1\n") + Frame(0, "in\n") + Frame(1, ""), 1);
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.messages.size(), 3u);
  EXPECT_EQ(run.messages[0], (Owned{StreamType::kStderr, kNoTimestamp, "err1", false}));
  EXPECT_EQ(run.messages[1], (Owned{StreamType::kStdin, kNoTimestamp, "in", false}));
  EXPECT_EQ(run.messages[2], (Owned{StreamType::kStdout, kNoTimestamp, "", true}));
}

TEST(FrameDecoderTest, PiecesOfALongLineArePartial) {
  const std::string piece(16384, 'x');
  const std::string body = Frame(1, std::string(kTs1) + " " + piece) +
                           Frame(1, std::string(kTs1) + " " + std::string(3617, 'y') + "\n");
  const DecodeRun run = Decode(Mux(), body, 1000);
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.messages.size(), 2u);
  EXPECT_TRUE(run.messages[0].partial);
  EXPECT_EQ(run.messages[0].bytes, piece);
  EXPECT_FALSE(run.messages[1].partial);
  EXPECT_EQ(run.messages[1].bytes.size(), 3617u);
  EXPECT_EQ(run.messages[0].ts, run.messages[1].ts);
}

TEST(FrameDecoderTest, LastLineWithoutNewline) {
  const DecodeRun run = Decode(Mux(), Frame(1, "2026-11-28T15:04:19.587823493Z abc"), 1);
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_EQ(run.messages[0].bytes, "abc");
  EXPECT_TRUE(run.messages[0].partial);
}

TEST(FrameDecoderTest, SystemErrorFrameIsDeliveredAndStreamGoesOn) {
  const std::string body = Frame(1, std::string(kTs1) + " a\n") +
                           Frame(3, "Error grabbing logs: log file is corrupt\n") +
                           Frame(1, std::string(kTs1) + " b\n");
  for (std::size_t step : {0, 1, 5}) {
    const DecodeRun run = Decode(Mux(), body, step);
    ASSERT_TRUE(run.status.ok()) << run.status.detail;
    ASSERT_EQ(run.messages.size(), 3u);
    EXPECT_EQ(run.messages[1], (Owned{StreamType::kSystemError, kNoTimestamp,
                                      "Error grabbing logs: log file is corrupt", false}));
    EXPECT_EQ(run.messages[2].bytes, "b");
  }
}

TEST(FrameDecoderTest, RejectsUnknownStreamType) {
  for (unsigned char stream : {4, 5, 0x7f, 0xff}) {
    const std::string body = Frame(1, std::string(kTs1) + " ok\n") + Frame(stream, "x\n");
    const DecodeRun run = Decode(Mux(), body, 1);
    EXPECT_EQ(run.status.error, DecodeError::kBadStreamType);
    EXPECT_EQ(run.status.offset, 8u + 34u);
    EXPECT_NE(run.status.detail.find(std::to_string(stream)), std::string::npos)
        << run.status.detail;
    EXPECT_EQ(run.messages.size(), 1u);  // what came before is delivered
  }
}

TEST(FrameDecoderTest, RejectsNonZeroPadding) {
  for (int byte = 1; byte <= 3; ++byte) {
    std::string body = Frame(1, std::string(kTs1) + " x\n");
    body[static_cast<std::size_t>(byte)] = 1;
    const DecodeRun run = Decode(Mux(), body, 1);
    EXPECT_EQ(run.status.error, DecodeError::kBadPadding) << byte;
    EXPECT_TRUE(run.messages.empty());
  }
}

TEST(FrameDecoderTest, RejectsOversizedFrameAtTheHeader) {
  FrameDecoderOptions options = Mux();
  options.max_frame_bytes = 100;
  EXPECT_TRUE(Decode(options, Frame(1, std::string(kTs1) + " " + std::string(68, 'x') + "\n"))
                  .status.ok());  // exactly 100
  const DecodeRun run = Decode(options, Frame(1, std::string(kTs1) + " " + std::string(69, 'x') + "\n"));
  EXPECT_EQ(run.status.error, DecodeError::kFrameTooLarge);
  EXPECT_NE(run.status.detail.find("101"), std::string::npos) << run.status.detail;
}

TEST(FrameDecoderTest, AbsurdLengthIsRejectedWithoutAllocating) {
  FrameDecoderOptions options = Mux();
  options.max_frame_bytes = 1 << 20;
  FrameDecoder decoder(options);
  std::size_t delivered = 0;
  const MessageCallback count = [&delivered](const Message&) { ++delivered; };
  const std::string header = Header(1, 0xFFFFFFF0u);
  g_largest_allocation = 0;
  g_track_allocations = true;
  DecodeStatus status;
  for (char c : header) {  // the error comes with the 8th header byte
    status = decoder.Feed(std::string_view(&c, 1), count);
    if (!status.ok()) break;
  }
  g_track_allocations = false;
  EXPECT_EQ(status.error, DecodeError::kFrameTooLarge);
  EXPECT_LT(g_largest_allocation.load(), std::size_t{4096});
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
  EXPECT_EQ(delivered, 0u);
}

TEST(FrameDecoderTest, ErrorIsStickyUntilReset) {
  FrameDecoder decoder(Mux());
  std::size_t delivered = 0;
  const MessageCallback count = [&delivered](const Message&) { ++delivered; };
  EXPECT_EQ(decoder.Feed(Frame(9, "x"), count).error, DecodeError::kBadStreamType);
  const std::string good = Frame(1, std::string(kTs1) + " a\n");
  EXPECT_EQ(decoder.Feed(good, count).error, DecodeError::kBadStreamType);
  EXPECT_EQ(decoder.Finish(count).error, DecodeError::kBadStreamType);
  EXPECT_EQ(delivered, 0u);
  decoder.Reset();
  EXPECT_TRUE(decoder.Feed(good, count).ok());
  EXPECT_EQ(delivered, 1u);
}

TEST(FrameDecoderTest, RejectsMissingTimestamp) {
  for (std::string_view payload : {"hello\n", "", "2026-11-28T15:03:08Zhello\n",
                                   "2026-13-28T15:03:08Z hello\n"}) {
    const DecodeRun run = Decode(Mux(), Frame(1, payload), 1);
    EXPECT_EQ(run.status.error, DecodeError::kBadTimestamp) << payload;
    EXPECT_TRUE(run.messages.empty());
  }
}

TEST(FrameDecoderTest, TruncatedBodyIsReportedAtFinish) {
  const std::string frame = Frame(1, std::string(kTs1) + " abc\n");
  for (std::size_t cut : {1, 7, 8, 9, 20}) {
    const DecodeRun run = Decode(Mux(), frame + frame.substr(0, cut), 1);
    EXPECT_EQ(run.status.error, DecodeError::kTruncated) << cut;
    EXPECT_EQ(run.status.offset, frame.size());
    EXPECT_EQ(run.messages.size(), 1u);
  }
  EXPECT_TRUE(Decode(Mux(), frame + frame, 1).status.ok());
}

TEST(FrameDecoderTest, CountsBytesAndMessages) {
  FrameDecoder decoder(Mux(false));
  const MessageCallback ignore = [](const Message&) {};
  const std::string body = Frame(1, "a\n") + Frame(2, "bb\n") + Frame(1, "c");
  ASSERT_TRUE(decoder.Feed(std::string_view(body).substr(0, 12), ignore).ok());
  EXPECT_EQ(decoder.messages_delivered(), 1u);
  EXPECT_EQ(decoder.buffered_bytes(), 2u);
  ASSERT_TRUE(decoder.Feed(std::string_view(body).substr(12), ignore).ok());
  EXPECT_EQ(decoder.bytes_consumed(), body.size());
  EXPECT_EQ(decoder.messages_delivered(), 3u);
}

// ------------------------------------------------------------------ raw (TTY)

TEST(FrameDecoderTest, RawSplitsLinesAndStripsCarriageReturn) {
  for (std::size_t step : {0, 1, 2, 7}) {
    const DecodeRun run = Decode(Raw(false), "out1\r\nerr1\r\nnonl\r\nlast\r\n", step);
    ASSERT_TRUE(run.status.ok());
    ASSERT_EQ(run.messages.size(), 4u);
    EXPECT_EQ(run.messages[0], (Owned{StreamType::kStdout, kNoTimestamp, "out1", false}));
    EXPECT_EQ(run.messages[3].bytes, "last");
  }
}

TEST(FrameDecoderTest, RawKeepsOtherCarriageReturns) {
  const DecodeRun run = Decode(Raw(false), "a\rb\r\r\nplain\n\r\n", 1);
  ASSERT_EQ(run.messages.size(), 3u);
  EXPECT_EQ(run.messages[0].bytes, "a\rb\r");
  EXPECT_EQ(run.messages[1].bytes, "plain");
  EXPECT_EQ(run.messages[2].bytes, "");
}

TEST(FrameDecoderTest, RawWithTimestamps) {
  const std::string body =
      "2026-11-28T15:04:26.016567558Z out1\r\n2026-11-28T15:04:26.016602513Z err1\r\n";
  for (std::size_t step : {0, 1, 31, 37}) {
    const DecodeRun run = Decode(Raw(), body, step);
    ASSERT_TRUE(run.status.ok());
    ASSERT_EQ(run.messages.size(), 2u);
    EXPECT_EQ(run.messages[0].bytes, "out1");
    EXPECT_EQ(run.messages[0].ts, *ParseRfc3339Nano("2026-11-28T15:04:26.016567558Z"));
    EXPECT_EQ(run.messages[1].bytes, "err1");
    EXPECT_FALSE(run.messages[1].partial);
  }
}

TEST(FrameDecoderTest, RawLongLineIsSplitAtEmbeddedTimestamps) {
  const std::string ts = std::string(kTs1) + " ";
  const std::string a(16384, 'a');
  const std::string body = ts + a + ts + "bbb\r\n" + ts + "next\r\n";
  for (std::size_t step : {0, 1, 1000, 16415}) {
    const DecodeRun run = Decode(Raw(), body, step);
    ASSERT_EQ(run.messages.size(), 3u);
    EXPECT_EQ(run.messages[0], (Owned{StreamType::kStdout, kTs1Ns, a, true}));
    EXPECT_EQ(run.messages[1], (Owned{StreamType::kStdout, kTs1Ns, "bbb", false}));
    EXPECT_EQ(run.messages[2].bytes, "next");
  }
}

TEST(FrameDecoderTest, RawCarriageReturnAtPieceBoundary) {
  // A 16383-byte line: the TTY's "\r" ends the first 16 KiB piece and the
  // "\n" is a piece of its own. The "\r" is the line ending, not content.
  const std::string ts = std::string(kTs1) + " ";
  const std::string body = ts + std::string(16383, 'a') + "\r" + ts + "\n" + ts + "z\r\n";
  const DecodeRun run = Decode(Raw(), body, 1);
  ASSERT_EQ(run.messages.size(), 3u);
  EXPECT_EQ(run.messages[0].bytes, std::string(16383, 'a') + "\r");
  EXPECT_FALSE(run.messages[0].drop_trailing_cr);
  EXPECT_EQ(run.messages[1], (Owned{StreamType::kStdout, kTs1Ns, "", false, true}));
  EXPECT_FALSE(run.messages[2].drop_trailing_cr);
  // A '\r' that was content: the next piece has content, nothing is dropped.
  const std::string body2 = ts + std::string(16383, 'a') + "\r" + ts + "b\r\n";
  const DecodeRun run2 = Decode(Raw(), body2, 7);
  ASSERT_EQ(run2.messages.size(), 2u);
  EXPECT_FALSE(run2.messages[1].drop_trailing_cr);
  EXPECT_EQ(run2.messages[0].bytes + run2.messages[1].bytes, std::string(16383, 'a') + "\rb");
  // Content "\r" then the TTY's "\r\n" in the next piece: both stay apart.
  const std::string body3 = ts + std::string(16383, 'a') + "\r" + ts + "\r\n";
  const DecodeRun run3 = Decode(Raw(), body3, 1);
  ASSERT_EQ(run3.messages.size(), 2u);
  EXPECT_EQ(run3.messages[1].bytes, "");
  EXPECT_FALSE(run3.messages[1].drop_trailing_cr);
}

TEST(FrameDecoderTest, RawLastLineWithoutNewlineAtFinish) {
  const DecodeRun run = Decode(Raw(), std::string(kTs1) + " abc", 1);
  ASSERT_TRUE(run.status.ok());
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_EQ(run.messages[0], (Owned{StreamType::kStdout, kTs1Ns, "abc", true}));
  // Not even a full timestamp: the bytes are still delivered.
  const DecodeRun run2 = Decode(Raw(), "2026-11", 1);
  ASSERT_EQ(run2.messages.size(), 1u);
  EXPECT_EQ(run2.messages[0].bytes, "2026-11");
}

TEST(FrameDecoderTest, RawUnstampedErrorIsASystemError) {
  const std::string body = std::string(kTs1) + " a\r\nError grabbing logs: gone\n" +
                           std::string(kTs1) + " b\r\n";
  const DecodeRun run = Decode(Raw(), body, 1);
  ASSERT_EQ(run.messages.size(), 3u);
  EXPECT_EQ(run.messages[1],
            (Owned{StreamType::kSystemError, kNoTimestamp, "Error grabbing logs: gone", false}));
  EXPECT_EQ(run.messages[2].bytes, "b");
}

TEST(FrameDecoderTest, RawUnstampedLineKeepsItsBytes) {
  const DecodeRun run = Decode(Raw(), "no timestamp here\r\n" + std::string(60, 'x') + "\n", 1);
  ASSERT_EQ(run.messages.size(), 2u);
  EXPECT_EQ(run.messages[0], (Owned{StreamType::kStdout, kNoTimestamp, "no timestamp here", false}));
  EXPECT_EQ(run.messages[1].bytes, std::string(60, 'x'));
}

TEST(FrameDecoderTest, RawRecordIsBoundedByMaxFrameBytes) {
  FrameDecoderOptions options = Raw(false);
  options.max_frame_bytes = 30;
  FrameDecoder decoder(options);
  std::string joined;
  std::size_t messages = 0;
  const MessageCallback collect = [&](const Message& m) {
    EXPECT_LE(m.bytes.size(), 30u);
    joined.append(m.bytes);
    ++messages;
  };
  const std::string line(100, 'q');
  for (char c : line + "\n") ASSERT_TRUE(decoder.Feed(std::string_view(&c, 1), collect).ok());
  EXPECT_EQ(joined, line);
  EXPECT_EQ(messages, 4u);
  EXPECT_LE(decoder.buffered_bytes(), 31u);
}

}  // namespace
}  // namespace logcap
