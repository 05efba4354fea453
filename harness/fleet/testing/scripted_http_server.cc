#include "harness/fleet/testing/scripted_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace leakbench::harness::testing {
namespace scripted_http {

std::size_t ContentLength(const std::string& head) {
  std::string lower;
  for (char c : head) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  const auto at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) return 0;
  return static_cast<std::size_t>(std::strtoull(lower.c_str() + at + 17, nullptr, 10));
}

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace scripted_http

ScriptedHttpServer::ScriptedHttpServer(std::vector<Reply> script) : script_(std::move(script)) {
  if (script_.empty()) throw std::runtime_error("ScriptedHttpServer: an empty script");
  listen_fd_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listen_fd_.valid()) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_.get(), 16) != 0 ||
      ::getsockname(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error(std::string("listen on 127.0.0.1: ") + std::strerror(errno));
  }
  port_ = ntohs(addr.sin_port);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  stop_read_.Reset(fds[0]);
  stop_write_.Reset(fds[1]);
  thread_ = std::thread([this] { Serve(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  const char byte = 1;
  if (::write(stop_write_.get(), &byte, 1) != 1) std::abort();  // the thread would never end
  thread_.join();
}

std::vector<ScriptedHttpServer::Request> ScriptedHttpServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void ScriptedHttpServer::Serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) != 0) {
      UniqueFd conn(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (conn.valid()) Answer(std::move(conn));
    }
  }
}

void ScriptedHttpServer::Answer(UniqueFd conn) {
  std::string data;
  char buf[65536];
  std::size_t head_end = std::string::npos;
  // The whole request: headers, then Content-Length bytes of body.
  for (;;) {
    if (head_end == std::string::npos) head_end = data.find("\r\n\r\n");
    if (head_end != std::string::npos &&
        data.size() >= head_end + 4 + scripted_http::ContentLength(data.substr(0, head_end + 2))) {
      break;
    }
    const ssize_t n = ::read(conn.get(), buf, sizeof buf);
    if (n <= 0) return;  // the client gave up
    data.append(buf, static_cast<std::size_t>(n));
  }
  Reply reply;
  {
    std::lock_guard lock(mu_);
    requests_.push_back({data.substr(0, head_end), data.substr(head_end + 4)});
    reply = script_[std::min(requests_.size(), script_.size()) - 1];
    if (reply.hang) {
      hung_.push_back(std::move(conn));
      return;
    }
  }
  const std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + scripted_http::Reason(reply.status) +
                          "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(reply.body.size()) +
                          "\r\nConnection: close\r\n\r\n" + reply.body;
  std::size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t n = ::send(conn.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace leakbench::harness::testing
