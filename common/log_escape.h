// Makes untrusted text (container names, ids, daemon error bodies, event
// fields) safe to put into one line of the engine's own log: no terminal
// escapes, no line breaks, bounded length. Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leakbench {

// Bytes of input EscapeForLog keeps by default; the rest is counted, not shown.
inline constexpr std::size_t kLogEscapeMaxInput = 512;

// Returns `text` with every byte that could break or forge a log line
// escaped: C0 controls and DEL as \n, \r, \t or \xNN (ESC is \x1b), a
// backslash as "\\", bytes that are not valid UTF-8 as \xNN, and the
// Unicode characters that act as controls (C1 U+0080..U+009F, line and
// paragraph separators, bidirectional overrides) as \u{XXXX}. Other valid
// UTF-8 is kept. Input beyond `max_input` bytes is cut and replaced by
// "...(N more bytes)". The result is printable and never holds a newline.
std::string EscapeForLog(std::string_view text, std::size_t max_input = kLogEscapeMaxInput);

}  // namespace leakbench
