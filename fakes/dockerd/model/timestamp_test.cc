#include "fakes/dockerd/model/timestamp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace fakedocker {
namespace {

constexpr UnixNanos kNanosPerSecond = 1'000'000'000;
constexpr UnixNanos k2023 = 1'700'000'000 * kNanosPerSecond;  // 2023-11-14T22:13:20Z

TEST(FormatLogTimestamp, AlwaysNineFractionDigits) {
  EXPECT_EQ(FormatLogTimestamp(k2023), "2023-11-14T22:13:20.000000000Z");
  EXPECT_EQ(FormatLogTimestamp(k2023 + 1), "2023-11-14T22:13:20.000000001Z");
  EXPECT_EQ(FormatLogTimestamp(k2023 + 500'000'000), "2023-11-14T22:13:20.500000000Z");
  EXPECT_EQ(FormatLogTimestamp(k2023 + 999'999'999), "2023-11-14T22:13:20.999999999Z");
  EXPECT_EQ(FormatLogTimestamp(k2023 + 860'773'509), "2023-11-14T22:13:20.860773509Z");
}

TEST(FormatLogTimestamp, EpochAndPre2000Dates) {
  EXPECT_EQ(FormatLogTimestamp(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatLogTimestamp(946'684'799 * kNanosPerSecond + 999'999'999), "1999-12-31T23:59:59.999999999Z");
  EXPECT_EQ(FormatLogTimestamp(951'782'400 * kNanosPerSecond), "2000-02-29T00:00:00.000000000Z");
  // Before the epoch the fraction still counts up from the earlier second.
  EXPECT_EQ(FormatLogTimestamp(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(FormatLogTimestamp, HasFixedWidth) {
  for (UnixNanos t : {UnixNanos{0}, UnixNanos{1}, UnixNanos{999'999'999}, 946'684'799 * kNanosPerSecond, k2023,
                      k2023 + 999'999'999, UnixNanos{1'795'877'136'563'258'728}}) {
    EXPECT_EQ(FormatLogTimestamp(t).size(), kLogTimestampWidth) << t;
  }
}

TEST(FormatRfc3339Nano, TrimsTrailingZeros) {
  EXPECT_EQ(FormatRfc3339Nano(k2023 + 860'000'000), "2023-11-14T22:13:20.86Z");
  EXPECT_EQ(FormatRfc3339Nano(k2023 + 500'000'000), "2023-11-14T22:13:20.5Z");
  EXPECT_EQ(FormatRfc3339Nano(k2023 + 1), "2023-11-14T22:13:20.000000001Z");
  EXPECT_EQ(FormatRfc3339Nano(k2023 + 999'999'999), "2023-11-14T22:13:20.999999999Z");
  EXPECT_EQ(FormatRfc3339Nano(k2023 + 10'000), "2023-11-14T22:13:20.00001Z");
}

TEST(FormatRfc3339Nano, NoFractionWhenZero) {
  EXPECT_EQ(FormatRfc3339Nano(k2023), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatRfc3339Nano(0), "1970-01-01T00:00:00Z");
}

TEST(FormatHttpDate, UsesImfFixdate) {
  EXPECT_EQ(FormatHttpDate(k2023), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(FormatHttpDate(k2023 + 999'999'999), "Tue, 14 Nov 2023 22:13:20 GMT");  // no rounding up
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(946'684'799 * kNanosPerSecond), "Fri, 31 Dec 1999 23:59:59 GMT");
}

std::optional<UnixNanos> Parse(std::string_view text) {
  std::string error;
  auto t = ParseApiTimestamp(text, &error);
  EXPECT_EQ(t.has_value(), error.empty()) << text << ": " << error;
  return t;
}

TEST(ParseApiTimestamp, AcceptsSecondsAndFractions) {
  EXPECT_EQ(Parse("1700000000"), k2023);
  EXPECT_EQ(Parse("1700000000.5"), k2023 + 500'000'000);  // scaled like moby: ".5" is 500ms
  EXPECT_EQ(Parse("1700000000.05"), k2023 + 50'000'000);
  EXPECT_EQ(Parse("1700000000.000000001"), k2023 + 1);
  EXPECT_EQ(Parse("1700000000.123456789"), k2023 + 123'456'789);
  EXPECT_EQ(Parse("1700000000.999999999"), k2023 + 999'999'999);
  EXPECT_EQ(Parse("0"), 0);
  EXPECT_EQ(Parse("0.000000000"), 0);
}

TEST(ParseApiTimestamp, RoundTripsTheCliFormat) {
  // The docker CLI sends since/until as "%d.%09d"; the exact value must come back.
  const UnixNanos t = 1'795'877'136'563'258'728;
  EXPECT_EQ(Parse("1795877136.563258728"), t);
}

TEST(ParseApiTimestamp, SaturatesFarFutureSeconds) {
  // Go's time.Unix(9999999999, 0) is an ordinary time (year 2286); it must
  // not wrap into the past when held as int64 nanoseconds.
  auto t = Parse("9999999999");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, std::numeric_limits<UnixNanos>::max());
  auto u = Parse("9999999999.5");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(*u, std::numeric_limits<UnixNanos>::max());
  EXPECT_GT(*Parse("9223372035"), *Parse("9223372034"));
}

TEST(ParseApiTimestamp, RejectsWithGoWording) {
  struct Case {
    const char* input;
    const char* message;
  };
  for (const Case& c : {
           Case{"abc", "strconv.ParseInt: parsing \"abc\": invalid syntax"},
           Case{"1.x", "strconv.ParseInt: parsing \"x\": invalid syntax"},
           Case{"", "strconv.ParseInt: parsing \"\": invalid syntax"},
           Case{"1.", "strconv.ParseInt: parsing \"\": invalid syntax"},
           Case{".5", "strconv.ParseInt: parsing \"\": invalid syntax"},
           Case{"1 ", "strconv.ParseInt: parsing \"1 \": invalid syntax"},
           Case{"99999999999999999999", "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"},
       }) {
    std::string error;
    EXPECT_EQ(ParseApiTimestamp(c.input, &error), std::nullopt) << c.input;
    EXPECT_EQ(error, c.message) << c.input;
  }
}

}  // namespace
}  // namespace fakedocker
