#include "core/decode/log_timestamp.h"

#include <array>
#include <cstdio>

#include "common/civil_date.h"

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

}  // namespace

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
      day > leakbench::DaysInMonth(year, static_cast<unsigned>(month)) || hour > 23 || minute > 59 ||
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

  const int64_t days = leakbench::DaysFromCivil(year, static_cast<unsigned>(month),
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

std::string FormatSinceParam(int64_t ns) {
  if (ns < 0) return "0.000000000";
  std::array<char, 40> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%lld.%09lld",
                              static_cast<long long>(ns / kNanosPerSecond),
                              static_cast<long long>(ns % kNanosPerSecond));
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

}  // namespace logcap
