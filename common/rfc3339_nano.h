// Formats int64 Unix nanoseconds as RFC3339 in UTC with exactly nine fraction
// digits and "Z" ("2026-11-28T14:43:59.860773509Z", what dockerd calls
// RFC3339NanoFixed): the engine's log timestamps and its sinks' "ts". Pure
// functions, no gmtime; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace leakbench {

// Appends the 30 characters to `out` (no other allocation than out's).
// Defined for every int64 (years 1677..2262, always four digits).
void AppendRfc3339Nano(std::int64_t ns, std::string& out);

// The same as a new string.
std::string FormatRfc3339Nano(std::int64_t ns);

}  // namespace leakbench
