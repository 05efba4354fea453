#include "core/tests/support/loki_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <strings.h>

namespace logcap::testing {
namespace {

using leakbench::UniqueFd;

int BoundPort(int fd) {
  sockaddr_in addr = {};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.sin_port);
}

UniqueFd LoopbackSocket() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("LokiReceiver: cannot bind 127.0.0.1");
  }
  return fd;
}

// The Content-Length header's value, or 0.
std::size_t ContentLength(const std::string& head) {
  std::size_t at = 0;
  while ((at = head.find('\n', at)) != std::string::npos) {
    ++at;
    if (head.size() - at > 15 && ::strncasecmp(head.c_str() + at, "content-length:", 15) == 0) {
      return std::strtoull(head.c_str() + at + 15, nullptr, 10);
    }
  }
  return 0;
}

}  // namespace

int UnusedLoopbackPort() { return BoundPort(LoopbackSocket().get()); }

LokiReceiver::LokiReceiver() {
  listen_ = LoopbackSocket();
  if (::listen(listen_.get(), 16) != 0) throw std::runtime_error("LokiReceiver: listen failed");
  port_ = BoundPort(listen_.get());
  stop_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  thread_ = std::thread([this] { Serve(); });
}

LokiReceiver::~LokiReceiver() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(stop_.get(), &one, sizeof one);
  thread_.join();
}

std::vector<std::string> LokiReceiver::lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

void LokiReceiver::Serve() {
  for (;;) {
    pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 || fds[1].revents != 0) return;
    UniqueFd conn(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.valid()) ServeConnection(conn.get());
  }
}

void LokiReceiver::ServeConnection(int fd) {
  std::string buffer;
  char chunk[65536];
  for (;;) {
    const std::size_t head_end = buffer.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const std::string head = buffer.substr(0, head_end + 2);
      const std::size_t body_bytes = ContentLength(head);
      if (buffer.size() >= head_end + 4 + body_bytes) {
        const std::string body = buffer.substr(head_end + 4, body_bytes);
        buffer.erase(0, head_end + 4 + body_bytes);
        if (!Handle(head, body, fd)) return;
        continue;
      }
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 || fds[1].revents != 0) return;
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

bool LokiReceiver::Handle(const std::string& head, const std::string& body, int fd) {
  ++requests_;
  const int status = status_.load();
  if (status >= 200 && status < 300) {
    const nlohmann::json push = nlohmann::json::parse(body, nullptr, false);
    std::vector<std::string> got;
    bool ok = push.is_object() && push.contains("streams") && push["streams"].is_array();
    if (ok) {
      for (const auto& stream : push["streams"]) {
        if (!stream.contains("values") || !stream["values"].is_array()) {
          ok = false;
          break;
        }
        for (const auto& value : stream["values"]) {
          if (!value.is_array() || value.size() < 2 || !value[1].is_string()) {
            ok = false;
            break;
          }
          got.push_back(value[1].get<std::string>());
        }
      }
    }
    if (!ok) {
      ++malformed_;
    } else {
      std::lock_guard lock(mu_);
      lines_.insert(lines_.end(), got.begin(), got.end());
    }
  }
  const bool close = head.find("Connection: close") != std::string::npos;
  const std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n" +
                            (close ? "Connection: close\r\n" : "") + "\r\n";
  std::size_t sent = 0;
  while (sent < reply.size()) {
    const ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return !close;
}

}  // namespace logcap::testing
