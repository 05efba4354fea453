// EscapeForLog: printable text passes, every control byte, broken UTF-8 and
// Unicode control character is escaped, the result is one printable line
// and long input is cut.
#include "common/log_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace leakbench {
namespace {

// True when `s` holds no C0 control byte and no DEL.
bool NoControlBytes(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

TEST(EscapeForLogTest, PlainTextIsKept) {
  EXPECT_EQ(EscapeForLog("web-1_x.y"), "web-1_x.y");
  EXPECT_EQ(EscapeForLog(""), "");
  EXPECT_EQ(EscapeForLog("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
}

TEST(EscapeForLogTest, ControlBytesAreEscaped) {
  EXPECT_EQ(EscapeForLog("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(EscapeForLog("\x1b[31mred\a"), "\\x1b[31mred\\x07");
  EXPECT_EQ(EscapeForLog(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(EscapeForLog("del\x7f"), "del\\x7f");
  EXPECT_EQ(EscapeForLog("back\\slash"), "back\\\\slash");  // an escape cannot be forged
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  const std::string escaped = EscapeForLog(all);
  EXPECT_TRUE(NoControlBytes(escaped)) << escaped;
}

TEST(EscapeForLogTest, InvalidUtf8IsEscapedByteByByte) {
  EXPECT_EQ(EscapeForLog("a\xff" "b"), "a\\xffb");
  EXPECT_EQ(EscapeForLog("\xc3"), "\\xc3");                   // truncated sequence
  EXPECT_EQ(EscapeForLog("\xc0\xaf"), "\\xc0\\xaf");          // overlong '/'
  EXPECT_EQ(EscapeForLog("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // UTF-8 of a lone surrogate
  EXPECT_EQ(EscapeForLog("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
}

TEST(EscapeForLogTest, UnicodeControlsAreEscaped) {
  EXPECT_EQ(EscapeForLog("\xc2\x9b" "2J"), "\\u{009b}2J");     // C1 CSI
  EXPECT_EQ(EscapeForLog("a\xe2\x80\xa8" "b"), "a\\u{2028}b");  // line separator
  EXPECT_EQ(EscapeForLog("\xe2\x80\xae" "txt"), "\\u{202e}txt");  // right-to-left override
}

TEST(EscapeForLogTest, LongInputIsCut) {
  const std::string long_text(2000, 'a');
  const std::string escaped = EscapeForLog(long_text);
  EXPECT_EQ(escaped, std::string(kLogEscapeMaxInput, 'a') + "...(1488 more bytes)");
  EXPECT_EQ(EscapeForLog("abcdef", 3), "abc...(3 more bytes)");
}

}  // namespace
}  // namespace leakbench
