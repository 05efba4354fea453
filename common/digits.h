// Whether a piece of text is a plain run of ASCII digits: the first check of
// every reader of counts and numbers (no sign, no spaces, not empty).
#pragma once

#include <string_view>

namespace leakbench {

// True when `text` is one or more of '0'..'9' and nothing else.
inline bool IsAllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace leakbench
