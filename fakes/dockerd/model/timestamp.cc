#include "fakes/dockerd/model/timestamp.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>

namespace fakedocker {
namespace {

struct Split {
  std::tm tm{};
  int64_t nanos = 0;
};

Split SplitTime(UnixNanos t) {
  int64_t secs = t / 1'000'000'000;
  int64_t nanos = t % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    secs -= 1;
  }
  Split s;
  std::time_t tt = static_cast<std::time_t>(secs);
  gmtime_r(&tt, &s.tm);
  s.nanos = nanos;
  return s;
}

std::string FormatDateTime(const std::tm& tm) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace

UnixNanos NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatLogTimestamp(UnixNanos t) {
  Split s = SplitTime(t);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09lldZ", static_cast<long long>(s.nanos));
  return FormatDateTime(s.tm) + frac;
}

std::string FormatRfc3339Nano(UnixNanos t) {
  Split s = SplitTime(t);
  std::string out = FormatDateTime(s.tm);
  if (s.nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(s.nanos));
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

std::string FormatHttpDate(UnixNanos t) {
  Split s = SplitTime(t);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &s.tm);
  return buf;
}

std::optional<UnixNanos> ParseApiTimestamp(std::string_view value, std::string* error) {
  auto parse_int = [&](std::string_view digits, int64_t* out) {
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
      *error = "strconv.ParseInt: parsing \"" + std::string(digits) + "\": " +
               (ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax");
      return false;
    }
    return true;
  };
  size_t dot = value.find('.');
  int64_t secs = 0;
  if (!parse_int(value.substr(0, dot), &secs)) return std::nullopt;
  int64_t nanos = 0;
  if (dot != std::string_view::npos) {
    std::string_view frac = value.substr(dot + 1);
    if (!parse_int(frac, &nanos)) return std::nullopt;
    // moby: n * 10^(9-len(frac)), so "5" means 500ms and "0000000005" is 0.
    int exp = 9 - static_cast<int>(frac.size());
    for (; exp > 0; --exp) nanos *= 10;
    for (; exp < 0; ++exp) nanos /= 10;
  }
  // Go's time.Unix holds any int64 seconds; int64 nanoseconds end in 2262.
  // Saturate instead of overflowing, so "until=9999999999" stays in the future.
  UnixNanos t = 0;
  if (__builtin_mul_overflow(secs, int64_t{1'000'000'000}, &t) ||
      __builtin_add_overflow(t, secs < 0 ? -nanos : nanos, &t)) {
    return secs < 0 ? std::numeric_limits<UnixNanos>::min() : std::numeric_limits<UnixNanos>::max();
  }
  return t;
}

}  // namespace fakedocker
