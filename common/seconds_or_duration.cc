#include "common/seconds_or_duration.h"

#include <exception>
#include <string>

#include "common/duration.h"

namespace leakbench {
namespace {

bool IsDigits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Digits, then optionally '.' and digits.
bool IsBareSeconds(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return IsDigits(text);
  return IsDigits(text.substr(0, dot)) && IsDigits(text.substr(dot + 1));
}

}  // namespace

std::optional<std::chrono::nanoseconds> ParseSecondsOrDuration(std::string_view text) {
  // "2.5" is "2.5s": ParseDuration then does the exact arithmetic and the overflow check.
  const std::string spelled = IsBareSeconds(text) ? std::string(text) + "s" : std::string(text);
  try {
    return ParseDuration(spelled);
  } catch (const std::exception&) {  // DurationError, or out_of_range from an absurd number
    return std::nullopt;
  }
}

}  // namespace leakbench
