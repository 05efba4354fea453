#include "core/decode/log_timestamp.h"

#include <array>
#include <cstdio>

namespace logcap {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Reads exactly `n` ASCII digits at text[*pos]; advances *pos.
bool ReadDigits(std::string_view text, std::size_t* pos, int n, int64_t* value) {
  if (text.size() - *pos < static_cast<std::size_t>(n)) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[*pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<std::size_t>(n);
  *value = v;
  return true;
}

bool Expect(std::string_view text, std::size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  *month = m;
  *day = d;
}

std::optional<int64_t> ParseRfc3339Nano(std::string_view text) {
  std::size_t pos = 0;
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day) || !Expect(text, &pos, 'T') ||
      !ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minute) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, static_cast<unsigned>(month)) || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) fraction = fraction * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 9; ++i) fraction *= 10;
  }
  int64_t offset_seconds = 0;
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == 'Z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int64_t sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int64_t oh = 0, om = 0;
    if (!ReadDigits(text, &pos, 2, &oh) || !Expect(text, &pos, ':') ||
        !ReadDigits(text, &pos, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month),
                                     static_cast<unsigned>(day));
  // |seconds| < 10^4 years * 366 days * 86400 s: no overflow before the check.
  const int64_t seconds =
      days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset_seconds;
  // A negative second with a fraction is computed from the next second up,
  // so that values just above INT64_MIN do not overflow on the way.
  int64_t whole = seconds;
  int64_t rest = fraction;
  if (whole < 0 && rest > 0) {
    ++whole;
    rest -= kNanosPerSecond;
  }
  int64_t ns = 0;
  if (__builtin_mul_overflow(whole, kNanosPerSecond, &ns) ||
      __builtin_add_overflow(ns, rest, &ns)) {
    return std::nullopt;
  }
  if (ns == kNoTimestamp) return std::nullopt;  // reserved sentinel
  return ns;
}

std::optional<std::size_t> ParseTimestampPrefix(std::string_view record, int64_t* ns) {
  const std::string_view head = record.substr(0, kMaxTimestampPrefix);
  const std::size_t space = head.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::optional<int64_t> value = ParseRfc3339Nano(head.substr(0, space));
  if (!value) return std::nullopt;
  *ns = *value;
  return space + 1;
}

std::string FormatRfc3339Nano(int64_t ns) {
  // Floor division written so that INT64_MIN does not overflow.
  int64_t seconds = ns / kNanosPerSecond;
  int64_t nanos = ns % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --seconds;
  }
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t sod = seconds - days * kSecondsPerDay;
  int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  std::array<char, 64> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09lldZ",
                              static_cast<long long>(year), month, day,
                              static_cast<long long>(sod / 3600),
                              static_cast<long long>(sod / 60 % 60),
                              static_cast<long long>(sod % 60), static_cast<long long>(nanos));
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

std::string FormatSinceParam(int64_t ns) {
  if (ns < 0) return "0.000000000";
  std::array<char, 40> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%lld.%09lld",
                              static_cast<long long>(ns / kNanosPerSecond),
                              static_cast<long long>(ns % kNanosPerSecond));
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

}  // namespace logcap
