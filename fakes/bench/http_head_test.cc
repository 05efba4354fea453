#include "fakes/bench/http_head.h"

#include <gtest/gtest.h>

namespace followload {
namespace http_head_test {  // named, not anonymous: the unity build joins these files

TEST(ParseHead, StatusAndHeaders) {
  HttpHead h =
      ParseHead("HTTP/1.1 200 OK\r\nContent-Type: application/json \r\nTRANSFER-Encoding:\tChunked\r\nX-Empty:");
  ASSERT_EQ(h.error, "");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.headers.at("content-type"), "application/json");
  EXPECT_EQ(h.headers.at("transfer-encoding"), "Chunked");
  EXPECT_EQ(h.headers.at("x-empty"), "");
  EXPECT_TRUE(IsChunked(h.headers));
}

TEST(ParseHead, StatusLineOnly) {
  HttpHead h = ParseHead("HTTP/1.0 404 Not Found");
  ASSERT_EQ(h.error, "");
  EXPECT_EQ(h.status, 404);
  EXPECT_TRUE(h.headers.empty());
  EXPECT_FALSE(IsChunked(h.headers));
}

TEST(ParseHead, MalformedHeadsSayWhy) {
  EXPECT_EQ(ParseHead("").error, "bad status line ''");
  EXPECT_EQ(ParseHead("HTTP/2 200 OK").error, "bad status line 'HTTP/2 200 OK'");
  EXPECT_EQ(ParseHead("HTTP/1.1 2x0 OK").error, "bad status code in 'HTTP/1.1 2x0 OK'");
  EXPECT_EQ(ParseHead("HTTP/1.1 200 OK\r\nno colon").error, "header line without ':' 'no colon'");
  EXPECT_EQ(ParseHead("HTTP/1.1 200 OK\r\n\x01\r\n").error, "header line without ':' '\\x01'");
}

}  // namespace http_head_test
}  // namespace followload
