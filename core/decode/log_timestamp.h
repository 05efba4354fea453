// RFC3339Nano timestamps as dockerd writes them in front of every log record
// ("2026-11-28T14:43:59.860773509Z "), converted to and from int64 Unix
// nanoseconds, plus the `SECONDS.NANOSECONDS` spelling the API takes in
// `since=` (the calendar maths and the formatting back are in common/:
// civil_date.h, rfc3339_nano.h). Pure functions on values: no locale, no
// time zone database, no gmtime/timegm, so they are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logcap {

// "No timestamp known" (a record without a prefix, an in-band error).
inline constexpr int64_t kNoTimestamp = INT64_MIN;

// The longest prefix worth scanning for a timestamp: 35 characters for
// "2026-11-28T14:43:59.860773509+00:00", with room for longer fractions.
inline constexpr std::size_t kMaxTimestampPrefix = 48;

// Parses a whole RFC3339 date-time: "YYYY-MM-DDTHH:MM:SS", an optional
// fraction of 1..9 digits (more digits are accepted and truncated, as Go
// does), then "Z" or "+hh:mm"/"-hh:mm". Returns nullopt for anything else:
// out-of-range fields (month 13, Feb 30, hour 24, second 60), trailing text,
// or a value that does not fit int64 nanoseconds (years outside ~1678..2262).
std::optional<int64_t> ParseRfc3339Nano(std::string_view text);

// The length of the canonical spelling, "2026-11-28T14:43:59.860773509Z":
// UTC, nine fraction digits (what dockerd writes, RFC3339NanoFixed, and what
// common/rfc3339_nano.h formats).
inline constexpr std::size_t kCanonicalTimestampBytes = 30;

// True when `text`, a timestamp ParseRfc3339Nano accepted, is spelled
// exactly as AppendRfc3339Nano formats its value (so a sink may copy the
// daemon's bytes instead of formatting the value again): 30 bytes, nine
// fraction digits and "Z". The parser already checked every field.
inline bool IsCanonicalTimestamp(std::string_view text) {
  return text.size() == kCanonicalTimestampBytes && text[19] == '.' && text[29] == 'Z';
}

// Parses the "<timestamp> " prefix of a record: the timestamp ends at the
// first space within kMaxTimestampPrefix bytes. On success stores the value
// in *ns and returns the number of bytes to skip (timestamp + one space).
std::optional<std::size_t> ParseTimestampPrefix(std::string_view record, int64_t* ns);

// The API's `since=`/`until=` spelling, "1795878188.776043549" (9 digits,
// which dockerd reads back exactly). Negative values (and kNoTimestamp)
// give "0.000000000", which dockerd treats as "from the beginning".
std::string FormatSinceParam(int64_t ns);

}  // namespace logcap
