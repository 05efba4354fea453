// Reads a setting's duration: Go-style ("90s", "2.5s", "1h30m") or a bare number of seconds ("90", "2.5").
// The one spelling of durations in config files, scenario files and the
// engine's flags. Pure function; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace leakbench {

// ParseDuration's forms (common/duration.h), or digits with an optional
// fraction meaning seconds ("90", "2.5"; not "+1", "-1", "1e3", ".5" or "5.").
// nullopt for anything else, a negative duration or one beyond
// std::chrono::nanoseconds.
std::optional<std::chrono::nanoseconds> ParseSecondsOrDuration(std::string_view text);

}  // namespace leakbench
