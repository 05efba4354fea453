// Small text helpers for the fake's clients and their messages: lower case, printable excerpts, hex digits.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fakedocker {

// `s` with ASCII letters in lower case.
std::string Lower(std::string_view s);

// The first `max` bytes of `s` with every byte outside 0x20..0x7e written as
// \xNN, and "..." when `s` was longer: safe to quote in one line of output.
std::string Printable(std::string_view s, size_t max = 120);

// The value of one hex digit, or -1 for any other character.
int HexDigit(char c);

}  // namespace fakedocker
