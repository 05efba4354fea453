// The proxy's parsers on known input: stamp sets, HTTP heads, body framing,
// the stamp tap on multiplexed and raw bodies split anywhere, and Docker
// request targets.
#include <gtest/gtest.h>

#include <string>

#include "harness/proxy/body_framer.h"
#include "harness/proxy/docker_path.h"
#include "harness/proxy/http_head.h"
#include "harness/proxy/seq_set.h"
#include "harness/proxy/stamp_tap.h"

namespace leakbench::proxy {
namespace proxy_parse_test {

std::string Frame(int stream, const std::string& payload) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(stream);
  const auto n = static_cast<std::uint32_t>(payload.size());
  h[4] = static_cast<char>(n >> 24);
  h[5] = static_cast<char>(n >> 16);
  h[6] = static_cast<char>(n >> 8);
  h[7] = static_cast<char>(n);
  return h + payload;
}

std::string Line(std::uint64_t seq, std::size_t pad = 10, const std::string& cid = "0123456789ab") {
  return "cid=" + cid + " seq=" + std::to_string(seq) + " stream=stdout " + std::string(pad, 'x') + "\n";
}

TEST(SeqSet, MergesRunsAndCountsRepeats) {
  SeqSet s;
  for (std::uint64_t v : {3u, 1u, 2u, 7u, 5u, 6u}) EXPECT_TRUE(s.Insert(v));
  EXPECT_FALSE(s.Insert(2));
  EXPECT_EQ(s.size(), 6u);
  using R = std::vector<std::pair<std::uint64_t, std::uint64_t>>;
  EXPECT_EQ(s.Ranges(), (R{{1, 3}, {5, 7}}));
  EXPECT_TRUE(s.Insert(4));
  EXPECT_EQ(s.Ranges(), (R{{1, 7}}));
  EXPECT_TRUE(s.Contains(4));
  EXPECT_FALSE(s.Contains(8));
  EXPECT_EQ(s.min(), 1u);
  EXPECT_EQ(s.max(), 7u);
}

TEST(HttpHead, RequestNeedsTheWholeHead) {
  HttpHead h;
  EXPECT_EQ(ParseRequestHead("GET /_ping HTTP/1.1\r\nHost: d\r\n", &h).status, HeadStatus::kNeedMore);
  const std::string req = "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\ncontent-length: 12\r\n\r\n{}";
  const HeadResult r = ParseRequestHead(req, &h);
  ASSERT_EQ(r.status, HeadStatus::kDone) << r.error;
  EXPECT_EQ(r.length, req.size() - 2);
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.target, "/v1.41/containers/create");
  EXPECT_EQ(h.content_length, 12u);
}

TEST(HttpHead, ResponseFraming) {
  HttpHead h;
  ASSERT_EQ(ParseResponseHead("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", &h).status, HeadStatus::kDone);
  EXPECT_EQ(h.status, 200);
  EXPECT_TRUE(h.chunked);
  ASSERT_EQ(ParseResponseHead("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", &h).status,
            HeadStatus::kDone);
  EXPECT_TRUE(h.upgrade);
  ASSERT_EQ(ParseResponseHead("HTTP/1.0 200 OK\r\n\r\n", &h).status, HeadStatus::kDone);
  EXPECT_TRUE(h.connection_close);
}

TEST(HttpHead, RefusesGarbage) {
  HttpHead h;
  EXPECT_EQ(ParseResponseHead("SSH-2.0-OpenSSH\r\n\r\n", &h).status, HeadStatus::kError);
  EXPECT_EQ(ParseRequestHead("GET\r\n\r\n", &h).status, HeadStatus::kError);
  EXPECT_EQ(ParseRequestHead("GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", &h).status, HeadStatus::kError);
  EXPECT_EQ(ParseRequestHead("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &h).status,
            HeadStatus::kError);
  EXPECT_EQ(ParseRequestHead(std::string(kMaxHeadBytes + 10, 'a'), &h).status, HeadStatus::kError);
}

TEST(BodyFramer, ChunkedStopsAtTheTerminatingChunk) {
  BodyFramer f = BodyFramer::Chunked();
  std::string payload;
  const std::string wire = "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\nGET /next";
  std::size_t used = 0;
  for (char c : wire) {  // byte by byte: split anywhere
    if (f.done()) break;
    used += f.Feed(std::string_view(&c, 1), [&](std::string_view p) { payload.append(p); });
  }
  EXPECT_TRUE(f.done());
  EXPECT_EQ(payload, "helloabc");
  EXPECT_EQ(wire.substr(used), "GET /next");
}

TEST(BodyFramer, LengthAndBadChunks) {
  BodyFramer f = BodyFramer::Length(3);
  EXPECT_EQ(f.Feed("abcdef", [](std::string_view) {}), 3u);
  EXPECT_TRUE(f.done());
  BodyFramer bad = BodyFramer::Chunked();
  bad.Feed("zz\r\n", [](std::string_view) {});
  EXPECT_TRUE(bad.failed());
}

TEST(StampTap, MultiplexedFramesSplitAnywhere) {
  std::string body = Frame(1, Line(1)) + Frame(2, Line(2)) + Frame(1, Line(3));
  // A long line in two 16 KiB pieces: one line, one stamp.
  const std::string long_line = Line(4, 20000);
  body += Frame(1, long_line.substr(0, 16384)) + Frame(2, Line(5)) + Frame(1, long_line.substr(16384));
  StampTap tap(StampTap::Encoding::kSniff);
  for (std::size_t i = 0; i < body.size(); i += 7) tap.Feed(std::string_view(body).substr(i, 7));
  tap.Finish();
  EXPECT_EQ(tap.error(), "");
  EXPECT_EQ(tap.encoding(), StampTap::Encoding::kMultiplexed);
  EXPECT_EQ(tap.lines(), 5u);
  EXPECT_EQ(tap.seqs().size(), 5u);
  EXPECT_EQ(tap.cid(), "0123456789ab");
}

TEST(StampTap, TimestampsRawTtyAndALastLineWithoutNewline) {
  StampTap tap(StampTap::Encoding::kSniff);
  const std::string ts = "2026-11-28T15:04:37.669256080Z ";
  std::string l1 = Line(1), l2 = Line(2);
  l1.insert(l1.size() - 1, "\r");
  tap.Feed(ts + l1 + ts + l2.substr(0, 30));
  tap.Feed(l2.substr(30, l2.size() - 31));  // no newline at the end
  tap.Finish();
  EXPECT_EQ(tap.encoding(), StampTap::Encoding::kRaw);
  EXPECT_EQ(tap.seqs().size(), 2u);
}

TEST(StampTap, RepeatsForeignStampsAndErrorFrames) {
  StampTap tap(StampTap::Encoding::kMultiplexed);
  tap.Feed(Frame(1, Line(1)) + Frame(1, Line(1)) + Frame(1, Line(2, 5, "ffffffffffff")) + Frame(1, "no stamp\n"));
  EXPECT_EQ(tap.repeated(), 1u);
  EXPECT_EQ(tap.foreign(), 1u);
  EXPECT_EQ(tap.lines(), 4u);
  tap.Feed(Frame(3, "Error grabbing logs: boom"));
  EXPECT_NE(tap.error().find("Error grabbing logs"), std::string::npos);
  StampTap bad(StampTap::Encoding::kMultiplexed);
  bad.Feed(std::string("\x01\x01\x00\x00\x00\x00\x00\x01x", 9));
  EXPECT_NE(bad.error(), "");
}

TEST(StampTap, FindStampNeedsTwelveHexAndAPositiveSeq) {
  std::string cid;
  std::uint64_t seq = 0;
  EXPECT_FALSE(FindStamp("cid=0123 seq=1", &cid, &seq));
  EXPECT_FALSE(FindStamp("cid=0123456789ab seq=0 x", &cid, &seq));
  EXPECT_FALSE(FindStamp("cid=0123456789AB seq=4 x", &cid, &seq));
  ASSERT_TRUE(FindStamp("ts cid=x cid=0123456789ab seq=42 stream=stderr", &cid, &seq));
  EXPECT_EQ(seq, 42u);
}

TEST(DockerPath, LogsEventsAndFollowFlags) {
  DockerRequest r = ClassifyTarget("/v1.41/containers/abc%2Fd/logs?stdout=1&follow=1&timestamps=true");
  EXPECT_EQ(r.endpoint, "logs");
  EXPECT_EQ(r.container, "abc/d");
  EXPECT_TRUE(r.follow);
  EXPECT_TRUE(r.timestamps);
  EXPECT_FALSE(ClassifyTarget("/containers/x/logs?follow=0").follow);
  EXPECT_FALSE(ClassifyTarget("/containers/x/logs?follow=none").follow);
  EXPECT_TRUE(ClassifyTarget("/containers/x/logs?follow=banana").follow);
  EXPECT_FALSE(ClassifyTarget("/containers/x/logs").follow);
  EXPECT_EQ(ClassifyTarget("/events?since=1").endpoint, "events");
  EXPECT_EQ(ClassifyTarget("/containers/json").endpoint, "json");
  EXPECT_EQ(ClassifyTarget("/containers/logs/json").endpoint, "json");
  EXPECT_NE(ClassifyTarget("/logs").endpoint, "logs");
  EXPECT_EQ(ClassifyTarget("/_ping").endpoint, "_ping");
}

}  // namespace proxy_parse_test
}  // namespace leakbench::proxy
