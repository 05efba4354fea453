#include "common/proc/proc_text.h"

#include <array>
#include <charconv>

namespace leakbench::procfs {
namespace {

// The text after `key` on the line that starts with it, or nullopt.
std::optional<std::string_view> LineValue(std::string_view text, std::string_view key) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    if (line.substr(0, key.size()) == key) return line.substr(key.size());
    pos = eol + 1;
  }
  return std::nullopt;
}

// The first unsigned integer in `text` (skipping leading blanks).
std::optional<std::uint64_t> LeadingNumber(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return std::nullopt;
  std::uint64_t value = 0;
  const char* first = text.data() + start;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr == first) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::uint64_t> StatusNumber(std::string_view text, std::string_view key) {
  const auto value = LineValue(text, key);
  return value ? LeadingNumber(*value) : std::nullopt;
}

std::size_t SplitStatFields(std::string_view stat, std::span<std::string_view> out) {
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos) return 0;
  std::string_view rest = stat.substr(paren + 1);
  std::size_t found = 0;
  while (found < out.size()) {
    const std::size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    std::size_t end = rest.find_first_of(" \n");
    if (end == std::string_view::npos) end = rest.size();
    out[found++] = rest.substr(0, end);
    rest.remove_prefix(end);
  }
  return found;
}

std::optional<std::uint64_t> StatCpuTicks(std::string_view stat) {
  // utime is field 14 (out[11]), stime field 15 (out[12]).
  std::array<std::string_view, 13> fields;
  if (SplitStatFields(stat, fields) < fields.size()) return std::nullopt;
  const auto utime = LeadingNumber(fields[11]);
  const auto stime = LeadingNumber(fields[12]);
  if (!utime || !stime) return std::nullopt;
  return *utime + *stime;
}

std::optional<std::uint64_t> SchedstatRunDelayNs(std::string_view schedstat) {
  const std::size_t space = schedstat.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  return LeadingNumber(schedstat.substr(space + 1));
}

std::string LoadAverages(std::string_view loadavg) {
  std::size_t spaces = 0, i = 0;
  for (; i < loadavg.size() && spaces < 3; ++i) {
    if (loadavg[i] == ' ') ++spaces;
  }
  return std::string(loadavg.substr(0, i > 0 ? i - 1 : 0));
}

}  // namespace leakbench::procfs
