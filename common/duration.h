// Parses and prints human durations ("300s", "5m", "2.5s", "1h30m", "250ms")
// for flags, config files and scenario files. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace leakbench {

// Thrown for text that is not a duration; what() says what was expected.
class DurationError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Go-style durations: one or more <number><unit> terms, unit one of
// ns, us, ms, s, m, h; numbers may have a fraction. A bare "0" is zero.
// Negative durations are rejected. Throws DurationError.
std::chrono::nanoseconds ParseDuration(std::string_view text);

// The shortest exact spelling ParseDuration accepts back ("2.5s", "5m").
std::string FormatDuration(std::chrono::nanoseconds d);

}  // namespace leakbench
