// AppendRfc3339Nano / FormatRfc3339Nano: fixed nine digits in UTC, either
// side of the epoch, the int64 ends, and agreement with a plain snprintf
// spelling of the same calendar fields over random instants.
#include "common/rfc3339_nano.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "common/civil_date.h"

namespace leakbench {
namespace rfc3339_nano_test {  // named, not anonymous: the unity build joins the test files

constexpr std::int64_t kTs = 1795877039860773509;  // 2026-11-28T14:43:59.860773509Z
// 2026-11-28T15:03:08Z, from the measured captures (dockerd-measured.md).
constexpr std::int64_t kS = 1795878188;
constexpr std::int64_t kNs = 1'000'000'000;

std::string Appended(std::int64_t ns) {
  std::string out;
  AppendRfc3339Nano(ns, out);
  return out;
}

// A second, independent spelling: snprintf of the calendar fields.
std::string Printed(std::int64_t ns) {
  const UtcFields f = UtcFieldsFromUnixNanos(ns);
  std::array<char, 64> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02u:%02u:%02u.%09uZ",
                              static_cast<long long>(f.year), f.month, f.day, f.hour, f.minute,
                              f.second, static_cast<unsigned>(f.nanos));
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

TEST(Rfc3339NanoTest, FormatsNineDigitsUtc) {
  EXPECT_EQ(FormatRfc3339Nano(kS * kNs + 776043549), "2026-11-28T15:03:08.776043549Z");
  EXPECT_EQ(FormatRfc3339Nano(kS * kNs + 669256080), "2026-11-28T15:03:08.669256080Z");
  EXPECT_EQ(FormatRfc3339Nano(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatRfc3339Nano(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(Rfc3339NanoTest, Int64Limits) {
  EXPECT_EQ(FormatRfc3339Nano(std::numeric_limits<std::int64_t>::max()), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(FormatRfc3339Nano(std::numeric_limits<std::int64_t>::min()), "1677-09-21T00:12:43.145224192Z");
}

TEST(Rfc3339NanoTest, AppendsTimestamps) {
  EXPECT_EQ(Appended(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(Appended(1), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(Appended(999'999'999), "1970-01-01T00:00:00.999999999Z");
  EXPECT_EQ(Appended(1'500'000'000), "1970-01-01T00:00:01.500000000Z");
  EXPECT_EQ(Appended(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(Appended(kTs), "2026-11-28T14:43:59.860773509Z");
  EXPECT_EQ(Appended(951782400LL * 1'000'000'000), "2000-02-29T00:00:00.000000000Z");
  std::string out = "ts=";
  AppendRfc3339Nano(0, out);
  EXPECT_EQ(out, "ts=1970-01-01T00:00:00.000000000Z");  // appends, keeps what was there
  for (const std::int64_t ns : {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
    EXPECT_EQ(Appended(ns), FormatRfc3339Nano(ns));
    EXPECT_EQ(Appended(ns), Printed(ns));
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const auto ns = static_cast<std::int64_t>(rng());
    ASSERT_EQ(Appended(ns), FormatRfc3339Nano(ns)) << ns;
    ASSERT_EQ(Appended(ns), Printed(ns)) << ns;
  }
}

}  // namespace rfc3339_nano_test
}  // namespace leakbench
