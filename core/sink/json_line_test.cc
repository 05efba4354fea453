#include "core/sink/json_line.h"

#include "common/rfc3339_nano.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "core/sink/sink_test_util.h"

namespace logcap {
namespace {

using testing_util::Record;

constexpr std::int64_t kTs = 1795877039860773509;  // 2026-11-28T14:43:59.860773509Z

struct Escaped {
  std::string text;
  bool replaced = false;
};

Escaped Escape(std::string_view input) {
  Escaped e;
  e.replaced = AppendJsonEscaped(input, e.text);
  return e;
}

// What a JSON parser reads back from the escaped text.
std::string ParseBack(const std::string& escaped) {
  return nlohmann::json::parse("\"" + escaped + "\"").get<std::string>();
}

// An independent UTF-8 encoder for the round-trip tests.
std::string Utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

const std::string kFffd = "\xEF\xBF\xBD";

TEST(JsonLineTest, WritesTheRecordFormat) {
  std::string out = "previous\n";
  EXPECT_FALSE(AppendJsonLine(Record("web-1", "hello \"world\"", kTs, RecordStream::kStderr), out));
  EXPECT_EQ(out,
            "previous\n"
            "{\"ts\":\"2026-11-28T14:43:59.860773509Z\","
            "\"container_id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
            "\"container_name\":\"web-1\",\"stream\":\"stderr\",\"line\":\"hello \\\"world\\\"\"}\n");
  const nlohmann::json parsed = nlohmann::json::parse(out.substr(9));
  EXPECT_EQ(parsed["line"], "hello \"world\"");
  EXPECT_EQ(parsed["stream"], "stderr");
}

// The daemon's canonical spelling of ts_ns is copied, not formatted again:
// the same bytes. A ts_text of any other length is not used.
TEST(JsonLineTest, TheDaemonsTimestampBytesAreCopied) {
  for (const std::int64_t ts : {kTs, std::int64_t{0}, std::int64_t{1}, kTs + 999'999'999}) {
    LogRecord formatted = Record("web-1", "x", ts);
    LogRecord copied = formatted;
    const std::string text = leakbench::FormatRfc3339Nano(ts);
    copied.ts_text = text;
    std::string a, b;
    AppendJsonLine(formatted, a);
    AppendJsonLine(copied, b);
    EXPECT_EQ(a, b);
  }
  LogRecord record = Record("web-1", "x", kTs);
  record.ts_text = "2026-11-28T14:43:59.86Z";  // not 30 bytes: formatted from ts_ns
  std::string out;
  AppendJsonLine(record, out);
  EXPECT_NE(out.find("\"ts\":\"2026-11-28T14:43:59.860773509Z\""), std::string::npos) << out;
  record.ts_text = "2099-01-01T00:00:00.000000000Z";  // 30 bytes: taken as the daemon's
  out.clear();
  AppendJsonLine(record, out);
  EXPECT_NE(out.find("\"ts\":\"2099-01-01T00:00:00.000000000Z\""), std::string::npos) << out;
}

TEST(JsonLineTest, ReportsReplacementInAnyField) {
  std::string out;
  EXPECT_TRUE(AppendJsonLine(Record("bad\xFFname", "fine", kTs), out));
  EXPECT_NE(out.find("bad" + kFffd + "name"), std::string::npos);
}

TEST(JsonLineTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Escape("a\"b\\c").text, "a\\\"b\\\\c");
  EXPECT_EQ(Escape("\b\f\n\r\t").text, "\\b\\f\\n\\r\\t");
  EXPECT_EQ(Escape(std::string_view("\x00\x01\x1b\x1f", 4)).text, "\\u0000\\u0001\\u001b\\u001f");
  EXPECT_EQ(Escape("\x7f").text, "\\u007f");
  EXPECT_EQ(Escape(" ~/<>'").text, " ~/<>'");  // printable ASCII unchanged
  EXPECT_FALSE(Escape("a\"b\\c\b\x7f").replaced);
}

TEST(JsonLineTest, ValidMultibyteUtf8PassesThroughUnchanged) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF \xF4\x8F\xBF\xBF";
  const Escaped e = Escape(text);
  EXPECT_EQ(e.text, text);
  EXPECT_FALSE(e.replaced);
}

// The examples of Unicode 15, section 3.9 ("U+FFFD Substitution of Maximal
// Subparts") and the classes of ill-formed input the brief names.
TEST(JsonLineTest, ReplacesEachMaximalSubpartWithOneFffd) {
  const struct {
    std::string input;
    std::string expected;
  } cases[] = {
      // Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
      {"a\xF1\x80\x80\xE1\x80\xC2" "b\x80" "c\x80\xBF" "d",
       "a" + kFffd + kFffd + kFffd + "b" + kFffd + "c" + kFffd + kFffd + "d"},
      {"\xC0\xAF", kFffd + kFffd},                             // overlong '/'
      {"\xE0\x80\xAF", kFffd + kFffd + kFffd},                 // overlong, 3 bytes
      {"\xF0\x80\x80\xAF", kFffd + kFffd + kFffd + kFffd},     // overlong, 4 bytes
      {"\xED\xA0\x80", kFffd + kFffd + kFffd},                 // surrogate D800
      {"\xED\xBF\xBF", kFffd + kFffd + kFffd},                 // surrogate DFFF
      {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},     // U+110000
      {"\xF5\x80", kFffd + kFffd},                             // no such lead byte
      {"\xFF\xFE", kFffd + kFffd},
      {"\x80", kFffd},                                         // stray continuation
      {"x\xBFy", "x" + kFffd + "y"},
      {"\xE2\x82", kFffd},                                     // truncated at the end
      {"\xE2\x82" "A", kFffd + "A"},                           // truncated before ASCII
      {"\xF0\x9F\x98", kFffd},                                 // truncated emoji
      {"\xF0\x9F\x98\xF0\x9F\x98\x80", kFffd + "\xF0\x9F\x98\x80"},
      {"\xE2\x82\n", kFffd + "\\n"},
  };
  for (const auto& c : cases) {
    const Escaped e = Escape(c.input);
    EXPECT_EQ(e.text, c.expected) << "input " << ::testing::PrintToString(c.input);
    EXPECT_TRUE(e.replaced);
  }
}

TEST(JsonLineTest, EveryByteAloneGivesValidJson) {
  for (int b = 0; b < 256; ++b) {
    const std::string input(1, static_cast<char>(b));
    const Escaped e = Escape(input);
    ASSERT_NO_THROW(ParseBack(e.text)) << "byte " << b;
    if (b < 0x80) {
      EXPECT_EQ(ParseBack(e.text), input) << "byte " << b;
      EXPECT_FALSE(e.replaced);
    } else {
      EXPECT_EQ(e.text, kFffd) << "byte " << b;
      EXPECT_TRUE(e.replaced);
    }
  }
}

TEST(JsonLineTest, EveryBytePairGivesValidJson) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string input = {static_cast<char>(a), static_cast<char>(b)};
      const Escaped e = Escape(input);
      std::string back;
      ASSERT_NO_THROW(back = ParseBack(e.text)) << a << " " << b;
      // Well-formed two-byte input: two ASCII bytes, or C2..DF 80..BF.
      const bool valid = (a < 0x80 && b < 0x80) || (a >= 0xC2 && a <= 0xDF && b >= 0x80 && b <= 0xBF);
      EXPECT_EQ(e.replaced, !valid) << a << " " << b;
      if (valid) {
        EXPECT_EQ(back, input) << a << " " << b;
      }
    }
  }
}

TEST(JsonLineTest, RandomValidUtf8RoundTrips) {
  std::mt19937_64 rng(20261128);
  std::uniform_int_distribution<int> length(0, 40);
  std::uniform_int_distribution<int> plane(0, 3);
  for (int i = 0; i < 2000; ++i) {
    std::string input;
    for (int n = length(rng); n > 0; --n) {
      // Mostly small code points (ASCII, controls), some from every range.
      const char32_t limits[] = {0x80, 0x800, 0x10000, 0x110000};
      char32_t cp = std::uniform_int_distribution<char32_t>(0, limits[plane(rng)] - 1)(rng);
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
      input += Utf8(cp);
    }
    const Escaped e = Escape(input);
    EXPECT_FALSE(e.replaced);
    ASSERT_EQ(ParseBack(e.text), input) << ::testing::PrintToString(input);
  }
}

TEST(JsonLineTest, RandomBytesAlwaysGiveValidJson) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> length(0, 64);
  std::uniform_int_distribution<int> byte(0, 255);
  std::bernoulli_distribution high(0.5);
  for (int i = 0; i < 2000; ++i) {
    std::string input;
    for (int n = length(rng); n > 0; --n) {
      // Half the strings lean towards bytes >= 0x80, the UTF-8 cases.
      const int b = byte(rng);
      input += static_cast<char>(i % 2 == 0 && high(rng) ? (b | 0x80) : b);
    }
    const Escaped e = Escape(input);
    std::string back;
    ASSERT_NO_THROW(back = ParseBack(e.text)) << ::testing::PrintToString(input);
    if (!e.replaced) {
      EXPECT_EQ(back, input);
    }
    // A whole record with these bytes in every field is one valid JSON line.
    std::string line;
    AppendJsonLine(Record(input, input, i), line);
    ASSERT_EQ(line.back(), '\n');
    ASSERT_EQ(line.find('\n'), line.size() - 1);
    ASSERT_TRUE(nlohmann::json::accept(line));
  }
}

// The 8-byte fast path must see a special byte at any offset, including the
// tails shorter than 8 bytes.
TEST(JsonLineTest, SpecialBytesAtEveryOffset) {
  const struct {
    std::string raw;
    std::string escaped;
  } specials[] = {{"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {"\x01", "\\u0001"},
                  {"\x7f", "\\u007f"}, {"\x80", kFffd}, {"\xC3\xA9", "\xC3\xA9"},
                  {"\xE2\x82", kFffd}};
  for (const auto& special : specials) {
    for (std::size_t length = 0; length <= 24; ++length) {
      for (std::size_t at = 0; at <= length; ++at) {
        const std::string input = std::string(at, 'a') + special.raw + std::string(length - at, 'b');
        const std::string expected = std::string(at, 'a') + special.escaped + std::string(length - at, 'b');
        ASSERT_EQ(Escape(input).text, expected) << ::testing::PrintToString(input);
      }
    }
  }
}

}  // namespace
}  // namespace logcap
