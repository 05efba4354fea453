// The HTTP follower of one proxied connection, fed conversations as bytes
// (split anywhere), with an injected clock: what it records for keep-alive
// requests, follow streams the daemon ends or the client abandons,
// upgrades, hijacks, 100 Continue and garbage.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "harness/proxy/http_exchange.h"
#include "harness/proxy/proxy_record.h"

namespace leakbench::proxy {
namespace http_exchange_test {

using json = nlohmann::json;

std::string Frame(int stream, const std::string& payload) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(stream);
  h[7] = static_cast<char>(payload.size());
  h[6] = static_cast<char>(payload.size() >> 8);
  return h + payload;
}

std::string Chunk(const std::string& data) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx", data.size());
  return std::string(size) + "\r\n" + data + "\r\n";
}

std::string Line(std::uint64_t seq) { return "cid=aaaaaaaaaaaa seq=" + std::to_string(seq) + " stream=stdout pad\n"; }

// Feeds `bytes` in pieces of `step`.
template <typename F>
void Split(const std::string& bytes, std::size_t step, F&& f) {
  for (std::size_t i = 0; i < bytes.size(); i += step) f(std::string_view(bytes).substr(i, step));
}

class ExchangeTest : public ::testing::Test {
 protected:
  std::int64_t now = 1000;
  ProxyRecord record{[this] { return now; }};
};

TEST_F(ExchangeTest, KeepAliveRequestsThenAFollowStreamTheDaemonEnds) {
  HttpExchange x(record);
  x.FromClient("HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\nGET /v1.41/containers/aaaa/json HTTP/1.1\r\n\r\n");
  x.FromDaemon("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");  // HEAD: no body despite the length
  now = 2000;
  x.FromDaemon("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}\n");
  now = 3000;
  x.FromClient("GET /v1.41/containers/aaaa/logs?follow=1&stdout=1 HTTP/1.1\r\nHost: d\r\n\r\n");
  now = 3500;
  const std::string body = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunk(Frame(1, Line(1))) +
                           Chunk(Frame(2, Line(2)) + Frame(1, Line(3)));
  Split(body, 5, [&](std::string_view s) { x.FromDaemon(s); });
  json truth = record.Truth();
  EXPECT_EQ(truth["follow_streams_open"], 1);
  json open = record.Streams("open", 10);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["container_id"], "aaaa");
  EXPECT_EQ(open[0]["opened_at_ns"], 3000);
  EXPECT_EQ(open[0]["answered_at_ns"], 3500) << "the response head passed at 3500";
  EXPECT_EQ(open[0]["lines_sent"], 3);
  now = 4000;
  x.FromDaemon("0\r\n\r\n");
  json all = record.Streams("all", 10);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["close_reason"], kDaemonEnded);
  EXPECT_EQ(all[0]["closed_at_ns"], 4000);
  EXPECT_EQ(all[0]["first_seq"], 1);
  EXPECT_EQ(all[0]["last_seq"], 3);
  EXPECT_EQ(record.Truth()["follow_streams_open"], 0);
  EXPECT_EQ(record.Truth()["follow_streams_peak"], 1);
  // The connection is back to keep-alive: the next request is recorded.
  x.FromClient("GET /_ping HTTP/1.1\r\n\r\n");
  x.FromDaemon("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
  json requests = record.Requests(10);
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[3]["target"], "/_ping");
  EXPECT_EQ(requests[3]["status"], 200);
  EXPECT_FALSE(x.lost());
}

TEST_F(ExchangeTest, TheClientHangsUpOnAFollowStream) {
  {
    HttpExchange x(record);
    x.FromClient("GET /containers/bbbb/logs?follow=1&stdout=1&stderr=1 HTTP/1.1\r\n\r\n");
    x.FromDaemon("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunk(Frame(1, Line(7))));
    now = 9000;
    x.ClientClosed();
    x.DaemonClosed();  // the daemon then goes: the stream already ended
  }
  json s = record.Streams("all", 10);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0]["close_reason"], kClientClosed);
  EXPECT_EQ(s[0]["closed_at_ns"], 9000);
  EXPECT_EQ(record.Truth()["connections_open"], 0);
}

TEST_F(ExchangeTest, TheDaemonCutsAStreamMidBody) {
  HttpExchange x(record);
  x.FromClient("GET /containers/cccc/logs?follow=1&stdout=1 HTTP/1.1\r\n\r\n");
  x.FromDaemon("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunk(Frame(1, Line(1))));
  x.DaemonClosed();
  EXPECT_EQ(record.Streams("all", 10)[0]["close_reason"], kDaemonClosed);
}

TEST_F(ExchangeTest, NonFollowLogsAndErrorsAreNotFollowStreams) {
  HttpExchange x(record);
  x.FromClient("GET /containers/dddd/logs?stdout=1 HTTP/1.1\r\n\r\nGET /containers/nope/logs?follow=1 HTTP/1.1\r\n\r\n");
  x.FromDaemon("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunk(Frame(1, Line(1))) + "0\r\n\r\n");
  x.FromDaemon("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}");
  json s = record.Streams("all", 10);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_FALSE(s[0]["follow"].get<bool>());
  EXPECT_EQ(record.Truth()["follow_streams_peak"], 0);
  EXPECT_EQ(record.Requests(10).size(), 2u);
}

TEST_F(ExchangeTest, ContinueUpgradeAndHijackSwitchToRawBytes) {
  HttpExchange up(record);
  up.FromClient("POST /containers/e/attach?stream=1 HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
  up.FromDaemon("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nraw GET / HTTP/1.1\r\n\r\n");
  up.FromClient("stdin bytes that are not HTTP\r\n\r\n");
  EXPECT_TRUE(up.raw());
  EXPECT_FALSE(up.lost());

  HttpExchange hijack(record);
  hijack.FromClient("POST /exec/f/start HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
  hijack.FromDaemon("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\noutput");
  hijack.FromClient("not a request");
  EXPECT_FALSE(hijack.lost());

  HttpExchange cont(record);
  cont.FromClient("POST /images/load HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  cont.FromDaemon("HTTP/1.1 100 Continue\r\n\r\n");
  cont.FromClient("abcd");
  cont.FromDaemon("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(cont.lost());
  json r = record.Requests(10);
  EXPECT_EQ(r.back()["status"], 200);
}

TEST_F(ExchangeTest, GarbageStopsTrackingNotTheConnection) {
  HttpExchange x(record);
  x.FromClient("GET /containers/g/logs?follow=1&stdout=1 HTTP/1.1\r\n\r\n");
  x.FromDaemon("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  EXPECT_TRUE(x.lost());
  EXPECT_NE(x.lost_reason().find("chunked"), std::string::npos);
  EXPECT_EQ(record.Streams("all", 10)[0]["close_reason"], kUndecodable);
  HttpExchange y(record);
  y.FromDaemon("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(y.lost());
}

}  // namespace http_exchange_test
}  // namespace leakbench::proxy
