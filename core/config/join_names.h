// Joins names for messages and help ("docker, sink, metrics"). A pure
// inline function; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace logcap {

inline std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (const std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace logcap
