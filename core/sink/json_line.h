// JSON encoding of captured lines, shared by every sink: string escaping
// that turns ANY bytes into valid JSON (a line is whatever a container wrote,
// not necessarily UTF-8), and the JSON Lines record the stdout/file sinks
// write (its "ts" by common/rfc3339_nano.h). Hand-written for the hot path (no JSON
// library): text is scanned 8 bytes at a time; text with nothing to escape
// is appended in one piece, the rest goes through a stack buffer and a
// table of ASCII escapes.
// Escaping: '"' and '\\'; control characters as \b \f \n \r \t or \u00XX;
// DEL as \u007f. Well-formed UTF-8 passes through unchanged; ill-formed
// sequences (overlongs, surrogates, > U+10FFFF, truncated sequences, stray
// continuation bytes) become U+FFFD, one per maximal subpart (Unicode's
// "substitution of maximal subparts", as the WHATWG decoder does).
// Pure functions that append to a caller-owned string: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/sink/log_record.h"

namespace logcap {

// Appends `text` as the contents of a JSON string (without the quotes).
// Returns true if ill-formed UTF-8 was replaced by U+FFFD.
bool AppendJsonEscaped(std::string_view text, std::string& out);

// Appends one JSON Lines record and its '\n':
// {"ts":"<RFC3339Nano>","container_id":"..","container_name":"..",
//  "stream":"stdout","line":".."}
// Returns true if any field had ill-formed UTF-8 replaced (the caller counts
// it in SinkStats::invalid_utf8).
bool AppendJsonLine(const LogRecord& record, std::string& out);

}  // namespace logcap
