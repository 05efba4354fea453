// Time formats the fake speaks, written here independently of core/: Docker's
// fixed-width RFC3339Nano log timestamps, Go's trimmed RFC3339Nano for JSON
// documents, HTTP dates, and the SECONDS[.NANOS] values of since/until.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fakedocker {

// Nanoseconds since the Unix epoch (UTC).
using UnixNanos = int64_t;

UnixNanos NowNanos();

// "2026-11-28T14:43:59.860773509Z": always nine fraction digits, as dockerd
// prefixes log lines with timestamps=1. Exactly 30 characters.
std::string FormatLogTimestamp(UnixNanos t);
inline constexpr size_t kLogTimestampWidth = 30;

// Go's time.RFC3339Nano: trailing zeros of the fraction trimmed, no fraction
// when it is zero ("2026-11-28T14:43:59.86Z"). Used in inspect documents.
std::string FormatRfc3339Nano(UnixNanos t);

// "Sat, 28 Nov 2026 14:43:59 GMT" for the Date header.
std::string FormatHttpDate(UnixNanos t);

// Parses dockerd's since/until query values: "SECONDS" or "SECONDS.FRACTION"
// (the fraction is scaled to nanoseconds like moby's timetypes does).
// Returns nullopt and sets *error (Go's strconv wording) on bad input.
std::optional<UnixNanos> ParseApiTimestamp(std::string_view value, std::string* error);

}  // namespace fakedocker
