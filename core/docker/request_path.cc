#include "core/docker/request_path.h"

namespace logcap {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void AppendPercent(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

}  // namespace

bool IsContainerId(std::string_view id) {
  if (id.size() < kMinContainerIdLength || id.size() > kMaxContainerIdLength) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string EncodePathSegment(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  const bool dots_only = segment == "." || segment == "..";
  for (char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) && !(dots_only && c == '.')) {
      out += ch;
    } else {
      AppendPercent(out, c);
    }
  }
  return out;
}

}  // namespace logcap
