// LokiPushReceiver: takes Loki's JSON pushes in order, all or nothing per
// push, answers what it cannot take with a 4xx that says why, plays a
// failing Loki on demand, and serves several keep-alive connections at once.
#include "common/loki_push_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace leakbench {
namespace loki_push_receiver_test {

struct Got {
  std::mutex mu;
  std::vector<std::string> lines, labels, stamps;
};

LokiPushReceiver::LineSink Into(Got& got) {
  return [&got](std::string_view labels, std::string_view ts, std::string_view line) {
    std::lock_guard lock(got.mu);
    got.labels.emplace_back(labels);
    got.stamps.emplace_back(ts);
    got.lines.emplace_back(line);
  };
}

UniqueFd Connect(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{10, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void SendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    sent += static_cast<std::size_t>(n);
  }
}

// One whole reply (head + Content-Length body) read from fd; what came
// after it (a pipelined reply) stays in `pending` for the next call.
std::string ReadReply(int fd, std::string& pending) {
  char c[4096];
  for (;;) {
    const std::size_t head_end = pending.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const std::size_t at = pending.find("Content-Length: ");
      const std::size_t length = at == std::string::npos || at > head_end ? 0 : std::stoul(pending.substr(at + 16));
      if (pending.size() >= head_end + 4 + length) {
        std::string reply = pending.substr(0, head_end + 4 + length);
        pending.erase(0, reply.size());
        return reply;
      }
    }
    const ssize_t n = ::read(fd, c, sizeof c);
    if (n <= 0) return std::exchange(pending, {});
    pending.append(c, static_cast<std::size_t>(n));
  }
}

std::string ReadReply(int fd) {
  std::string pending;
  return ReadReply(fd, pending);
}

std::string Request(const std::string& body, const std::string& extra_headers = "",
                    const std::string& target = "/loki/api/v1/push") {
  return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string Push(const std::vector<std::string>& lines) {
  std::string values;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    values += (i ? "," : "") + std::string("[\"") + std::to_string(1700000000000000000 + i) + "\",\"" + lines[i] + "\"]";
  }
  return R"({"streams":[{"stream":{"job":"t"},"values":[)" + values + "]}]}";
}

int Status(const std::string& reply) { return reply.size() > 12 ? std::stoi(reply.substr(9, 3)) : 0; }

TEST(LokiPushReceiver, TakesPushesInOrderOnOneKeepAliveConnection) {
  Got got;
  LokiPushReceiver r(Into(got));
  UniqueFd c = Connect(r.port());
  SendAll(c.get(), Request(Push({"a", "b"})) + Request(Push({"c"})));  // pipelined
  std::string pending;
  EXPECT_EQ(Status(ReadReply(c.get(), pending)), 204);
  EXPECT_EQ(Status(ReadReply(c.get(), pending)), 204);
  std::lock_guard lock(got.mu);
  EXPECT_EQ(got.lines, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(got.stamps[2], "1700000000000000000");
  EXPECT_EQ(got.labels[0], R"({"job":"t"})");
  EXPECT_EQ(r.stats().accepted, 2u);
  EXPECT_EQ(r.stats().lines, 3u);
}

TEST(LokiPushReceiver, ABodyInPiecesIsOnePush) {
  Got got;
  LokiPushReceiver r(Into(got));
  UniqueFd c = Connect(r.port());
  const std::string request = Request(Push({"split line"}));
  for (std::size_t i = 0; i < request.size(); i += 7) {
    SendAll(c.get(), request.substr(i, 7));
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  EXPECT_EQ(Status(ReadReply(c.get())), 204);
  std::lock_guard lock(got.mu);
  EXPECT_EQ(got.lines, std::vector<std::string>{"split line"});
}

TEST(LokiPushReceiver, ServesSeveralConnectionsAtOnce) {
  Got got;
  LokiPushReceiver r(Into(got));
  UniqueFd idle = Connect(r.port());  // keep-alive, says nothing
  SendAll(idle.get(), "POST /loki/api/v1/push HTTP/1.1\r\n");
  UniqueFd busy = Connect(r.port());
  SendAll(busy.get(), Request(Push({"x"})));
  EXPECT_EQ(Status(ReadReply(busy.get())), 204) << "a half-sent request on one connection blocked another";
}

TEST(LokiPushReceiver, AMalformedPushIsRefusedWholeWithTheReason) {
  Got got;
  LokiPushReceiver r(Into(got));
  UniqueFd c = Connect(r.port());
  const std::string half_bad = R"({"streams":[{"values":[["1","kept?"]]},{"values":[["2"]]}]})";
  for (const std::string& body : {std::string("not json"), std::string(R"({"x":1})"), half_bad}) {
    SendAll(c.get(), Request(body));
    const std::string reply = ReadReply(c.get());
    EXPECT_EQ(Status(reply), 400) << reply;
    EXPECT_NE(reply.find("not a Loki JSON push"), std::string::npos) << reply;
  }
  SendAll(c.get(), Request(Push({"after"})));  // the connection still works
  EXPECT_EQ(Status(ReadReply(c.get())), 204);
  std::lock_guard lock(got.mu);
  EXPECT_EQ(got.lines, std::vector<std::string>{"after"}) << "a line of a refused push was taken";
  EXPECT_EQ(r.stats().rejected, 3u);
}

TEST(LokiPushReceiver, ProtobufAndCompressedBodiesSayWhatToConfigure) {
  Got got;
  LokiPushReceiver r(Into(got));
  UniqueFd c = Connect(r.port());
  SendAll(c.get(), "POST /loki/api/v1/push HTTP/1.1\r\nContent-Type: application/x-protobuf\r\n"
                   "Content-Length: 3\r\n\r\nabc");
  std::string reply = ReadReply(c.get());
  EXPECT_EQ(Status(reply), 415);
  EXPECT_NE(reply.find("configure the Loki client for JSON"), std::string::npos) << reply;
  SendAll(c.get(), Request(Push({"x"}), "Content-Encoding: gzip\r\n"));
  reply = ReadReply(c.get());
  EXPECT_EQ(Status(reply), 415);
  EXPECT_NE(r.last_rejection().find("gzip"), std::string::npos);
  EXPECT_EQ(r.stats().lines, 0u);
}

TEST(LokiPushReceiver, OtherPathsTooLargeAndChunkedBodiesAreRefused) {
  Got got;
  LokiPushReceiver r(Into(got), 100);
  {
    UniqueFd c = Connect(r.port());
    SendAll(c.get(), Request("{}", "", "/api/prom/push"));
    EXPECT_EQ(Status(ReadReply(c.get())), 404);
  }
  {
    UniqueFd c = Connect(r.port());
    SendAll(c.get(), Request(std::string(200, ' ')));
    EXPECT_EQ(Status(ReadReply(c.get())), 413);
  }
  {
    UniqueFd c = Connect(r.port());
    SendAll(c.get(), "POST /loki/api/v1/push HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(Status(ReadReply(c.get())), 411);
  }
  EXPECT_EQ(r.stats().lines, 0u);
}

TEST(LokiPushReceiver, PlaysAFailingLokiWithoutTakingTheLines) {
  Got got;
  LokiPushReceiver r(Into(got));
  UniqueFd c = Connect(r.port());
  r.set_status(500);
  SendAll(c.get(), Request(Push({"retry me"})));
  EXPECT_EQ(Status(ReadReply(c.get())), 500);
  r.set_status(204);
  SendAll(c.get(), Request(Push({"retry me"})));
  EXPECT_EQ(Status(ReadReply(c.get())), 204);
  std::lock_guard lock(got.mu);
  EXPECT_EQ(got.lines, std::vector<std::string>{"retry me"});
  EXPECT_EQ(r.stats().refused, 1u);
  EXPECT_EQ(r.stats().rejected, 0u);
}

TEST(LokiPushReceiver, ConnectionCloseIsHonoured) {
  Got got;
  LokiPushReceiver r(Into(got));
  UniqueFd c = Connect(r.port());
  SendAll(c.get(), Request(Push({"last"}), "Connection: close\r\n"));
  const std::string reply = ReadReply(c.get());
  EXPECT_EQ(Status(reply), 204);
  EXPECT_NE(reply.find("Connection: close"), std::string::npos);
  char byte;
  EXPECT_EQ(::read(c.get(), &byte, 1), 0) << "the receiver kept the connection open";
}

TEST(LokiPushReceiver, UnusedLoopbackPortHasNoListener) {
  const int port = UnusedLoopbackPort();
  ASSERT_GT(port, 0);
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_NE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
}

}  // namespace loki_push_receiver_test
}  // namespace leakbench
