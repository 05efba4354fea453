#include "common/duration.h"

#include <gtest/gtest.h>

namespace leakbench {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(ParseDuration, AcceptsGoStyleTerms) {
  EXPECT_EQ(ParseDuration("300s"), seconds(300));
  EXPECT_EQ(ParseDuration("5m"), minutes(5));
  EXPECT_EQ(ParseDuration("2.5s"), milliseconds(2500));
  EXPECT_EQ(ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(ParseDuration("7us"), nanoseconds(7000));
  EXPECT_EQ(ParseDuration("12ns"), nanoseconds(12));
  EXPECT_EQ(ParseDuration("0"), nanoseconds(0));
  EXPECT_EQ(ParseDuration(".5s"), milliseconds(500));
}

TEST(ParseDuration, RejectsWithAReason) {
  for (const char* bad : {"", "5", "s", "5x", "-5s", "1.2.3s", "5 s", "abc", "99999999999h"}) {
    try {
      ParseDuration(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const DurationError& e) {
      EXPECT_NE(std::string(e.what()).find("expected e.g."), std::string::npos) << e.what();
    }
  }
}

TEST(FormatDuration, RoundTrips) {
  for (const char* text : {"5m", "2.5s", "1h", "250ms", "7us", "12ns", "90m", "61s", "0s"}) {
    EXPECT_EQ(ParseDuration(FormatDuration(ParseDuration(text))), ParseDuration(text)) << text;
  }
  EXPECT_EQ(FormatDuration(milliseconds(2500)), "2.5s");
  EXPECT_EQ(FormatDuration(minutes(5)), "5m");
}

}  // namespace
}  // namespace leakbench
