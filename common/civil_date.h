// Proleptic Gregorian calendar maths on Unix days (Howard Hinnant's
// days-from-civil algorithms): no locale, no time zone database, no
// gmtime/timegm. Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace leakbench {

bool IsLeapYear(std::int64_t year);

// 28..31; `month` must be 1..12.
unsigned DaysInMonth(std::int64_t year, unsigned month);

// Days since 1970-01-01 of a date, and back. Defined for any year that fits.
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day);
void CivilFromDays(std::int64_t days, std::int64_t* year, unsigned* month, unsigned* day);

// A UTC instant of int64 Unix nanoseconds split into its calendar fields.
struct UtcFields {
  std::int64_t year = 1970;
  unsigned month = 1;
  unsigned day = 1;
  unsigned hour = 0;
  unsigned minute = 0;
  unsigned second = 0;
  std::uint32_t nanos = 0;  // 0..999'999'999

  bool operator==(const UtcFields&) const = default;
};

// Floor division throughout, so negative instants land in the right day;
// defined for every int64 (INT64_MIN included).
UtcFields UtcFieldsFromUnixNanos(std::int64_t ns);

}  // namespace leakbench
