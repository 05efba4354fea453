// DaysFromCivil / CivilFromDays round trips, leap years and month lengths,
// and UtcFieldsFromUnixNanos on both sides of the epoch and at the int64 ends.
#include "common/civil_date.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>

namespace leakbench {

// gtest prints a failing UtcFields as this (found by ADL), not as bytes.
void PrintTo(const UtcFields& f, std::ostream* out) {
  *out << f.year << '-' << f.month << '-' << f.day << 'T' << f.hour << ':' << f.minute << ':' << f.second
       << '.' << f.nanos;
}

namespace civil_date_test {  // named, not anonymous: the unity build joins the test files

// 2026-11-28T15:03:08Z, from the measured captures (dockerd-measured.md).
constexpr std::int64_t kS = 1795878188;

TEST(CivilDateTest, CivilDaysRoundTrip) {
  for (std::int64_t days = -800000; days <= 800000; days += 7) {
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    CivilFromDays(days, &y, &m, &d);
    ASSERT_EQ(DaysFromCivil(y, m, d), days);
  }
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2026, 11, 28), kS / 86400);
}

TEST(CivilDateTest, LeapYearsAndMonthLengths) {
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_FALSE(IsLeapYear(2026));
  EXPECT_EQ(DaysInMonth(2024, 2), 29u);
  EXPECT_EQ(DaysInMonth(2026, 2), 28u);
  EXPECT_EQ(DaysInMonth(2026, 4), 30u);
  EXPECT_EQ(DaysInMonth(2026, 12), 31u);
}

TEST(CivilDateTest, UtcFieldsOnBothSidesOfTheEpoch) {
  EXPECT_EQ(UtcFieldsFromUnixNanos(kS * 1'000'000'000 + 776043549), (UtcFields{2026, 11, 28, 15, 3, 8, 776043549}));
  EXPECT_EQ(UtcFieldsFromUnixNanos(0), (UtcFields{1970, 1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(UtcFieldsFromUnixNanos(-1), (UtcFields{1969, 12, 31, 23, 59, 59, 999999999}));
  EXPECT_EQ(UtcFieldsFromUnixNanos(std::numeric_limits<std::int64_t>::min()),
            (UtcFields{1677, 9, 21, 0, 12, 43, 145224192}));
}

}  // namespace civil_date_test
}  // namespace leakbench
