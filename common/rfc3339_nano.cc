#include "common/rfc3339_nano.h"

#include <array>
#include <cstring>

#include "common/civil_date.h"

namespace leakbench {
namespace {

// Writes `value` as exactly `width` decimal digits ending before `end`.
void PutDigits(std::uint64_t value, int width, char* end) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void AppendRfc3339Nano(std::int64_t ns, std::string& out) {
  const UtcFields f = UtcFieldsFromUnixNanos(ns);
  // int64 nanoseconds span the years 1677..2262: always 4 digits.
  std::array<char, 30> buf = {};
  std::memcpy(buf.data(), "0000-00-00T00:00:00.000000000Z", buf.size());
  PutDigits(static_cast<std::uint64_t>(f.year), 4, buf.data() + 4);
  PutDigits(f.month, 2, buf.data() + 7);
  PutDigits(f.day, 2, buf.data() + 10);
  PutDigits(f.hour, 2, buf.data() + 13);
  PutDigits(f.minute, 2, buf.data() + 16);
  PutDigits(f.second, 2, buf.data() + 19);
  PutDigits(f.nanos, 9, buf.data() + 29);
  out.append(buf.data(), buf.size());
}

std::string FormatRfc3339Nano(std::int64_t ns) {
  std::string out;
  out.reserve(30);
  AppendRfc3339Nano(ns, out);
  return out;
}

}  // namespace leakbench
