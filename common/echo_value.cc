#include "common/echo_value.h"

namespace leakbench {
namespace {

// A byte that continues a UTF-8 character (10xxxxxx).
bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string CutValue(std::string_view value) {
  if (value.size() <= kMaxEchoedBytes) return std::string(value);
  std::size_t keep = kMaxEchoedBytes;
  // Back off to the start of the character the cut would split (at most 3
  // bytes: a UTF-8 character is at most 4 bytes long).
  for (int i = 0; i < 3 && keep > 0 && IsUtf8Continuation(value[keep]); ++i) --keep;
  return std::string(value.substr(0, keep)) + "\xE2\x80\xA6(cut, " + std::to_string(value.size()) +
         " bytes)";
}

std::string QuoteValue(std::string_view value) { return "'" + CutValue(value) + "'"; }

}  // namespace leakbench
