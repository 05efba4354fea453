// Checked numbers and durations for flags, scenario files and actions: text
// or JSON that is not a finite value inside the accepted range is rejected
// with one message naming the key, the value (cut to 200 bytes) and the
// range. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace fakedocker {

// Offsets, delays and durations are bounded so that "now + d" cannot overflow
// a clock: a year is far beyond any run.
inline constexpr std::chrono::nanoseconds kMaxDelay = std::chrono::hours(24 * 365);

// Thrown for a rejected value; what() is the whole message.
class ValueError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// `text` cut to at most 200 bytes ("..." marks the cut) for a message.
std::string CutForMessage(std::string_view text);

// A JSON value as a message shows it: strings without quotes, cut.
std::string JsonForMessage(const nlohmann::json& v);

// Whole decimal numbers only ("12", not "1e3", "0x10", "nan").
uint64_t ParseCheckedCount(std::string_view key, std::string_view text, uint64_t lo, uint64_t hi);
// Finite decimal numbers ("0.5", "1e3"; not "nan", "inf").
double ParseCheckedReal(std::string_view key, std::string_view text, double lo, double hi);
// Go-style durations ("250ms", "2.5s") or plain seconds ("5", "2.5") in
// [lo, hi] (common/seconds_or_duration.h).
std::chrono::nanoseconds ParseCheckedDuration(std::string_view key, std::string_view text,
                                              std::chrono::nanoseconds lo, std::chrono::nanoseconds hi);

// The same checks for a JSON value: an integer, any number, a duration
// string or a number of seconds.
uint64_t CheckedCount(std::string_view key, const nlohmann::json& v, uint64_t lo, uint64_t hi);
double CheckedReal(std::string_view key, const nlohmann::json& v, double lo, double hi);
std::chrono::nanoseconds CheckedDuration(std::string_view key, const nlohmann::json& v, std::chrono::nanoseconds lo,
                                         std::chrono::nanoseconds hi);

}  // namespace fakedocker
