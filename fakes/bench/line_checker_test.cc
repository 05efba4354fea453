#include "fakes/bench/line_checker.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace followload {
namespace line_checker_test {  // named, not anonymous: the unity build joins these files

constexpr std::string_view kCid = "0123456789ab";

std::string Line(uint64_t seq, std::string_view cid = kCid) {
  return "2024-01-01T00:00:00.000000000Z cid=" + std::string(cid) + " seq=" + std::to_string(seq) + " some text\n";
}

TEST(LineChecker, CountsInOrderLines) {
  LineChecker c(kCid);
  Totals t;
  c.Feed(Line(7) + Line(8) + Line(9), t);
  EXPECT_EQ(t.lines, 3u);
  EXPECT_EQ(t.gaps + t.dups + t.foreign + t.unparsable, 0u);
  EXPECT_EQ(c.first_seq(), 7u);
  EXPECT_EQ(c.last_seq(), 9u);
}

TEST(LineChecker, CountsGapsDuplicatesForeignAndUnparsableLines) {
  LineChecker c(kCid);
  Totals t;
  c.Feed(Line(1) + Line(4) + Line(4) + Line(2) + Line(5, "ffffffffffff") + "no fields here\n" + "cid=x seq=\n", t);
  EXPECT_EQ(t.lines, 7u);
  EXPECT_EQ(t.gaps, 1u);
  EXPECT_EQ(t.missing, 2u);
  EXPECT_EQ(t.dups, 2u);
  EXPECT_EQ(t.foreign, 1u);
  EXPECT_EQ(t.unparsable, 2u);
  EXPECT_EQ(c.last_seq(), 5u);
}

TEST(LineChecker, SplitAtEveryByteBoundary) {
  const std::string text = Line(1) + Line(2) + "\n" + Line(3);
  for (size_t i = 0; i <= text.size(); ++i) {
    for (size_t j = i; j <= text.size(); ++j) {
      LineChecker c(kCid);
      Totals t;
      std::string_view v(text);
      c.Feed(v.substr(0, i), t);
      c.Feed(v.substr(i, j - i), t);
      c.Feed(v.substr(j), t);
      ASSERT_EQ(t.lines, 4u) << "cut at " << i << " and " << j;
      ASSERT_EQ(t.unparsable, 1u) << "the empty line only; cut at " << i << " and " << j;
      ASSERT_EQ(t.gaps + t.dups + t.foreign, 0u) << "cut at " << i << " and " << j;
      ASSERT_EQ(c.last_seq(), 3u);
    }
  }
}

TEST(LineChecker, KeepsOnlyThePrefixOfALongLine) {
  LineChecker c(kCid);
  Totals t;
  std::string long_line = Line(1);
  long_line.insert(long_line.size() - 1, std::string(100000, 'x'));
  c.Feed(long_line + Line(2), t);
  EXPECT_EQ(t.lines, 2u);
  EXPECT_EQ(t.unparsable + t.gaps, 0u);
}

TEST(LineChecker, APartialLineIsNotALine) {
  LineChecker c(kCid);
  Totals t;
  std::string line = Line(1);
  c.Feed(std::string_view(line).substr(0, line.size() - 1), t);
  EXPECT_EQ(t.lines, 0u);
  c.Feed("\n", t);
  EXPECT_EQ(t.lines, 1u);
}

}  // namespace line_checker_test
}  // namespace followload
