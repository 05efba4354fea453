#include "core/decode/log_timestamp.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/rfc3339_nano.h"

namespace logcap {
namespace {

using leakbench::FormatRfc3339Nano;

// 2026-11-28T15:03:08Z, from the measured captures (dockerd-measured.md).
constexpr int64_t kS = 1795878188;
constexpr int64_t kNs = 1'000'000'000;

TEST(TimestampTest, ParsesDockerdFixedNanoFormat) {
  EXPECT_EQ(ParseRfc3339Nano("2026-11-28T15:03:08.776043549Z"), kS * kNs + 776043549);
  EXPECT_EQ(ParseRfc3339Nano("2026-11-28T14:43:59.860773509Z"),
            (kS - 1149) * kNs + 860773509);
  EXPECT_EQ(ParseRfc3339Nano("1970-01-01T00:00:00.000000000Z"), 0);
  EXPECT_EQ(ParseRfc3339Nano("1969-12-31T23:59:59.999999999Z"), -1);
}

TEST(TimestampTest, ParsesFewerFractionDigitsAndNone) {
  EXPECT_EQ(ParseRfc3339Nano("2026-11-28T15:03:08.776Z"), kS * kNs + 776000000);
  EXPECT_EQ(ParseRfc3339Nano("2026-11-28T15:03:08.5Z"), kS * kNs + 500000000);
  EXPECT_EQ(ParseRfc3339Nano("2026-11-28T15:03:08Z"), kS * kNs);
  // More than 9 digits are truncated, as Go does.
  EXPECT_EQ(ParseRfc3339Nano("2026-11-28T15:03:08.1234567899Z"), kS * kNs + 123456789);
}

TEST(TimestampTest, ParsesOffsets) {
  EXPECT_EQ(ParseRfc3339Nano("2026-11-28T16:03:08.5+01:00"), kS * kNs + 500000000);
  EXPECT_EQ(ParseRfc3339Nano("2026-11-28T09:33:08-05:30"), kS * kNs);
  EXPECT_EQ(ParseRfc3339Nano("2026-11-28T15:03:08+00:00"), kS * kNs);
  EXPECT_EQ(ParseRfc3339Nano("2026-11-29T00:03:08+09:00"), kS * kNs);
}

TEST(TimestampTest, LeapYears) {
  EXPECT_TRUE(ParseRfc3339Nano("2024-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(ParseRfc3339Nano("2000-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339Nano("2100-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339Nano("2026-02-29T00:00:00Z").has_value());
  EXPECT_EQ(*ParseRfc3339Nano("2024-03-01T00:00:00Z") - *ParseRfc3339Nano("2024-02-28T00:00:00Z"),
            2 * 86400 * kNs);
}

TEST(TimestampTest, RejectsBadInput) {
  for (const char* bad : {
           "", "2026", "2026-11-28", "2026-11-28T15:03:08", "2026-11-28T15:03:08.Z",
           "2026-11-28 15:03:08Z", "2026-11-28T15:03:08z", "2026-11-28T15:03:08Zx",
           "2026-11-28T15:03:08Z ", " 2026-11-28T15:03:08Z", "2026-13-01T00:00:00Z",
           "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-31T00:00:00Z",
           "2026-11-28T24:00:00Z", "2026-11-28T23:60:00Z", "2026-11-28T23:59:60Z",
           "2026-11-28T15:03:08+0100", "2026-11-28T15:03:08+24:00", "2026-11-28T15:03:08+01:60",
           "2026-11-28T15:03:08+01", "2026-1-28T15:03:08Z", "20x6-11-28T15:03:08Z",
           "2026-11-28T15:03:08.77604354aZ", "9999-12-31T23:59:59Z", "1600-01-01T00:00:00Z",
           "2262-04-11T23:47:16.854775808Z", "Error grabbing logs: x",
       }) {
    EXPECT_FALSE(ParseRfc3339Nano(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseRfc3339Nano(std::string("2026-11-28T15:03:08\0Z", 21)).has_value());
}

TEST(TimestampTest, Int64Limits) {
  EXPECT_EQ(ParseRfc3339Nano("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
  EXPECT_EQ(FormatRfc3339Nano(INT64_MAX), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(FormatRfc3339Nano(INT64_MIN), "1677-09-21T00:12:43.145224192Z");
  // INT64_MIN is kNoTimestamp, never a parse result.
  EXPECT_FALSE(ParseRfc3339Nano("1677-09-21T00:12:43.145224192Z").has_value());
  EXPECT_EQ(ParseRfc3339Nano("1677-09-21T00:12:43.145224193Z"), INT64_MIN + 1);
}

TEST(TimestampTest, FormatsSinceParam) {
  EXPECT_EQ(FormatSinceParam(kS * kNs + 776043549), "1795878188.776043549");
  EXPECT_EQ(FormatSinceParam(kS * kNs), "1795878188.000000000");
  EXPECT_EQ(FormatSinceParam(5), "0.000000005");
  EXPECT_EQ(FormatSinceParam(0), "0.000000000");
  EXPECT_EQ(FormatSinceParam(-3), "0.000000000");
  EXPECT_EQ(FormatSinceParam(kNoTimestamp), "0.000000000");
}

TEST(TimestampTest, RandomRoundTrips) {
  std::mt19937_64 rng(20261128);
  std::uniform_int_distribution<int64_t> any(INT64_MIN + 1, INT64_MAX);
  for (int i = 0; i < 20000; ++i) {
    const int64_t ns = any(rng);
    const std::string text = FormatRfc3339Nano(ns);
    ASSERT_EQ(text.size(), 30u) << text;
    ASSERT_EQ(ParseRfc3339Nano(text), ns) << text;
  }
}

TEST(TimestampTest, ParsesRecordPrefix) {
  int64_t ns = 0;
  EXPECT_EQ(ParseTimestampPrefix("2026-11-28T15:03:08.776043549Z out1\n", &ns), 31u);
  EXPECT_EQ(ns, kS * kNs + 776043549);
  EXPECT_EQ(ParseTimestampPrefix("2026-11-28T15:03:08Z x", &ns), 21u);
  EXPECT_FALSE(ParseTimestampPrefix("2026-11-28T15:03:08.776043549Z", &ns));
  EXPECT_FALSE(ParseTimestampPrefix("hello world", &ns));
  EXPECT_FALSE(ParseTimestampPrefix(std::string(100, '1') + " x", &ns));
}

}  // namespace
}  // namespace logcap
