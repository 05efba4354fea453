// leakbench_proxy_bench: what the counting proxy costs. (1) Added latency
// per request: N keep-alive GET /_ping round trips straight to a daemon and
// through the proxy (an in-process stand-in answering like dockerd, or a
// real daemon's socket with --daemon SOCKET). (2) CPU per GB: a follow
// stream of stamped multiplexed lines in chunked coding, pushed through
// the proxy as fast as the reader takes it; the proxy loop thread's CPU
// time over the bytes it moved.
//
//   leakbench_proxy_bench [--requests N] [--gib G] [--line-bytes B] [--daemon SOCKET]
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.h"
#include "harness/proxy/proxy_record.h"
#include "harness/proxy/proxy_server.h"

namespace {

using leakbench::UniqueFd;
using Clock = std::chrono::steady_clock;

UniqueFd Connect(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "proxy_bench: cannot connect to %s: %s\n", path.c_str(), std::strerror(errno));
    std::exit(1);
  }
  return fd;
}

UniqueFd Listen(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd.get(), 64) != 0) {
    std::fprintf(stderr, "proxy_bench: cannot listen on %s\n", path.c_str());
    std::exit(1);
  }
  return fd;
}

bool SendAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Reads one HTTP response with a Content-Length body (the ping).
bool ReadResponse(int fd, std::string& buf) {
  char chunk[4096];
  for (;;) {
    const std::size_t head = buf.find("\r\n\r\n");
    if (head != std::string::npos) {
      const std::size_t cl = buf.find("Content-Length: ");
      const std::size_t len = cl == std::string::npos ? 0 : std::strtoul(buf.c_str() + cl + 16, nullptr, 10);
      if (buf.size() >= head + 4 + len) {
        buf.erase(0, head + 4 + len);
        return true;
      }
    }
    const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
}

// Round-trip times of `n` keep-alive pings on one connection, in µs.
std::vector<double> Pings(const std::string& socket_path, int n) {
  UniqueFd c = Connect(socket_path);
  const std::string req = "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n";
  std::vector<double> us;
  std::string buf;
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    if (!SendAll(c.get(), req.data(), req.size()) || !ReadResponse(c.get(), buf)) {
      std::fprintf(stderr, "proxy_bench: ping %d failed\n", i);
      std::exit(1);
    }
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return us;
}

double At(const std::vector<double>& sorted, double q) { return sorted[static_cast<std::size_t>(q * (sorted.size() - 1))]; }

// The stand-in daemon: pings on keep-alive, and /logs as an endless-until-
// `bytes` chunked stream of stamped frames.
void ServeOne(int fd, std::uint64_t stream_bytes, std::size_t line_bytes) {
  std::string in;
  char chunk[4096];
  for (;;) {
    const std::size_t head = in.find("\r\n\r\n");
    if (head == std::string::npos) {
      const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return;
      in.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    const bool logs = in.rfind("GET /_ping", 0) != 0;
    in.erase(0, head + 4);
    if (!logs) {
      static const char kPong[] = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK";
      if (!SendAll(fd, kPong, sizeof kPong - 1)) return;
      continue;
    }
    const char* kHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    if (!SendAll(fd, kHead, std::strlen(kHead))) return;
    // 64 lines per chunk, like a busy daemon's writes.
    std::uint64_t seq = 0, sent = 0;
    std::string payload;
    while (sent < stream_bytes) {
      payload.clear();
      for (int i = 0; i < 64; ++i) {
        std::string line = "cid=0123456789ab seq=" + std::to_string(++seq) + " stream=stdout ";
        line.resize(line_bytes - 1, 'x');
        line += '\n';
        char h[8] = {1, 0, 0, 0, static_cast<char>(line.size() >> 24), static_cast<char>(line.size() >> 16),
                     static_cast<char>(line.size() >> 8), static_cast<char>(line.size())};
        payload.append(h, 8).append(line);
      }
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
      const std::string chunk_text = size + payload + "\r\n";
      if (!SendAll(fd, chunk_text.data(), chunk_text.size())) return;
      sent += chunk_text.size();
    }
    SendAll(fd, "0\r\n\r\n", 5);
  }
}

double ThreadCpuSeconds(pthread_t t) {
  clockid_t id;
  timespec ts{};
  if (pthread_getcpuclockid(t, &id) != 0 || clock_gettime(id, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int requests = 20000;
  double gib = 2;
  std::size_t line_bytes = 200;
  std::string daemon;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--requests") requests = std::max(100, std::atoi(value.c_str()));
    else if (flag == "--gib") gib = std::max(0.01, std::atof(value.c_str()));
    else if (flag == "--line-bytes") line_bytes = std::clamp<std::size_t>(std::strtoul(value.c_str(), nullptr, 10), 60, 16384);
    else if (flag == "--daemon") daemon = value;
    else {
      std::fprintf(stderr, "proxy_bench: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  char tmpl[] = "/tmp/leakbench-proxy-bench.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  const std::string dir = tmpl;
  const std::uint64_t stream_bytes = static_cast<std::uint64_t>(gib * (1ull << 30));

  std::string upstream = daemon;
  UniqueFd standin;
  std::atomic<bool> stop{false};
  std::thread standin_thread;
  if (upstream.empty()) {
    upstream = dir + "/daemon.sock";
    standin = Listen(upstream);
    standin_thread = std::thread([&] {
      std::vector<std::thread> conns;
      while (!stop) {
        pollfd p{standin.get(), POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        const int fd = accept4(standin.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) conns.emplace_back([fd, stream_bytes, line_bytes] {
          ServeOne(fd, stream_bytes, line_bytes);
          close(fd);
        });
      }
      for (auto& t : conns) t.join();
    });
  }
  leakbench::proxy::ProxyRecord record;
  leakbench::proxy::ProxyServer server({dir + "/proxy.sock", upstream, "", 1 << 20}, record);
  std::thread loop([&] { server.Run(); });

  Pings(upstream, 500);  // warm up both paths
  Pings(dir + "/proxy.sock", 500);
  const auto direct = Pings(upstream, requests);
  const auto proxied = Pings(dir + "/proxy.sock", requests);
  std::printf("latency per keep-alive GET /_ping (%d requests, %s):\n", requests,
              daemon.empty() ? "in-process stand-in daemon" : daemon.c_str());
  std::printf("  direct   median %.1f us  p99 %.1f us\n", At(direct, 0.5), At(direct, 0.99));
  std::printf("  proxied  median %.1f us  p99 %.1f us\n", At(proxied, 0.5), At(proxied, 0.99));
  std::printf("  added    median %.1f us  p99 %.1f us\n", At(proxied, 0.5) - At(direct, 0.5),
              At(proxied, 0.99) - At(direct, 0.99));

  if (daemon.empty()) {
    UniqueFd c = Connect(dir + "/proxy.sock");
    const std::string req = "GET /v1.41/containers/0123456789ab/logs?follow=1&stdout=1 HTTP/1.1\r\n\r\n";
    const double cpu0 = ThreadCpuSeconds(loop.native_handle());
    const auto t0 = Clock::now();
    SendAll(c.get(), req.data(), req.size());
    std::vector<char> buf(1 << 20);
    std::uint64_t got = 0;
    for (;;) {
      const ssize_t n = recv(c.get(), buf.data(), buf.size(), 0);
      if (n <= 0) break;
      got += static_cast<std::uint64_t>(n);
      if (got >= 5 && std::memcmp(buf.data() + n - std::min<ssize_t>(n, 5), "0\r\n\r\n", 5) == 0 && got > stream_bytes) break;
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = ThreadCpuSeconds(loop.native_handle()) - cpu0;
    const auto streams = record.Streams("all", 10);
    const std::uint64_t lines = streams.empty() ? 0 : streams.back()["lines_sent"].get<std::uint64_t>();
    std::printf("follow stream through the proxy: %.2f GB (%zu-byte lines, %llu stamps read) in %.2f s = %.0f MB/s\n",
                static_cast<double>(got) / 1e9, line_bytes, static_cast<unsigned long long>(lines), wall,
                static_cast<double>(got) / 1e6 / wall);
    std::printf("  proxy loop CPU %.2f s = %.2f CPU-seconds per GB (%.1f%% of a core at 1 MB/s)\n", cpu,
                cpu / (static_cast<double>(got) / 1e9), cpu / (static_cast<double>(got) / 1e6) * 100);
  }
  server.Stop();
  loop.join();
  stop = true;
  if (standin_thread.joinable()) standin_thread.join();
  std::filesystem::remove_all(dir);
  return 0;
}
