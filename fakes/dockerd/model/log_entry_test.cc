#include "fakes/dockerd/model/log_entry.h"

#include <gtest/gtest.h>

#include <string>

namespace fakedocker {
namespace {

constexpr std::string_view kEntryCid = "0123456789ab";

std::string Render(uint64_t seq, uint32_t bytes, StreamId stream = StreamId::kStdout,
                   std::string_view cid = kEntryCid) {
  LogEntry e;
  e.ts = 1'700'000'000'000'000'000;
  e.seq = seq;
  e.bytes = bytes;
  e.stream = stream;
  std::string out;
  RenderLine(cid, e, &out);
  return out;
}

TEST(RenderLine, StartsWithIdSeqAndStream) {
  const std::string out = Render(42, 100);
  EXPECT_EQ(out.rfind("cid=0123456789ab seq=42 stream=stdout ", 0), 0u) << out;
  const std::string err = Render(7, 100, StreamId::kStderr);
  EXPECT_EQ(err.rfind("cid=0123456789ab seq=7 stream=stderr ", 0), 0u) << err;
}

TEST(RenderLine, PadsToExactlyTheRequestedLength) {
  for (uint32_t bytes : {40u, 41u, 100u, 1000u, 16384u, 20000u}) {
    const std::string out = Render(1, bytes);
    EXPECT_EQ(out.size(), bytes);
    EXPECT_EQ(out.find('\n'), std::string::npos);
    EXPECT_EQ(out.find('\r'), std::string::npos);
  }
}

TEST(RenderLine, NeverShorterThanThePrefix) {
  for (uint64_t seq : {1ull, 9ull, 10ull, 123456ull, 18446744073709551615ull}) {
    for (StreamId s : {StreamId::kStdout, StreamId::kStderr}) {
      const size_t minimum = MinimumLineBytes(seq, s);
      EXPECT_EQ(Render(seq, 0, s).size(), minimum) << seq;
      EXPECT_EQ(Render(seq, static_cast<uint32_t>(minimum - 1), s).size(), minimum) << seq;
      EXPECT_EQ(Render(seq, static_cast<uint32_t>(minimum), s).size(), minimum) << seq;
      EXPECT_EQ(Render(seq, static_cast<uint32_t>(minimum + 1), s).size(), minimum + 1) << seq;
    }
  }
}

TEST(MinimumLineBytes, IsTheLengthOfThePrefix) {
  // "cid=" + 12 + " seq=" + digits + " stream=" + "stdout" + " "
  EXPECT_EQ(MinimumLineBytes(1, StreamId::kStdout), std::string("cid=0123456789ab seq=1 stream=stdout ").size());
  EXPECT_EQ(MinimumLineBytes(1, StreamId::kStdout), 37u);
  EXPECT_EQ(MinimumLineBytes(10, StreamId::kStdout), 38u);
  EXPECT_EQ(MinimumLineBytes(999, StreamId::kStderr), 39u);
  EXPECT_EQ(MinimumLineBytes(18446744073709551615ull, StreamId::kStdout), 36u + 20u);
}

TEST(RenderLine, IsDeterministic) {
  EXPECT_EQ(Render(5, 3000), Render(5, 3000));
  EXPECT_EQ(Render(5, 3000, StreamId::kStderr), Render(5, 3000, StreamId::kStderr));
  // The text depends on the container and the sequence number.
  EXPECT_NE(Render(5, 300), Render(6, 300));
  EXPECT_NE(Render(5, 300, StreamId::kStdout, "0123456789ab"), Render(5, 300, StreamId::kStdout, "ba9876543210"));
  // A shorter line is a prefix of a longer one with the same identity.
  EXPECT_EQ(Render(5, 3000).substr(0, 200), Render(5, 200));
}

TEST(RenderLine, PaddingIsPrintable) {
  const std::string out = Render(3, 5000);
  for (char c : out) EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << static_cast<int>(c);
}

TEST(RenderLine, AppendsWithoutTouchingEarlierBytes) {
  LogEntry e;
  e.seq = 9;
  e.bytes = 64;
  std::string out = "keep:";
  RenderLine(kEntryCid, e, &out);
  EXPECT_EQ(out.size(), 5u + 64u);
  EXPECT_EQ(out.substr(0, 5), "keep:");
  EXPECT_EQ(out.substr(5), Render(9, 64));
}

}  // namespace
}  // namespace fakedocker
