// CutValue / QuoteValue: what an error message echoes of a value.
#include "common/echo_value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/digits.h"

namespace leakbench {
namespace echo_value_test {

constexpr std::size_t kHuge = 64 * 1024;

TEST(CutValueTest, ShortValuesAreEchoedWhole) {
  EXPECT_EQ(CutValue(""), "");
  EXPECT_EQ(CutValue("abc"), "abc");
  const std::string at_limit(kMaxEchoedBytes, 'x');
  EXPECT_EQ(CutValue(at_limit), at_limit);
  EXPECT_EQ(QuoteValue("abc"), "'abc'");
}

TEST(CutValueTest, LongValuesKeepTheirStartAndSayTheirSize) {
  const std::string value = std::string(kMaxEchoedBytes, 'a') + "b";
  EXPECT_EQ(CutValue(value),
            std::string(kMaxEchoedBytes, 'a') + "\xE2\x80\xA6(cut, " +
                std::to_string(kMaxEchoedBytes + 1) + " bytes)");
  EXPECT_EQ(QuoteValue(std::string(kHuge, 'z')),
            "'" + std::string(kMaxEchoedBytes, 'z') + "\xE2\x80\xA6(cut, 65536 bytes)'");
}

TEST(CutValueTest, NeverSplitsAUtf8Character) {
  // "é" (2 bytes) across the limit, then "€" (3 bytes) ending at it + 1.
  const std::string e_acute = std::string(kMaxEchoedBytes - 1, 'a') + "\xC3\xA9" + "tail";
  EXPECT_EQ(CutValue(e_acute), std::string(kMaxEchoedBytes - 1, 'a') +
                                   "\xE2\x80\xA6(cut, " + std::to_string(e_acute.size()) +
                                   " bytes)");
  const std::string euro = std::string(kMaxEchoedBytes - 2, 'a') + "\xE2\x82\xAC" + "tail";
  EXPECT_THAT(CutValue(euro), ::testing::StartsWith(std::string(kMaxEchoedBytes - 2, 'a') +
                                                    "\xE2\x80\xA6"));
  // Not UTF-8 at all: still cut, at most 3 bytes early.
  const std::string garbage(kHuge, '\x80');
  EXPECT_LE(CutValue(garbage).size(), kMaxEchoedBytes + 40);
}

TEST(DigitsTest, OnlyANonEmptyRunOfAsciiDigits) {
  EXPECT_TRUE(IsAllDigits("0"));
  EXPECT_TRUE(IsAllDigits("0123456789"));
  EXPECT_FALSE(IsAllDigits(""));
  EXPECT_FALSE(IsAllDigits("+1"));
  EXPECT_FALSE(IsAllDigits("-1"));
  EXPECT_FALSE(IsAllDigits(" 1"));
  EXPECT_FALSE(IsAllDigits("1.5"));
  EXPECT_FALSE(IsAllDigits("1e3"));
  EXPECT_FALSE(IsAllDigits("\xD9\xA1"));  // ARABIC-INDIC DIGIT ONE is not ASCII
}

}  // namespace echo_value_test
}  // namespace leakbench
