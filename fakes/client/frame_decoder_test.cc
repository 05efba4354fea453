#include "fakes/client/frame_decoder.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fakedocker {
namespace frame_decoder_test {  // named, not anonymous: the unity build joins these files

std::string Frame(uint8_t stream, std::string_view payload) {
  std::string f(8, '\0');
  f[0] = static_cast<char>(stream);
  const auto n = static_cast<uint32_t>(payload.size());
  f[4] = static_cast<char>(n >> 24);
  f[5] = static_cast<char>(n >> 16);
  f[6] = static_cast<char>(n >> 8);
  f[7] = static_cast<char>(n);
  return f + std::string(payload);
}

struct Outcome {
  bool ok = true;
  std::string by_stream[4];
  std::vector<uint8_t> frames;  // the stream of each frame, from the first-piece flags
  std::string error;
};

Outcome FeedPieces(std::string_view in, const std::vector<size_t>& cuts) {
  FrameDecoder d;
  Outcome o;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(in.size());
  for (size_t to : ends) {
    o.ok = d.Feed(in.substr(from, to - from), [&](uint8_t stream, std::string_view piece, bool first) {
      o.by_stream[stream].append(piece);
      if (first) o.frames.push_back(stream);
    });
    if (!o.ok) break;
    from = to;
  }
  o.error = d.error();
  return o;
}

const std::string kBody = Frame(1, "cid=a seq=1 out\n") + Frame(2, "cid=a seq=2 err\n") +
                          Frame(3, "an in-band error") + Frame(1, "cid=a seq=3 out\n");

TEST(FrameDecoder, DemultiplexesStreams) {
  Outcome o = FeedPieces(kBody, {});
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.by_stream[1], "cid=a seq=1 out\ncid=a seq=3 out\n");
  EXPECT_EQ(o.by_stream[2], "cid=a seq=2 err\n");
  EXPECT_EQ(o.by_stream[3], "an in-band error");
  EXPECT_EQ(o.frames, (std::vector<uint8_t>{1, 2, 3, 1}));
}

TEST(FrameDecoder, SplitAtEveryByteBoundary) {
  const Outcome whole = FeedPieces(kBody, {});
  for (size_t i = 0; i <= kBody.size(); ++i) {
    for (size_t j = i; j <= kBody.size(); ++j) {
      Outcome o = FeedPieces(kBody, {i, j});
      ASSERT_TRUE(o.ok) << "cut at " << i << " and " << j << ": " << o.error;
      for (int s = 0; s < 4; ++s) {
        ASSERT_EQ(o.by_stream[s], whole.by_stream[s]) << "stream " << s << ", cut at " << i << " and " << j;
      }
      ASSERT_EQ(o.frames, whole.frames) << "one first piece per frame; cut at " << i << " and " << j;
    }
  }
}

TEST(FrameDecoder, OneByteAtATime) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < kBody.size(); ++i) cuts.push_back(i);
  Outcome o = FeedPieces(kBody, cuts);
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.by_stream[1], "cid=a seq=1 out\ncid=a seq=3 out\n");
  EXPECT_EQ(o.frames, (std::vector<uint8_t>{1, 2, 3, 1}));
}

TEST(FrameDecoder, AcceptsTheLargestFrame) {
  Outcome o = FeedPieces(Frame(1, std::string(FrameDecoder::kMaxFrame, 'x')), {});
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.by_stream[1].size(), FrameDecoder::kMaxFrame);
}

struct Malformed {
  std::string name;  // names the test case in ctest
  std::string input;
  std::string error;
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

class FrameDecoderMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(FrameDecoderMalformed, GivesAClearErrorAtEverySplit) {
  const Malformed& m = GetParam();
  for (size_t i = 0; i <= m.input.size(); ++i) {
    Outcome o = FeedPieces(m.input, {i});
    ASSERT_FALSE(o.ok) << "cut at " << i;
    ASSERT_EQ(o.error, m.error) << "cut at " << i;
  }
}

TEST_P(FrameDecoderMalformed, StaysFailed) {
  FrameDecoder d;
  auto ignore = [](uint8_t, std::string_view, bool) {};
  ASSERT_FALSE(d.Feed(GetParam().input, ignore));
  EXPECT_FALSE(d.Feed(Frame(1, "fine\n"), ignore));
  EXPECT_EQ(d.error(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, FrameDecoderMalformed,
    ::testing::Values(
        Malformed{"stream_4", std::string("\x04\0\0\0\0\0\0\x01x", 9),
                  "bad multiplexing header \\x04\\x00\\x00\\x00\\x00\\x00\\x00\\x01"},
        Malformed{"raw_text_after_a_frame", Frame(1, "ok\n") + "2024-01-01T00:00:00Z raw text",
                  "bad multiplexing header 2024-01-"},
        Malformed{"nonzero_padding", std::string("\x01\0\x01\0\0\0\0\x01x", 9),
                  "bad multiplexing header \\x01\\x00\\x01\\x00\\x00\\x00\\x00\\x01"},
        Malformed{"one_byte_over_1MiB", std::string("\x01\0\0\0\0\x10\0\x01", 8), "frame length 1048577 exceeds 1 MiB"},
        Malformed{"length_4GiB", std::string("\x02\0\0\0\xff\xff\xff\xff", 8),
                  "frame length 4294967295 exceeds 1 MiB"}));

TEST(FrameDecoder, ArbitraryHeadersNeverCrash) {
  // Each byte value in each header position: either a valid frame start or a
  // clear error, never a crash or a silent pass of a bad header.
  for (size_t pos = 0; pos < 8; ++pos) {
    for (int b = 0; b < 256; ++b) {
      std::string in = Frame(1, "x");
      in[pos] = static_cast<char>(b);
      Outcome o = FeedPieces(in, {});
      const bool bad_header = (pos == 0 && b > 3) || (pos >= 1 && pos <= 3 && b != 0) || (pos == 4 && b != 0) ||
                              (pos == 5 && b >= 0x10);
      if (bad_header) {
        ASSERT_FALSE(o.ok) << "byte " << pos << " = " << b;
        ASSERT_FALSE(o.error.empty());
      } else {
        ASSERT_TRUE(o.ok) << "byte " << pos << " = " << b << ": " << o.error;
      }
    }
  }
}

// Every whole frame by frame_end, as (stream, payload); a cut-off frame is not one.
std::vector<std::pair<uint8_t, std::string>> WholeFrames(FrameDecoder& d, std::string_view in,
                                                         const std::vector<size_t>& cuts) {
  std::vector<std::pair<uint8_t, std::string>> frames;
  std::string payload;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(in.size());
  for (size_t to : ends) {
    bool ok = d.Feed(
        in.substr(from, to - from), [&](uint8_t, std::string_view piece, bool) { payload.append(piece); },
        [&](uint8_t stream) { frames.emplace_back(stream, std::exchange(payload, std::string())); });
    if (!ok) break;
    from = to;
  }
  return frames;
}

TEST(FrameDecoder, FrameEndMarksEveryWholeFrameIncludingEmptyOnes) {
  const std::string body = Frame(1, "a\n") + Frame(2, "") + Frame(1, "bc\n") + Frame(1, "cut off");
  const std::string in = body.substr(0, body.size() - 3);
  const std::vector<std::pair<uint8_t, std::string>> want{{1, "a\n"}, {2, ""}, {1, "bc\n"}};
  for (size_t i = 0; i <= in.size(); ++i) {
    FrameDecoder d;
    ASSERT_EQ(WholeFrames(d, in, {i}), want) << "cut at " << i;
    ASSERT_EQ(d.error(), "");
  }
}

TEST(FrameDecoder, HeaderCheckNoneTakesAnyHeaderAsItIs) {
  const std::string bad_stream = std::string("\x07\0\0\0\0\0\0\x02", 8) + "xy";
  const std::string bad_padding = std::string("\x01\0\x01\0\0\0\0\x01", 8) + "z";
  const std::string absurd_length = std::string("\x01\0\0\0\xff\xff\xff\xf0", 8) + "partial";
  FrameDecoder strict;
  EXPECT_TRUE(WholeFrames(strict, bad_stream, {}).empty());
  EXPECT_FALSE(strict.error().empty());
  FrameDecoder none(FrameDecoder::HeaderCheck::kNone);
  const std::vector<std::pair<uint8_t, std::string>> want{{7, "xy"}, {1, "z"}};
  EXPECT_EQ(WholeFrames(none, bad_stream + bad_padding + absurd_length, {}), want);
  EXPECT_EQ(none.error(), "") << "an absurd length is only a frame not yet complete";
}

}  // namespace frame_decoder_test
}  // namespace fakedocker
