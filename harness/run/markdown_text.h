#pragma once

// Numbers and text made fit for a Markdown table cell or list item (summary.md).

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace leakbench::harness::markdown {

// Characters per table cell or detail line (an error line can be huge).
inline constexpr std::size_t kCellLimit = 300;

// True for a finite JSON number.
bool IsNum(const nlohmann::json& x);

// Digits in groups of three: 1,007.
std::string Grouped(long long v);

// A short human form of a number: 0, 8.57, 0.021, 4.9e-10, 1,007; "n/a" for
// null or NaN; `sign` puts a + before a positive one.
std::string Num(const nlohmann::json& x, bool sign = false);

// A string as itself, null as "", anything else as its JSON.
std::string Str(const nlohmann::json& x);

// Text safe inside a Markdown table cell or list item: one line, at most
// `limit` characters (an ellipsis marks the cut), no table pipes, no raw HTML.
std::string Md(const std::string& text, std::size_t limit = kCellLimit);

// `text` cut to at most `max_bytes` without splitting a UTF-8 character.
std::string CutUtf8(const std::string& text, std::size_t max_bytes);

}  // namespace leakbench::harness::markdown
