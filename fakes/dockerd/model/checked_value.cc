#include "fakes/dockerd/model/checked_value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/duration.h"
#include "common/seconds_or_duration.h"

namespace fakedocker {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

[[noreturn]] void Reject(std::string_view key, std::string_view shown, const std::string& accepted,
                         const std::string& why = "") {
  throw ValueError(std::string(key) + ": \"" + CutForMessage(shown) + "\" is not " + accepted +
                   (why.empty() ? "" : " (" + why + ")"));
}

std::string CountRange(uint64_t lo, uint64_t hi) {
  return "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
}
std::string RealRange(double lo, double hi) { return "a number from " + Num(lo) + " to " + Num(hi); }
std::string DurationRange(std::chrono::nanoseconds lo, std::chrono::nanoseconds hi) {
  return "a duration from " + leakbench::FormatDuration(lo) + " to " + leakbench::FormatDuration(hi) +
         " (e.g. 250ms, 2.5s, 1m; a plain number is seconds)";
}

}  // namespace

std::string CutForMessage(std::string_view text) {
  constexpr size_t kMax = 200;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

std::string JsonForMessage(const nlohmann::json& v) {
  if (v.is_string()) return CutForMessage(v.get<std::string>());
  return CutForMessage(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

uint64_t ParseCheckedCount(std::string_view key, std::string_view text, uint64_t lo, uint64_t hi) {
  uint64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || v < lo || v > hi) {
    Reject(key, text, CountRange(lo, hi));
  }
  return v;
}

double ParseCheckedReal(std::string_view key, std::string_view text, double lo, double hi) {
  // Decimal only: from_chars would also take "nan", "inf" and "infinity".
  const bool decimal = !text.empty() && text.find_first_not_of("0123456789.eE+-") == std::string_view::npos;
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (!decimal || r.ec != std::errc() || r.ptr != text.data() + text.size() || !std::isfinite(v) || !(v >= lo) ||
      !(v <= hi)) {
    Reject(key, text, RealRange(lo, hi));
  }
  return v;
}

std::chrono::nanoseconds ParseCheckedDuration(std::string_view key, std::string_view text,
                                              std::chrono::nanoseconds lo, std::chrono::nanoseconds hi) {
  const auto d = leakbench::ParseSecondsOrDuration(text);
  if (!d || *d < lo || *d > hi) Reject(key, text, DurationRange(lo, hi));
  return *d;
}

uint64_t CheckedCount(std::string_view key, const nlohmann::json& v, uint64_t lo, uint64_t hi) {
  if (v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0)) {
    const uint64_t n = v.get<uint64_t>();
    if (n >= lo && n <= hi) return n;
  }
  Reject(key, JsonForMessage(v), CountRange(lo, hi));
}

double CheckedReal(std::string_view key, const nlohmann::json& v, double lo, double hi) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d >= lo && d <= hi) return d;
  }
  Reject(key, JsonForMessage(v), RealRange(lo, hi));
}

std::chrono::nanoseconds CheckedDuration(std::string_view key, const nlohmann::json& v, std::chrono::nanoseconds lo,
                                         std::chrono::nanoseconds hi) {
  // A number is seconds, spelled as the scenario files spell it ("5" in
  // YAML, 5 in JSON): one rule for at, every, down and delay.
  if (v.is_number()) return ParseCheckedDuration(key, JsonForMessage(v), lo, hi);
  if (!v.is_string()) Reject(key, JsonForMessage(v), DurationRange(lo, hi));
  return ParseCheckedDuration(key, v.get<std::string>(), lo, hi);
}

}  // namespace fakedocker
