#include "fakes/dockerd/model/log_encoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fakedocker {
namespace {

constexpr std::string_view kCid = "0123456789ab";
constexpr UnixNanos kTs = 1'795'877'153'751'354'842;  // 2026-11-28T14:45:53.751354842Z
constexpr size_t kStampBytes = kLogTimestampWidth + 1;  // "<timestamp> "

LogEntry Entry(uint32_t bytes, StreamId stream = StreamId::kStdout, uint64_t seq = 7) {
  LogEntry e;
  e.ts = kTs;
  e.seq = seq;
  e.bytes = bytes;
  e.stream = stream;
  return e;
}

std::string Rendered(const LogEntry& e) {
  std::string line;
  RenderLine(kCid, e, &line);
  return line;
}

std::string Encode(const LogEntry& e, bool tty, bool timestamps, size_t first_message = 0) {
  std::string out;
  EncodeEntry(kCid, e, EncodeOptions{.tty = tty, .timestamps = timestamps}, first_message, &out);
  return out;
}

// An independent reader of Docker's multiplexed stream, written from the
// wire format alone: 8-byte header [stream, 0, 0, 0, big-endian length].
struct Frame {
  uint8_t stream = 0;
  std::string payload;
};

std::vector<Frame> Demux(std::string_view wire) {
  std::vector<Frame> frames;
  while (!wire.empty()) {
    if (wire.size() < 8) {
      ADD_FAILURE() << "trailing " << wire.size() << " bytes: not a whole header";
      break;
    }
    auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(wire[i])); };
    EXPECT_EQ(byte(1), 0u);
    EXPECT_EQ(byte(2), 0u);
    EXPECT_EQ(byte(3), 0u);
    const uint32_t length = byte(4) << 24 | byte(5) << 16 | byte(6) << 8 | byte(7);
    if (wire.size() - 8 < length) {
      ADD_FAILURE() << "frame says " << length << " bytes, " << wire.size() - 8 << " left";
      break;
    }
    frames.push_back(Frame{static_cast<uint8_t>(byte(0)), std::string(wire.substr(8, length))});
    wire.remove_prefix(8 + length);
  }
  return frames;
}

// Strips and checks each message's timestamp, and returns the line bytes.
std::string Reassemble(const std::vector<Frame>& frames, uint8_t stream, bool timestamps) {
  std::string line;
  for (const Frame& f : frames) {
    EXPECT_EQ(f.stream, stream);
    std::string_view payload = f.payload;
    if (timestamps) {
      EXPECT_EQ(payload.substr(0, kStampBytes), FormatLogTimestamp(kTs) + " ");
      payload.remove_prefix(std::min(payload.size(), kStampBytes));
    }
    EXPECT_LE(payload.size(), kMaxMessageBytes);
    line.append(payload);
  }
  return line;
}

TEST(AppendFrameHeader, IsStreamThenBigEndianLength) {
  std::string out;
  AppendFrameHeader(2, 0x01020304u, &out);
  EXPECT_EQ(out, std::string("\x02\x00\x00\x00\x01\x02\x03\x04", 8));
}

TEST(AppendFrame, CarriesTheSystemErrorStream) {
  std::string out;
  AppendFrame(3, "Error grabbing logs: boom\n", &out);
  ASSERT_EQ(out.size(), 8u + 26u);
  EXPECT_EQ(out.substr(0, 8), std::string("\x03\x00\x00\x00\x00\x00\x00\x1a", 8));
  auto frames = Demux(out);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].stream, 3);
  EXPECT_EQ(frames[0].payload, "Error grabbing logs: boom\n");
}

TEST(AppendFrame, LongPayloadUsesAllLengthBytes) {
  std::string out;
  AppendFrame(1, std::string(0x10203, 'x'), &out);
  EXPECT_EQ(out.substr(0, 8), std::string("\x01\x00\x00\x00\x00\x01\x02\x03", 8));
}

TEST(MessageCount, CountsTheNewlineAndSplitsAt16KiB) {
  EXPECT_EQ(MessageCount(Entry(100), false), 1u);
  EXPECT_EQ(MessageCount(Entry(16383), false), 1u);  // 16383 + "\n" fits
  EXPECT_EQ(MessageCount(Entry(16384), false), 2u);  // the "\n" spills over
  EXPECT_EQ(MessageCount(Entry(16385), false), 2u);
  EXPECT_EQ(MessageCount(Entry(20000), false), 2u);
  EXPECT_EQ(MessageCount(Entry(32767), false), 2u);
  EXPECT_EQ(MessageCount(Entry(32768), false), 3u);
  // TTY lines end in "\r\n": one more byte on the wire.
  EXPECT_EQ(MessageCount(Entry(16382), true), 1u);
  EXPECT_EQ(MessageCount(Entry(16383), true), 2u);
}

TEST(EncodeEntry, NonTtyStdoutFrame) {
  const LogEntry e = Entry(100);
  const std::string wire = Encode(e, false, false);
  ASSERT_EQ(wire.size(), 8u + 101u);
  EXPECT_EQ(wire.substr(0, 8), std::string("\x01\x00\x00\x00\x00\x00\x00\x65", 8));
  EXPECT_EQ(wire.substr(8), Rendered(e) + "\n");
}

TEST(EncodeEntry, NonTtyStderrFrame) {
  const LogEntry e = Entry(100, StreamId::kStderr);
  const std::string wire = Encode(e, false, false);
  auto frames = Demux(wire);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].stream, 2);
  EXPECT_EQ(frames[0].payload, Rendered(e) + "\n");
  EXPECT_NE(frames[0].payload.find(" stream=stderr "), std::string::npos);
}

TEST(EncodeEntry, NonTtyWithTimestamps) {
  const LogEntry e = Entry(100);
  const std::string wire = Encode(e, false, true);
  auto frames = Demux(wire);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload.size(), kStampBytes + 101u);
  EXPECT_EQ(frames[0].payload, "2026-11-28T14:45:53.751354842Z " + Rendered(e) + "\n");
}

TEST(EncodeEntry, TtyIsRawWithCrLf) {
  const LogEntry e = Entry(100);
  EXPECT_EQ(Encode(e, true, false), Rendered(e) + "\r\n");
  EXPECT_EQ(Encode(e, true, true), FormatLogTimestamp(kTs) + " " + Rendered(e) + "\r\n");
  // The stream is not encoded at all on a TTY.
  const LogEntry err = Entry(100, StreamId::kStderr);
  EXPECT_EQ(Encode(err, true, false), Rendered(err) + "\r\n");
}

TEST(EncodeEntry, AppendsToWhatIsThere) {
  std::string out = "prefix";
  EncodeEntry(kCid, Entry(100), EncodeOptions{.tty = true, .timestamps = false}, 0, &out);
  EXPECT_EQ(out, "prefix" + Rendered(Entry(100)) + "\r\n");
}

TEST(EncodeEntry, Splits20000BytesLikeDockerd) {
  // docs/docker-semantics.md: a 20,000-byte line came back as frames of 16,415
  // and 3,648 bytes, both stamped with the same timestamp.
  const LogEntry e = Entry(20000, StreamId::kStderr);
  const std::string wire = Encode(e, false, true);
  auto frames = Demux(wire);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload.size(), 16415u);
  EXPECT_EQ(frames[1].payload.size(), 3648u);
  EXPECT_EQ(frames[0].payload.size(), kStampBytes + 16384);
  EXPECT_EQ(frames[1].payload.size(), kStampBytes + 3616 + 1);
  EXPECT_NE(frames[0].payload.back(), '\n');
  EXPECT_EQ(frames[1].payload.back(), '\n');
  EXPECT_EQ(frames[0].payload.substr(0, kLogTimestampWidth), frames[1].payload.substr(0, kLogTimestampWidth));
  EXPECT_EQ(Reassemble(frames, 2, true), Rendered(e) + "\n");
  EXPECT_EQ(wire.size(), 8 + 16415u + 8 + 3648u);
}

TEST(EncodeEntry, SplitWithoutTimestamps) {
  const LogEntry e = Entry(20000);
  auto frames = Demux(Encode(e, false, false));
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload.size(), 16384u);
  EXPECT_EQ(frames[1].payload.size(), 3617u);
  EXPECT_EQ(Reassemble(frames, 1, false), Rendered(e) + "\n");
}

TEST(EncodeEntry, LinesAroundTheBoundary) {
  struct Case {
    uint32_t bytes;
    std::vector<size_t> sizes;  // line bytes per message, newline included
  };
  for (const Case& c : {Case{16383, {16384}}, Case{16384, {16384, 1}}, Case{16385, {16384, 2}},
                        Case{32768, {16384, 16384, 1}}}) {
    SCOPED_TRACE(c.bytes);
    const LogEntry e = Entry(c.bytes);
    for (bool timestamps : {false, true}) {
      auto frames = Demux(Encode(e, false, timestamps));
      ASSERT_EQ(frames.size(), c.sizes.size());
      ASSERT_EQ(frames.size(), MessageCount(e, false));
      for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].payload.size(), c.sizes[i] + (timestamps ? kStampBytes : 0)) << i;
        EXPECT_EQ(frames[i].payload.back() == '\n', i + 1 == frames.size()) << i;
      }
      EXPECT_EQ(Reassemble(frames, 1, timestamps), Rendered(e) + "\n");
    }
  }
}

TEST(EncodeEntry, TtySplitStampsEveryMessage) {
  // 16383 bytes + "\r\n": dockerd's 16 KiB buffer fills at the "\r", the
  // "\n" comes as a message of its own with the same timestamp.
  const LogEntry e = Entry(16383);
  const std::string stamp = FormatLogTimestamp(kTs) + " ";
  const std::string line = Rendered(e);
  EXPECT_EQ(Encode(e, true, true), stamp + line + "\r" + stamp + "\n");
  EXPECT_EQ(Encode(e, true, false), line + "\r\n");
}

TEST(EncodeEntry, FirstMessageSkipsEarlierPieces) {
  const LogEntry e = Entry(20000);
  const std::string all = Encode(e, false, true);
  const std::string rest = Encode(e, false, true, 1);
  auto frames = Demux(rest);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload.size(), 3648u);
  EXPECT_EQ(all.substr(all.size() - rest.size()), rest);
  EXPECT_EQ(Encode(e, false, true, 2), "");  // past the last message: nothing
  EXPECT_EQ(Encode(e, true, false, 1), Rendered(e).substr(16384) + "\r\n");
}

TEST(EncodeEntry, ConcatenatedEntriesDemuxInOrder) {
  std::string wire;
  const LogEntry a = Entry(50, StreamId::kStdout, 1);
  const LogEntry b = Entry(17000, StreamId::kStderr, 2);
  const LogEntry c = Entry(60, StreamId::kStdout, 3);
  for (const LogEntry& e : {a, b, c}) EncodeEntry(kCid, e, EncodeOptions{}, 0, &wire);
  auto frames = Demux(wire);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0].payload, Rendered(a) + "\n");
  EXPECT_EQ(frames[1].stream, 2);
  EXPECT_EQ(frames[2].stream, 2);
  EXPECT_EQ(frames[1].payload + frames[2].payload, Rendered(b) + "\n");
  EXPECT_EQ(frames[3].payload, Rendered(c) + "\n");
}

}  // namespace
}  // namespace fakedocker
