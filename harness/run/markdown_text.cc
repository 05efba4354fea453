#include "harness/run/markdown_text.h"

#include <cmath>
#include <cstdio>

namespace leakbench::harness::markdown {

bool IsNum(const nlohmann::json& x) { return x.is_number() && std::isfinite(x.get<double>()); }

// Digits in groups of three: 1,007. Built forwards (GCC 12 warns, wrongly,
// about an overlapping copy in string::insert at -O2).
std::string Grouped(long long v) {
  const std::string digits = std::to_string(v < 0 ? -static_cast<unsigned long long>(v)
                                                  : static_cast<unsigned long long>(v));
  std::string out = v < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// A short human form of a number: 0, 8.57, 0.021, 4.9e-10, 1,007; n/a for null/NaN.
std::string Num(const nlohmann::json& x, bool sign) {
  if (!IsNum(x)) return "n/a";
  const double v = x.get<double>();
  const std::string plus = sign && v > 0 ? "+" : "";
  const double a = std::fabs(v);
  if (a == 0) return "0";
  char buf[64];
  if (a < 1e15 && std::floor(v) == v) return plus + Grouped(static_cast<long long>(v));
  if (a >= 100) return plus + Grouped(std::llround(v));
  std::snprintf(buf, sizeof buf, a >= 1 ? "%.2f" : a >= 0.01 ? "%.3f" : "%.2g", v);
  return plus + buf;
}

std::string Str(const nlohmann::json& x) {
  if (x.is_string()) return x.get<std::string>();
  if (x.is_null()) return "";
  return x.dump();
}

// Text safe inside a Markdown table cell or list item: one line, at most
// `limit` characters, no table pipes, no raw HTML.
std::string Md(const std::string& text, std::size_t limit) {
  std::string s;
  bool space = false;
  for (const char ch : text) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f') {
      space = !s.empty();
      continue;
    }
    if (space) s += ' ';
    space = false;
    s += ch;
  }
  std::size_t chars = 0, cut = std::string::npos;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
    if (++chars == limit) cut = i;
    if (chars > limit) {
      s = s.substr(0, cut) + "…";
      break;
    }
  }
  std::string out;
  for (const char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '|': out += "\\|"; break;
      default: out += ch;
    }
  }
  return out;
}

// `text` cut to at most `max_bytes` without splitting a UTF-8 character.
std::string CutUtf8(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

}  // namespace leakbench::harness::markdown
