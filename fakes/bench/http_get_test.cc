#include "fakes/bench/http_get.h"

#include <gtest/gtest.h>

namespace followload {
namespace http_get_test {  // named, not anonymous: the unity build joins these files

TEST(DecodeResponse, ContentLength) {
  HttpResult r = DecodeResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, and more");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
}

TEST(DecodeResponse, Chunked) {
  HttpResult r =
      DecodeResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.body, "hello");
}

TEST(DecodeResponse, ToEofWithoutLength) {
  HttpResult r = DecodeResponse("HTTP/1.1 500 Internal Server Error\r\n\r\n{\"message\":\"x\"}");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "{\"message\":\"x\"}");
}

TEST(DecodeResponse, ErrorsSayWhat) {
  EXPECT_EQ(DecodeResponse("HTTP/1.1 200 OK\r\n").error, "response has no complete head (17 bytes)");
  EXPECT_EQ(DecodeResponse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello").error,
            "body shorter than Content-Length");
  EXPECT_EQ(DecodeResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel").error,
            "chunked body: ends before the last chunk");
  EXPECT_EQ(DecodeResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").error,
            "chunked body: expected a chunk size, got 'z'");
  EXPECT_EQ(DecodeResponse("ICY 200 OK\r\n\r\n").error, "bad status line 'ICY 200 OK'");
}

}  // namespace http_get_test
}  // namespace followload
