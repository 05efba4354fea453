#include "fakes/client/chunk_decoder.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace fakedocker {

void PrintTo(ChunkDecoder::Status s, std::ostream* os) {
  *os << (s == ChunkDecoder::Status::kMore ? "kMore" : s == ChunkDecoder::Status::kDone ? "kDone" : "kError");
}

namespace chunk_decoder_test {  // named, not anonymous: the unity build joins these files

using Status = ChunkDecoder::Status;

struct Outcome {
  Status status = Status::kMore;
  std::string data;
  size_t consumed = 0;  // of the whole input, up to and including the end of the body
  std::string error;
};

// Feeds `in` cut at each of `cuts` (ascending offsets) and stops at kDone or kError.
Outcome FeedPieces(std::string_view in, const std::vector<size_t>& cuts) {
  ChunkDecoder d;
  Outcome o;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(in.size());
  for (size_t to : ends) {
    size_t used = 0;
    o.status = d.Feed(in.substr(from, to - from), [&](std::string_view piece) { o.data.append(piece); }, &used);
    o.consumed += used;
    if (o.status != Status::kMore) break;
    from = to;
  }
  o.error = d.error();
  return o;
}

const std::string kBody =
    "5\r\nhello\r\n"
    "1;name=value\r\n \r\n"
    "A \r\n0123456789\r\n"
    "0\r\n"
    "X-Trailer: yes\r\n"
    "\r\n";
const std::string kData = "hello 0123456789";

TEST(ChunkDecoder, DecodesChunksExtensionsAndTrailer) {
  Outcome o = FeedPieces(kBody + "NEXT", {});
  EXPECT_EQ(o.status, Status::kDone);
  EXPECT_EQ(o.data, kData);
  EXPECT_EQ(o.consumed, kBody.size()) << "bytes after the body are not the body's";
  EXPECT_EQ(o.error, "");
}

TEST(ChunkDecoder, SplitAtEveryByteBoundary) {
  for (size_t i = 0; i <= kBody.size(); ++i) {
    for (size_t j = i; j <= kBody.size(); ++j) {
      Outcome o = FeedPieces(kBody, {i, j});
      ASSERT_EQ(o.status, Status::kDone) << "cut at " << i << " and " << j << ": " << o.error;
      ASSERT_EQ(o.data, kData) << "cut at " << i << " and " << j;
      ASSERT_EQ(o.consumed, kBody.size()) << "cut at " << i << " and " << j;
    }
  }
}

TEST(ChunkDecoder, OneByteAtATime) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < kBody.size(); ++i) cuts.push_back(i);
  Outcome o = FeedPieces(kBody, cuts);
  EXPECT_EQ(o.status, Status::kDone) << o.error;
  EXPECT_EQ(o.data, kData);
}

TEST(ChunkDecoder, UnfinishedBodyAsksForMore) {
  for (size_t n = 0; n < kBody.size(); ++n) {
    Outcome o = FeedPieces(std::string_view(kBody).substr(0, n), {});
    ASSERT_EQ(o.status, Status::kMore) << "first " << n << " bytes";
    ASSERT_EQ(o.error, "");
  }
}

TEST(ChunkDecoder, StaysDoneAndConsumesNothingMore) {
  ChunkDecoder d;
  auto ignore = [](std::string_view) {};
  ASSERT_EQ(d.Feed("0\r\n\r\n", ignore), Status::kDone);
  size_t used = 99;
  EXPECT_EQ(d.Feed("5\r\nhello\r\n", ignore, &used), Status::kDone);
  EXPECT_EQ(used, 0u);
}

struct Malformed {
  std::string name;  // names the test case in ctest
  std::string input;
  std::string error;
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

class ChunkDecoderMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(ChunkDecoderMalformed, GivesAClearErrorAtEverySplit) {
  const Malformed& m = GetParam();
  for (size_t i = 0; i <= m.input.size(); ++i) {
    Outcome o = FeedPieces(m.input, {i});
    ASSERT_EQ(o.status, Status::kError) << "cut at " << i;
    ASSERT_EQ(o.error, m.error) << "cut at " << i;
  }
}

TEST_P(ChunkDecoderMalformed, StaysFailed) {
  ChunkDecoder d;
  auto ignore = [](std::string_view) {};
  ASSERT_EQ(d.Feed(GetParam().input, ignore), Status::kError);
  EXPECT_EQ(d.Feed("0\r\n\r\n", ignore), Status::kError);
  EXPECT_EQ(d.error(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, ChunkDecoderMalformed,
    ::testing::Values(
        Malformed{"not_hex", "xyz\r\n", "expected a chunk size, got 'x'"},
        Malformed{"empty_size", "\r\n", "expected a chunk size, got '\\x0d'"},
        Malformed{"bad_size_char", "5x\r\nhello\r\n", "bad character 'x' in a chunk size"},
        Malformed{"too_many_digits", "1000000000000000\r\n", "chunk size with more than 15 hex digits"},
        Malformed{"cr_without_lf_after_size", "5\rXhello\r\n", "chunk size line ends in CR without LF"},
        Malformed{"data_longer_than_size", "3\r\nhello\r\n",
                  "chunk data is longer than its announced size (no CRLF after it)"},
        Malformed{"cr_without_lf_after_data", "5\r\nhello\r\r", "chunk data ends in CR without LF"},
        Malformed{"cr_without_lf_in_trailer", "0\r\nX: y\rZ", "trailer line ends in CR without LF"}));

TEST(ChunkDecoder, ArbitraryBytesNeverCrash) {
  // Every single byte value after each prefix of a valid body: ends in
  // kMore, kDone or kError, and an error always says what.
  for (size_t n = 0; n <= kBody.size(); ++n) {
    for (int b = 0; b < 256; ++b) {
      std::string in = kBody.substr(0, n);
      in.push_back(static_cast<char>(b));
      Outcome o = FeedPieces(in, {});
      if (o.status == Status::kError) {
        ASSERT_FALSE(o.error.empty());
      }
    }
  }
}

}  // namespace chunk_decoder_test
}  // namespace fakedocker
