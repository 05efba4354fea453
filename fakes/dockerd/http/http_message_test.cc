#include "fakes/dockerd/http/http_message.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "fakes/dockerd/model/timestamp.h"

namespace fakedocker {
namespace {

using Query = std::multimap<std::string, std::string>;
using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs InOrder(const Query& q) { return Pairs(q.begin(), q.end()); }

TEST(ParseTarget, PathOnly) {
  std::string path;
  Query query;
  ASSERT_TRUE(ParseTarget("/v1.41/containers/json", &path, &query));
  EXPECT_EQ(path, "/v1.41/containers/json");
  EXPECT_TRUE(query.empty());
}

TEST(ParseTarget, DecodesPathAndQuery) {
  std::string path;
  Query query;
  ASSERT_TRUE(ParseTarget("/containers/a%2Fb+c/logs?follow=1&since=1700000000.5&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D",
                          &path, &query));
  EXPECT_EQ(path, "/containers/a/b+c/logs") << "'+' is only a space in the query";
  EXPECT_EQ(InOrder(query), (Pairs{{"filters", R"({"label":["a=b"]})"}, {"follow", "1"}, {"since", "1700000000.5"}}));
}

TEST(ParseTarget, PlusIsASpaceInTheQuery) {
  std::string path;
  Query query;
  ASSERT_TRUE(ParseTarget("/x?name=a+b&k%2Bey=%2B%20", &path, &query));
  EXPECT_EQ(InOrder(query), (Pairs{{"k+ey", "+ "}, {"name", "a b"}}));
}

TEST(ParseTarget, RepeatedKeysKeepTheirOrder) {
  std::string path;
  Query query;
  ASSERT_TRUE(ParseTarget("/x?tail=5&a=1&tail=all&a=2&a=3", &path, &query));
  auto [begin, end] = query.equal_range("a");
  std::vector<std::string> as;
  for (auto it = begin; it != end; ++it) as.push_back(it->second);
  EXPECT_EQ(as, (std::vector<std::string>{"1", "2", "3"}));
  HttpRequest req;
  req.query = query;
  EXPECT_EQ(req.Param("tail"), "5") << "like url.Values.Get: the first value";
  EXPECT_EQ(req.Param("a"), "1");
  EXPECT_EQ(req.Param("missing"), std::nullopt);
}

TEST(ParseTarget, KeysWithoutValuesAndEmptyPairs) {
  std::string path;
  Query query;
  ASSERT_TRUE(ParseTarget("/x?follow&&stdout=&=v&", &path, &query));
  EXPECT_EQ(InOrder(query), (Pairs{{"", "v"}, {"follow", ""}, {"stdout", ""}}));
  Query none;
  ASSERT_TRUE(ParseTarget("/x?", &path, &none));
  EXPECT_EQ(path, "/x");
  EXPECT_TRUE(none.empty());
}

TEST(ParseTarget, RejectsBadEscapes) {
  for (const char* target : {"/x%zz", "/x%2", "/x%", "/x?a=%G0", "/x?a=%4", "/x?%=1", "/x?a=1&b=%"}) {
    std::string path;
    Query query;
    EXPECT_FALSE(ParseTarget(target, &path, &query)) << target;
  }
}

TEST(PercentDecode, MixedCaseHexAndPlus) {
  bool ok = true;
  EXPECT_EQ(PercentDecode("%7b%7D+x", true, &ok), "{} x");
  EXPECT_TRUE(ok);
  EXPECT_EQ(PercentDecode("%7b%7D+x", false, &ok), "{}+x");
  EXPECT_TRUE(ok);
  EXPECT_EQ(PercentDecode("%00", false, &ok), std::string(1, '\0'));
  EXPECT_TRUE(ok);
  PercentDecode("%x1", false, &ok);
  EXPECT_FALSE(ok);
}

TEST(HttpRequest, HeaderLookupByLowerCaseKey) {
  HttpRequest req;
  req.headers["content-type"] = "application/json";
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("host"), "");
}

// Splits a head into its lines, checking the CRLF framing on the way.
std::vector<std::string> HeadLines(const std::string& head) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) {
      ADD_FAILURE() << "line without CRLF: " << head.substr(pos);
      break;
    }
    lines.push_back(head.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

TEST(FormatHead, NetHttpOrder) {
  ResponseHead head;
  head.status = 200;
  head.headers = {{"Server", "Docker/20.10.24 (linux)"},
                  {"Ostype", "linux"},
                  {"Api-Version", "1.41"},
                  {"Docker-Experimental", "false"},
                  {"Content-Type", "application/json"}};
  head.content_length = 2;
  head.close = true;
  // The Date is the current second; bracket the call instead of parsing it.
  const std::string before = "Date: " + FormatHttpDate(NowNanos());
  auto lines = HeadLines(FormatHead(head));
  const std::string after = "Date: " + FormatHttpDate(NowNanos());
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_EQ(lines[0], "HTTP/1.1 200 OK");
  EXPECT_EQ(lines[1], "Api-Version: 1.41");
  EXPECT_EQ(lines[2], "Content-Type: application/json");
  EXPECT_EQ(lines[3], "Docker-Experimental: false");
  EXPECT_EQ(lines[4], "Ostype: linux");
  EXPECT_EQ(lines[5], "Server: Docker/20.10.24 (linux)");
  EXPECT_TRUE(lines[6] == before || lines[6] == after) << lines[6];
  EXPECT_EQ(lines[6].substr(lines[6].size() - 4), " GMT");
  EXPECT_EQ(lines[7], "Content-Length: 2");
  EXPECT_EQ(lines[8], "Connection: close");
  EXPECT_EQ(lines[9], "");
}

TEST(FormatHead, ChunkedComesLast) {
  ResponseHead head;
  head.status = 200;
  head.headers = {{"Content-Type", "application/vnd.docker.raw-stream"}};
  head.chunked = true;
  head.close = true;
  auto lines = HeadLines(FormatHead(head));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[1], "Content-Type: application/vnd.docker.raw-stream");
  EXPECT_EQ(lines[2].rfind("Date: ", 0), 0u);
  EXPECT_EQ(lines[3], "Connection: close");
  EXPECT_EQ(lines[4], "Transfer-Encoding: chunked");
  EXPECT_EQ(lines[5], "");
}

TEST(FormatHead, SniffedContentTypeFollowsContentLength) {
  // net/http adds a sniffed Content-Type after the headers it computed.
  ResponseHead head;
  head.headers = {{"Api-Version", "1.41"}};
  head.content_length = 2;
  head.sniffed_content_type = "text/plain; charset=utf-8";
  auto lines = HeadLines(FormatHead(head));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[1], "Api-Version: 1.41");
  EXPECT_EQ(lines[2].rfind("Date: ", 0), 0u);
  EXPECT_EQ(lines[3], "Content-Length: 2");
  EXPECT_EQ(lines[4], "Content-Type: text/plain; charset=utf-8");
}

TEST(FormatHead, OptionalHeadersAreLeftOut) {
  ResponseHead head;
  head.status = 404;
  head.content_length = 0;
  const std::string text = FormatHead(head);
  auto lines = HeadLines(text);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "HTTP/1.1 404 Not Found");
  EXPECT_EQ(lines[2], "Content-Length: 0");
  EXPECT_EQ(text.find("Connection"), std::string::npos);
  EXPECT_EQ(text.find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\n\r\n");
}

TEST(FormatHead, EqualKeysKeepTheirOrder) {
  ResponseHead head;
  head.headers = {{"X-B", "1"}, {"X-A", "2"}, {"X-B", "0"}};
  auto lines = HeadLines(FormatHead(head));
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[1], "X-A: 2");
  EXPECT_EQ(lines[2], "X-B: 1");
  EXPECT_EQ(lines[3], "X-B: 0");
}

TEST(StatusText, KnownAndUnknown) {
  EXPECT_STREQ(StatusText(200), "OK");
  EXPECT_STREQ(StatusText(400), "Bad Request");
  EXPECT_STREQ(StatusText(409), "Conflict");
  EXPECT_STREQ(StatusText(500), "Internal Server Error");
  EXPECT_STREQ(StatusText(503), "Service Unavailable");
}

TEST(Chunk, FramesWithHexLength) {
  EXPECT_EQ(Chunk("hello"), "5\r\nhello\r\n");
  EXPECT_EQ(Chunk(std::string(26, 'x')), "1a\r\n" + std::string(26, 'x') + "\r\n");
  EXPECT_EQ(Chunk(std::string(0x10000, 'y')).substr(0, 7), "10000\r\n");
  const std::string binary("\x01\x00\x00\x00\x00\x00\x00\x01\n", 9);
  EXPECT_EQ(Chunk(binary), "9\r\n" + binary + "\r\n");
}

TEST(Chunk, LastChunkEndsTheBody) {
  EXPECT_EQ(kLastChunk, "0\r\n\r\n");
  // A whole chunked body: two chunks and the terminator.
  const std::string body = Chunk("ab") + Chunk("cde") + std::string(kLastChunk);
  EXPECT_EQ(body, "2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n");
}

}  // namespace
}  // namespace fakedocker
