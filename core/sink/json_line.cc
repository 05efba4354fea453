#include "core/sink/json_line.h"

#include <array>
#include <cstring>

#include "common/rfc3339_nano.h"

namespace logcap {
namespace {

// The length of AppendRfc3339Nano's output (LogRecord::ts_text).
constexpr std::size_t kRfc3339NanoBytes = 30;

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// Nonzero iff some byte of `v` is zero (exact as a boolean).
constexpr std::uint64_t HasZeroByte(std::uint64_t v) { return (v - kOnes) & ~v & kHighs; }

// True if any of the 8 bytes is not plain printable ASCII to copy as is:
// >= 0x80, < 0x20, '"', '\\' or DEL.
constexpr bool NeedsAttention(std::uint64_t v) {
  const std::uint64_t control = (v - kOnes * 0x20) & ~v & kHighs;  // some byte < 0x20
  return ((v & kHighs) | control | HasZeroByte(v ^ (kOnes * '"')) |
          HasZeroByte(v ^ (kOnes * '\\')) | HasZeroByte(v ^ (kOnes * 0x7F))) != 0;
}

constexpr bool IsPlain(unsigned char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the UTF-8 sequence starting at p[0] (a byte >= 0x80). Sets
// *valid; when the sequence is ill-formed, the length is that of its maximal
// subpart (at least 1): the bytes one U+FFFD replaces. Table 3-7 of the
// Unicode standard gives the ranges of the second byte.
std::size_t Utf8Sequence(const unsigned char* p, const unsigned char* end, bool* valid) {
  const unsigned char lead = p[0];
  std::size_t trail = 0;
  unsigned char low = 0x80, high = 0xBF;  // range of the next byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    trail = 1;
  } else if (lead == 0xE0) {
    trail = 2;
    low = 0xA0;  // no overlongs
  } else if (lead == 0xED) {
    trail = 2;
    high = 0x9F;  // no surrogates
  } else if (lead >= 0xE1 && lead <= 0xEF) {
    trail = 2;
  } else if (lead == 0xF0) {
    trail = 3;
    low = 0x90;  // no overlongs
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    trail = 3;
  } else if (lead == 0xF4) {
    trail = 3;
    high = 0x8F;  // nothing above U+10FFFF
  } else {
    *valid = false;  // continuation byte, C0/C1 (overlong) or F5..FF
    return 1;
  }
  for (std::size_t i = 1; i <= trail; ++i) {
    if (p + i == end || p[i] < low || p[i] > high) {
      *valid = false;
      return i;
    }
    low = 0x80;
    high = 0xBF;
  }
  *valid = true;
  return trail + 1;
}

// What an ASCII byte becomes in a JSON string: itself, a two-character
// escape or \u00XX. A table so that the escape loop does not branch on it.
struct AsciiOutput {
  char bytes[7] = {};
  std::uint8_t length = 0;
};
static_assert(sizeof(AsciiOutput) == 8);

constexpr std::array<AsciiOutput, 128> MakeAsciiOutputs() {
  constexpr char kHex[] = "0123456789abcdef";
  std::array<AsciiOutput, 128> table = {};
  for (unsigned c = 0; c < 128; ++c) {
    AsciiOutput& o = table[c];
    char short_form = 0;
    switch (c) {
      case '"': short_form = '"'; break;
      case '\\': short_form = '\\'; break;
      case '\b': short_form = 'b'; break;
      case '\f': short_form = 'f'; break;
      case '\n': short_form = 'n'; break;
      case '\r': short_form = 'r'; break;
      case '\t': short_form = 't'; break;
      default: break;
    }
    if (IsPlain(static_cast<unsigned char>(c))) {
      o.bytes[0] = static_cast<char>(c);
      o.length = 1;
    } else if (short_form != 0) {
      o.bytes[0] = '\\';
      o.bytes[1] = short_form;
      o.length = 2;
    } else {
      const char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      for (int i = 0; i < 6; ++i) o.bytes[i] = escape[i];
      o.length = 6;
    }
  }
  return table;
}

constexpr std::array<AsciiOutput, 128> kAsciiOutputs = MakeAsciiOutputs();

// Escapes [p, end), which starts with a byte that is not plain, into a
// stack buffer appended to `out` when full: one append per 2 KiB instead
// of one per escape.
bool AppendEscapedSlowPath(const unsigned char* p, const unsigned char* end, std::string& out) {
  char buf[2048];
  char* w = buf;
  // One round writes at most 8 steps of 6 bytes, the last one copying 8.
  char* const flush_at = buf + sizeof buf - 64;
  bool replaced = false;
  while (p < end) {
    if (w > flush_at) {
      out.append(buf, static_cast<std::size_t>(w - buf));
      w = buf;
    }
    if (end - p >= 8) {
      std::uint64_t v = 0;
      std::memcpy(&v, p, sizeof v);
      if (!NeedsAttention(v)) {
        std::memcpy(w, p, sizeof v);
        w += sizeof v;
        p += sizeof v;
        continue;
      }
    }
    // The block has a byte to escape: take the next 8 bytes one by one
    // (one block test per 8 bytes in escape-dense text).
    const unsigned char* const stop = end - p > 8 ? p + 8 : end;
    while (p < stop) {
      const unsigned char c = *p;
      if (c < 0x80) {
        // 8 bytes copied, `length` kept: the rest is overwritten later.
        std::memcpy(w, &kAsciiOutputs[c], sizeof(AsciiOutput));
        w += kAsciiOutputs[c].length;
        ++p;
        continue;
      }
      bool valid = false;
      const std::size_t n = Utf8Sequence(p, end, &valid);
      if (valid) {
        std::memcpy(w, p, n);
        w += n;
      } else {
        std::memcpy(w, kReplacement.data(), kReplacement.size());
        w += kReplacement.size();
        replaced = true;
      }
      p += n;
    }
  }
  out.append(buf, static_cast<std::size_t>(w - buf));
  return replaced;
}

}  // namespace

bool AppendJsonEscaped(std::string_view text, std::string& out) {
  // Most lines are plain ASCII: find the first byte that is not, append
  // everything before it in one go.
  const auto* const begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = begin + text.size();
  const auto* p = begin;
  while (end - p >= 8) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    if (NeedsAttention(v)) break;
    p += sizeof v;
  }
  while (p < end && IsPlain(*p)) ++p;
  out.append(text.data(), static_cast<std::size_t>(p - begin));
  return p < end && AppendEscapedSlowPath(p, end, out);
}

bool AppendJsonLine(const LogRecord& record, std::string& out) {
  out.append("{\"ts\":\"");
  // The daemon's bytes when they already are what formatting would give.
  if (record.ts_text.size() == kRfc3339NanoBytes) {
    out.append(record.ts_text);
  } else {
    leakbench::AppendRfc3339Nano(record.ts_ns, out);
  }
  out.append("\",\"container_id\":\"");
  bool replaced = AppendJsonEscaped(record.container_id, out);
  out.append("\",\"container_name\":\"");
  replaced |= AppendJsonEscaped(record.container_name, out);
  out.append("\",\"stream\":\"");
  out.append(RecordStreamName(record.stream));
  out.append("\",\"line\":\"");
  replaced |= AppendJsonEscaped(record.line, out);
  out.append("\"}\n");
  return replaced;
}

}  // namespace logcap
