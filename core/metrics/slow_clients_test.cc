// The /metrics endpoint cannot be held hostage: idle connections and a
// client that never finishes its request do not stop a scrape from being
// answered within 1 s; more slow clients than workers only delay it by the
// request timeout; and no connection starts a thread.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "core/metrics/engine_metrics.h"

namespace logcap {
namespace {

using leakbench::UniqueFd;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

UniqueFd ConnectLoopback(std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  return fd;
}

void SendAll(int fd, const std::string& data) {
  if (::send(fd, data.data(), data.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(data.size())) {
    throw std::runtime_error("send failed");
  }
}

// GET /metrics over HTTP/1.0; what arrived before the server closed the
// connection or `limit` passed (then whatever came so far).
std::string ScrapeWithin(std::uint16_t port, std::chrono::milliseconds limit) {
  const auto until = Clock::now() + limit;
  const UniqueFd fd = ConnectLoopback(port);
  SendAll(fd.get(), "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  std::string response;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left <= 0ms) return response;
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return response;
    char buf[16384];
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n <= 0) return response;
    response.append(buf, static_cast<std::size_t>(n));
  }
}

bool Answered(const std::string& response) {
  return response.rfind("HTTP/1.1 200", 0) == 0 &&
         response.find("log_capturer_container_streams_active") != std::string::npos;
}

std::size_t Threads() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

TEST(MetricsSlowClientsTest, ScrapeAnswersWithinOneSecondBesideIdleAndPartialClients) {
  EngineMetrics metrics("127.0.0.1:0");
  const std::uint16_t port = metrics.port();
  ASSERT_NE(port, 0);
  // Two connections that never send a byte, one that never ends its request.
  std::vector<UniqueFd> slow;
  slow.push_back(ConnectLoopback(port));
  slow.push_back(ConnectLoopback(port));
  slow.push_back(ConnectLoopback(port));
  SendAll(slow.back().get(), "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1");

  const auto start = Clock::now();
  const std::string response = ScrapeWithin(port, 1000ms);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_TRUE(Answered(response)) << "no answer within 1 s while 3 slow clients sit (got " << response.size()
                                  << " bytes in " << took.count() << " ms)";
}

TEST(MetricsSlowClientsTest, MoreSlowClientsThanWorkersDelayAScrapeOnlyByTheRequestTimeoutAndStartNoThread) {
  EngineMetrics metrics("127.0.0.1:0");
  const std::uint16_t port = metrics.port();
  const std::size_t threads = Threads();
  std::vector<UniqueFd> slow;
  for (std::size_t i = 0; i < EngineMetrics::kHttpWorkerThreads + 1; ++i) slow.push_back(ConnectLoopback(port));

  const auto limit = EngineMetrics::kHttpRequestTimeout + 1500ms;
  const std::string response = ScrapeWithin(port, std::chrono::duration_cast<std::chrono::milliseconds>(limit));
  EXPECT_TRUE(Answered(response)) << "no answer within the request timeout + 1.5 s";
  // Every connection was taken by then; none started a thread.
  EXPECT_EQ(Threads(), threads);
}

}  // namespace
}  // namespace logcap
