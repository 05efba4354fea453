#include "common/duration.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>

namespace leakbench {
namespace {

struct Unit {
  std::string_view name;
  int64_t ns;
};

// Longest names first so that "ms" is not read as "m" followed by "s".
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"h", 3'600'000'000'000},
    {"m", 60'000'000'000},
    {"s", 1'000'000'000},
};

[[noreturn]] void Fail(std::string_view text, std::string_view why) {
  throw DurationError("invalid duration \"" + std::string(text) + "\": " + std::string(why) +
                      " (expected e.g. 300s, 5m, 2.5s, 1h30m, 250ms)");
}

}  // namespace

std::chrono::nanoseconds ParseDuration(std::string_view text) {
  if (text.empty()) Fail(text, "empty");
  if (text == "0") return std::chrono::nanoseconds{0};
  if (text.front() == '-') Fail(text, "negative");
  if (text.front() == '+') text.remove_prefix(1);
  long double total = 0;
  size_t i = 0;
  const std::string_view whole = text;
  while (i < text.size()) {
    size_t start = i;
    bool digits = false;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      digits = digits || text[i] != '.';
      ++i;
    }
    if (!digits) Fail(whole, "missing number");
    std::string number(text.substr(start, i - start));
    if (number.find('.') != number.rfind('.')) Fail(whole, "bad number");
    long double value = std::stold(number);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) Fail(whole, i < text.size() ? "unknown unit" : "missing unit");
    i += unit->name.size();
    total += value * static_cast<long double>(unit->ns);
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) Fail(whole, "too large");
  }
  return std::chrono::nanoseconds{static_cast<int64_t>(std::llround(total))};
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  if (ns < 0) ns = -ns;
  auto exact = [&](int64_t unit, std::string_view name) -> std::string {
    std::string out = std::to_string(ns / unit);
    int64_t rest = ns % unit;
    if (rest != 0) {
      std::string frac = std::to_string(rest + unit).substr(1);  // zero-padded
      while (!frac.empty() && frac.back() == '0') frac.pop_back();
      out += "." + frac;
    }
    return sign + out + std::string(name);
  };
  if (ns % 3'600'000'000'000 == 0) return exact(3'600'000'000'000, "h");
  if (ns % 60'000'000'000 == 0) return exact(60'000'000'000, "m");
  if (ns >= 1'000'000'000) return exact(1'000'000'000, "s");
  if (ns >= 1'000'000) return exact(1'000'000, "ms");
  if (ns >= 1'000) return exact(1'000, "us");
  return sign + std::to_string(ns) + "ns";
}

}  // namespace leakbench
