// How a value is echoed back in an error message: at most kMaxEchoedBytes of
// it, then a marker with its full size, so a megabyte pasted into a flag or a
// YAML key gives a one-line error, not a megabyte of stderr. Every reader of
// user input (the engine's flags and config file, the YAML scenario loaders)
// goes through it. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leakbench {

// Values up to this many bytes are echoed whole.
inline constexpr std::size_t kMaxEchoedBytes = 200;

// `value` itself, or its first kMaxEchoedBytes bytes (never cutting a UTF-8
// character in two) followed by "…(cut, N bytes)", N being its full size.
std::string CutValue(std::string_view value);

// CutValue(value) in single quotes: "'value'".
std::string QuoteValue(std::string_view value);

}  // namespace leakbench
