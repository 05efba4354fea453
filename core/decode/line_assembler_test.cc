#include "core/decode/line_assembler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace logcap {
namespace {

struct OwnedLine {
  StreamType stream;
  int64_t ts;
  std::string text;
  uint32_t frames;
  bool complete;
  bool truncated;
  uint32_t part;
  bool operator==(const OwnedLine&) const = default;
};

class LineAssemblerTest : public ::testing::Test {
 protected:
  void Init(LineAssemblerOptions options) { assembler_ = LineAssembler(options); }
  void Add(StreamType stream, int64_t ts, std::string_view bytes, bool partial) {
    assembler_.Add(Message{stream, ts, bytes, partial}, collect_);
  }
  LineAssembler assembler_;
  std::vector<OwnedLine> lines_;
  LineCallback collect_ = [this](const Line& l) {
    lines_.push_back({l.stream, l.ts_ns, std::string(l.text), l.frames, l.complete, l.truncated,
                      l.part_index});
  };
};

constexpr auto kOut = StreamType::kStdout;
constexpr auto kErr = StreamType::kStderr;

TEST_F(LineAssemblerTest, WholeLinePassesThrough) {
  Add(kOut, 7, "hello", false);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], (OwnedLine{kOut, 7, "hello", 1, true, false, 0}));
  EXPECT_EQ(assembler_.PendingFrames(), 0u);
}

TEST_F(LineAssemblerTest, MergesPiecesAndCountsFrames) {
  Add(kOut, 7, "aaa", true);
  Add(kOut, 7, "bbb", true);
  EXPECT_TRUE(lines_.empty());
  EXPECT_EQ(assembler_.PendingFrames(kOut), 2u);
  EXPECT_EQ(assembler_.PendingTimestamp(kOut), 7);
  EXPECT_EQ(assembler_.PendingTimestamp(kErr), kNoTimestamp);
  Add(kOut, 7, "c", false);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], (OwnedLine{kOut, 7, "aaabbbc", 3, true, false, 0}));
  EXPECT_EQ(assembler_.PendingFrames(), 0u);
}

TEST_F(LineAssemblerTest, StreamsAreAssembledSeparately) {
  Add(kOut, 7, "out-", true);
  Add(kErr, 7, "err line", false);
  Add(kErr, 8, "err-", true);
  Add(kOut, 7, "end", false);
  Add(kErr, 8, "end", false);
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_EQ(lines_[0], (OwnedLine{kErr, 7, "err line", 1, true, false, 0}));
  EXPECT_EQ(lines_[1], (OwnedLine{kOut, 7, "out-end", 2, true, false, 0}));
  EXPECT_EQ(lines_[2], (OwnedLine{kErr, 8, "err-end", 2, true, false, 0}));
}

TEST_F(LineAssemblerTest, DiscardDropsPendingPiecesForReplay) {
  Add(kOut, 7, "done", false);
  Add(kOut, 7, "half", true);
  Add(kErr, 7, "half", true);
  EXPECT_EQ(assembler_.PendingFrames(), 2u);
  EXPECT_EQ(assembler_.Discard(), 2u);
  EXPECT_EQ(assembler_.PendingFrames(), 0u);
  Add(kOut, 7, "half", true);  // the replay
  Add(kOut, 7, "-rest", false);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[1], (OwnedLine{kOut, 7, "half-rest", 2, true, false, 0}));
}

TEST_F(LineAssemblerTest, FlushDeliversUnterminatedLines) {
  Add(kOut, 7, "abc", true);
  assembler_.Flush(collect_);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], (OwnedLine{kOut, 7, "abc", 1, false, false, 0}));
  EXPECT_EQ(assembler_.unterminated_lines(), 1u);
  assembler_.Flush(collect_);
  EXPECT_EQ(lines_.size(), 1u);
}

TEST_F(LineAssemblerTest, NewTimestampEndsAnUnfinishedLine) {
  Add(kOut, 7, "abc", true);
  Add(kOut, 9, "new", false);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[0], (OwnedLine{kOut, 7, "abc", 1, false, false, 0}));
  EXPECT_EQ(lines_[1], (OwnedLine{kOut, 9, "new", 1, true, false, 0}));
}

TEST_F(LineAssemblerTest, SystemErrorsPassThroughWithoutFrames) {
  Add(kOut, 7, "abc", true);
  Add(StreamType::kSystemError, kNoTimestamp, "Error grabbing logs: x", false);
  Add(kOut, 7, "def", false);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[0], (OwnedLine{StreamType::kSystemError, kNoTimestamp,
                                  "Error grabbing logs: x", 0, true, false, 0}));
  EXPECT_EQ(lines_[1].text, "abcdef");
}

TEST_F(LineAssemblerTest, SplitsOverlongLinesIntoParts) {
  Init({.max_line_bytes = 10, .overlong = OverlongPolicy::kSplit});
  Add(kOut, 7, "01234567", true);
  Add(kOut, 7, "89abcdef", true);
  Add(kOut, 7, "ghijklmno", false);
  Add(kOut, 7, "next", false);
  ASSERT_EQ(lines_.size(), 4u);
  EXPECT_EQ(lines_[0], (OwnedLine{kOut, 7, "0123456789", 1, false, false, 0}));
  EXPECT_EQ(lines_[1], (OwnedLine{kOut, 7, "abcdefghij", 1, false, false, 1}));
  EXPECT_EQ(lines_[2], (OwnedLine{kOut, 7, "klmno", 1, true, false, 2}));
  EXPECT_EQ(lines_[3], (OwnedLine{kOut, 7, "next", 1, true, false, 0}));
  EXPECT_EQ(assembler_.lines_split(), 1u);
}

TEST_F(LineAssemblerTest, SplitOfOneHugeMessage) {
  Init({.max_line_bytes = 4, .overlong = OverlongPolicy::kSplit});
  Add(kErr, 7, "abcdefghij", false);
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_EQ(lines_[0], (OwnedLine{kErr, 7, "abcd", 0, false, false, 0}));
  EXPECT_EQ(lines_[1], (OwnedLine{kErr, 7, "efgh", 0, false, false, 1}));
  EXPECT_EQ(lines_[2], (OwnedLine{kErr, 7, "ij", 1, true, false, 2}));
}

TEST_F(LineAssemblerTest, LineOfExactlyMaxIsNotSplit) {
  Init({.max_line_bytes = 10, .overlong = OverlongPolicy::kSplit});
  Add(kOut, 7, "01234", true);
  Add(kOut, 7, "56789", true);
  Add(kOut, 7, "", false);
  Add(kOut, 7, "0123456789", false);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[0], (OwnedLine{kOut, 7, "0123456789", 3, true, false, 0}));
  EXPECT_EQ(lines_[1], (OwnedLine{kOut, 7, "0123456789", 1, true, false, 0}));
  EXPECT_EQ(assembler_.lines_split(), 0u);
}

TEST_F(LineAssemblerTest, TruncatesOverlongLines) {
  Init({.max_line_bytes = 10, .overlong = OverlongPolicy::kTruncate});
  Add(kOut, 7, "01234567", true);
  Add(kOut, 7, "89abcdef", true);
  Add(kOut, 7, "ghijklmno", false);
  Add(kOut, 7, "0123456789abc", false);
  Add(kOut, 7, "short", false);
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_EQ(lines_[0], (OwnedLine{kOut, 7, "0123456789", 3, true, true, 0}));
  EXPECT_EQ(lines_[1], (OwnedLine{kOut, 7, "0123456789", 1, true, true, 0}));
  EXPECT_EQ(lines_[2], (OwnedLine{kOut, 7, "short", 1, true, false, 0}));
  EXPECT_EQ(assembler_.lines_truncated(), 2u);
  EXPECT_EQ(assembler_.bytes_truncated(), 15u + 3u);
}

TEST_F(LineAssemblerTest, DropsTtyCarriageReturnCutFromItsNewline) {
  Add(kOut, 7, "abc\r", true);
  assembler_.Add(Message{kOut, 7, "", false, /*drop_trailing_cr=*/true}, collect_);
  Add(kOut, 7, "x\r", true);
  Add(kOut, 7, "", false);  // no flag: the '\r' is content
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[0], (OwnedLine{kOut, 7, "abc", 2, true, false, 0}));
  EXPECT_EQ(lines_[1], (OwnedLine{kOut, 7, "x\r", 2, true, false, 0}));
}

}  // namespace
}  // namespace logcap
