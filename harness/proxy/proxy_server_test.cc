// The proxy over real Unix sockets, with a scripted upstream in place of
// the daemon: bytes arrive unchanged both ways, keep-alive and follow
// streams are recorded, a half-close is passed on, a hijacked connection
// carries raw bytes, a daemon that is down is a closed connection and a
// counted failure, and the control socket answers.
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>

#include "common/unique_fd.h"
#include "fakes/tests/support/polling.h"
#include "harness/proxy/proxy_record.h"
#include "harness/proxy/proxy_server.h"

namespace leakbench::proxy {
namespace proxy_server_test {

using json = nlohmann::json;
using leakbench::testing::Eventually;

UniqueFd Connect(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return {};
  return fd;
}

void SendAll(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(n, 0) << std::strerror(errno);
    off += static_cast<std::size_t>(n);
  }
}

// Reads until `want` bytes arrived, EOF, or 5 s passed.
std::string ReadUpTo(int fd, std::size_t want, bool* eof = nullptr) {
  std::string out;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  if (eof != nullptr) *eof = false;
  char buf[65536];
  while (out.size() < want && std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (eof != nullptr) *eof = true;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// A daemon stand-in: accepts one connection at a time and runs `script` on it.
class Upstream {
 public:
  Upstream(const std::string& path, std::function<void(int)> script) : script_(std::move(script)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    fd_ = UniqueFd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(fd_.get(), 16), 0);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_.get(), POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        UniqueFd c(accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (c.valid()) script_(c.get());
      }
    });
  }
  ~Upstream() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::function<void(int)> script_;
  UniqueFd fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class ProxyServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/leakbench-proxy-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void StartProxy() {
    server_ = std::make_unique<ProxyServer>(
        ProxyOptions{dir_ + "/proxy.sock", dir_ + "/daemon.sock", dir_ + "/control.sock", 1 << 20}, record_);
    loop_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
      loop_.join();
      server_.reset();
    }
    std::filesystem::remove_all(dir_);
  }
  std::string Control(const std::string& path) {
    UniqueFd c = Connect(dir_ + "/control.sock");
    SendAll(c.get(), "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    bool eof = false;
    const std::string reply = ReadUpTo(c.get(), SIZE_MAX, &eof);
    const std::size_t body = reply.find("\r\n\r\n");
    return body == std::string::npos ? reply : reply.substr(body + 4);
  }

  std::string dir_;
  ProxyRecord record_;
  std::unique_ptr<ProxyServer> server_;
  std::thread loop_;
};

std::string Frame(const std::string& payload) {
  std::string h(8, '\0');
  h[0] = 1;
  h[6] = static_cast<char>(payload.size() >> 8);
  h[7] = static_cast<char>(payload.size());
  return h + payload;
}

TEST_F(ProxyServerTest, ForwardsUnchangedAndRecordsAFollowStream) {
  const std::string line = "cid=abcdefabcdef seq=1 stream=stdout x\n";
  const std::string ping = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK";
  const std::string logs = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                           std::string("2f\r\n") + Frame(line) + "\r\n0\r\n\r\n";
  ASSERT_EQ(Frame(line).size(), 0x2fu);
  std::string upstream_saw;
  Upstream up(dir_ + "/daemon.sock", [&](int fd) {
    upstream_saw = ReadUpTo(fd, 20);  // the ping
    SendAll(fd, ping);
    upstream_saw += ReadUpTo(fd, 1);
    SendAll(fd, logs);
    bool eof = false;
    ReadUpTo(fd, SIZE_MAX, &eof);  // until the client hangs up
  });
  StartProxy();
  UniqueFd c = Connect(dir_ + "/proxy.sock");
  ASSERT_TRUE(c.valid());
  SendAll(c.get(), "GET /_ping HTTP/1.1\r\n\r\n");
  EXPECT_EQ(ReadUpTo(c.get(), ping.size()), ping);
  SendAll(c.get(), "GET /v1.41/containers/abcdefabcdef/logs?follow=1&stdout=1 HTTP/1.1\r\n\r\n");
  EXPECT_EQ(ReadUpTo(c.get(), logs.size()), logs);
  c.Reset();
  EXPECT_EQ(upstream_saw,
            "GET /_ping HTTP/1.1\r\n\r\nGET /v1.41/containers/abcdefabcdef/logs?follow=1&stdout=1 HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(Eventually([&] { return record_.Truth()["connections_open"] == 0; }));
  const json streams = json::parse(Control("/streams?state=all"));
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0]["close_reason"], "daemon_ended");
  EXPECT_EQ(streams[0]["seq_ranges"], json::parse("[[1,1]]"));
  const json truth = json::parse(Control("/truth"));
  EXPECT_EQ(truth["follow_streams_peak"], 1);
  EXPECT_EQ(truth["bytes_to_client"], ping.size() + logs.size());
  EXPECT_NE(Control("/nope").find("not a control path"), std::string::npos);
}

TEST_F(ProxyServerTest, ManyMegabytesOfRandomBytesBothWaysAfterAHijack) {
  std::mt19937 rng(7);
  std::string down(8 << 20, '\0');
  for (char& ch : down) ch = static_cast<char>(rng());
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n";
  std::string upstream_got;
  Upstream up(dir_ + "/daemon.sock", [&](int fd) {
    ReadUpTo(fd, 30);
    SendAll(fd, head);
    bool eof = false;
    upstream_got = ReadUpTo(fd, SIZE_MAX, &eof);  // the client's stdin, until its half-close
    EXPECT_TRUE(eof);
    SendAll(fd, down);  // then the output, and close
  });
  StartProxy();
  UniqueFd c = Connect(dir_ + "/proxy.sock");
  SendAll(c.get(), "POST /exec/abc/start HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(ReadUpTo(c.get(), head.size()), head);
  const std::string stdin_bytes(3 << 20, 'i');
  std::thread writer([&] {
    SendAll(c.get(), stdin_bytes);
    shutdown(c.get(), SHUT_WR);
  });
  bool eof = false;
  const std::string got = ReadUpTo(c.get(), SIZE_MAX, &eof);
  writer.join();
  EXPECT_TRUE(eof);
  EXPECT_TRUE(got == down) << "got " << got.size() << " bytes of " << down.size();
  EXPECT_EQ(upstream_got.size(), stdin_bytes.size());
}

TEST_F(ProxyServerTest, ADaemonThatIsDownIsAClosedConnectionAndACountedFailure) {
  StartProxy();  // nothing listens on daemon.sock
  UniqueFd c = Connect(dir_ + "/proxy.sock");
  ASSERT_TRUE(c.valid());
  bool eof = false;
  ReadUpTo(c.get(), SIZE_MAX, &eof);
  EXPECT_TRUE(eof);
  const json truth = json::parse(Control("/truth"));
  EXPECT_EQ(truth["upstream_failures"], 1);
  EXPECT_NE(truth["last_upstream_failure"].get<std::string>().find("daemon.sock"), std::string::npos);
}

TEST_F(ProxyServerTest, AClientThatHangsUpEndsItsStreamAtTheDaemon) {
  std::atomic<bool> upstream_saw_eof{false};
  Upstream up(dir_ + "/daemon.sock", [&](int fd) {
    ReadUpTo(fd, 10);
    SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    bool eof = false;
    ReadUpTo(fd, SIZE_MAX, &eof);
    upstream_saw_eof = eof;
  });
  StartProxy();
  {
    UniqueFd c = Connect(dir_ + "/proxy.sock");
    SendAll(c.get(), "GET /containers/x/logs?follow=1&stdout=1 HTTP/1.1\r\n\r\n");
    ReadUpTo(c.get(), 20);
    ASSERT_TRUE(Eventually([&] { return record_.Truth()["follow_streams_open"] == 1; }));
  }
  ASSERT_TRUE(Eventually([&] { return upstream_saw_eof.load(); }, std::chrono::seconds(6)));
  ASSERT_TRUE(Eventually([&] { return record_.Truth()["follow_streams_open"] == 0; }));
  EXPECT_EQ(record_.Streams("all", 10)[0]["close_reason"], "client_closed");
}

TEST_F(ProxyServerTest, RefusesAPathThatIsNotASocket) {
  const std::string file = dir_ + "/proxy.sock";
  std::FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  try {
    ProxyServer s(ProxyOptions{file, dir_ + "/daemon.sock", "", 1 << 20}, record_);
    FAIL() << "a regular file was replaced";
  } catch (const ProxyError& e) {
    EXPECT_NE(std::string(e.what()).find("is not a socket"), std::string::npos) << e.what();
  }
}

}  // namespace proxy_server_test
}  // namespace leakbench::proxy
