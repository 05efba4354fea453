#include "common/loki_push_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

namespace leakbench {
namespace {

constexpr std::size_t kMaxConnections = 64;
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
constexpr std::string_view kPushPath = "/loki/api/v1/push";

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
    throw std::runtime_error(std::string("Loki receiver: cannot bind a port on 127.0.0.1: ") + std::strerror(errno));
  }
  return fd;
}

// The value of header `name` (lower case, with the colon) in `head`, or "".
std::string_view Header(std::string_view head, std::string_view name) {
  std::size_t at = 0;
  while ((at = head.find('\n', at)) != std::string_view::npos) {
    ++at;
    if (head.size() - at > name.size() && ::strncasecmp(head.data() + at, name.data(), name.size()) == 0) {
      std::size_t begin = at + name.size();
      std::size_t end = head.find('\r', begin);
      if (end == std::string_view::npos) end = head.find('\n', begin);
      if (end == std::string_view::npos) end = head.size();
      while (begin < end && (head[begin] == ' ' || head[begin] == '\t')) ++begin;
      return head.substr(begin, end - begin);
    }
  }
  return {};
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && ::strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

const char* StatusText(int status) {
  switch (status) {
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

struct LokiPushReceiver::Connection {
  UniqueFd fd;
  std::string buffer;
};

int UnusedLoopbackPort() { return BoundPort(LoopbackSocket().get()); }

LokiPushReceiver::LokiPushReceiver(LineSink sink, std::size_t max_body_bytes)
    : sink_(std::move(sink)), max_body_bytes_(max_body_bytes) {
  listen_ = LoopbackSocket();
  if (::listen(listen_.get(), 64) != 0) {
    throw std::runtime_error(std::string("Loki receiver: listen failed: ") + std::strerror(errno));
  }
  port_ = BoundPort(listen_.get());
  stop_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop_.valid()) throw std::runtime_error(std::string("Loki receiver: eventfd: ") + std::strerror(errno));
  thread_ = std::thread([this] { Serve(); });
}

LokiPushReceiver::~LokiPushReceiver() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(stop_.get(), &one, sizeof one);
  thread_.join();
}

LokiPushReceiver::Stats LokiPushReceiver::stats() const {
  return {requests_.load(), accepted_.load(), lines_.load(), rejected_.load(), refused_.load()};
}

std::string LokiPushReceiver::last_rejection() const {
  std::lock_guard lock(reason_mu_);
  return last_rejection_;
}

void LokiPushReceiver::Serve() {
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<pollfd> fds;
  char chunk[65536];
  for (;;) {
    fds.assign({{stop_.get(), POLLIN, 0}, {listen_.get(), POLLIN, 0}});
    if (connections.size() >= kMaxConnections) fds[1].events = 0;  // accept once one closes
    for (const auto& c : connections) fds.push_back({c->fd.get(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) return;
    // Connections first (their pollfds follow the two fixed ones), then accept.
    std::vector<bool> keep(connections.size(), true);
    for (std::size_t i = 0; i < connections.size(); ++i) {
      if (fds[i + 2].revents == 0) continue;
      Connection& c = *connections[i];
      const ssize_t n = ::read(c.fd.get(), chunk, sizeof chunk);
      if (n <= 0) {
        keep[i] = n < 0 && (errno == EINTR || errno == EAGAIN);
        continue;
      }
      c.buffer.append(chunk, static_cast<std::size_t>(n));
      keep[i] = Drain(c);
    }
    for (std::size_t i = connections.size(); i-- > 0;) {
      if (!keep[i]) connections.erase(connections.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (fds[1].revents != 0) {
      UniqueFd conn(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (conn.valid()) connections.push_back(std::make_unique<Connection>(Connection{std::move(conn), {}}));
    }
  }
}

bool LokiPushReceiver::Drain(Connection& c) {
  for (;;) {
    const std::size_t head_end = c.buffer.find("\r\n\r\n");
    if (head_end == std::string::npos) {
      if (c.buffer.size() > kMaxHeadBytes) return Answer(c.fd.get(), 400, Reject("request head above 64 KiB"), true);
      return true;  // wait for more
    }
    const std::string_view head(c.buffer.data(), head_end + 2);
    if (StartsWithNoCase(Header(head, "transfer-encoding:"), "chunked")) {
      return Answer(c.fd.get(), 411, Reject("chunked bodies are not taken; send Content-Length"), true);
    }
    const std::string_view length_text = Header(head, "content-length:");
    char* end = nullptr;
    const std::string length_copy(length_text);
    const unsigned long long length = std::strtoull(length_copy.c_str(), &end, 10);
    if (!length_text.empty() && (end == length_copy.c_str() || *end != '\0')) {
      return Answer(c.fd.get(), 400, Reject("Content-Length is not a number"), true);
    }
    if (length > max_body_bytes_) {
      return Answer(c.fd.get(), 413, Reject("push body above " + std::to_string(max_body_bytes_) + " bytes"), true);
    }
    const std::size_t total = head_end + 4 + static_cast<std::size_t>(length);
    if (c.buffer.size() < total) return true;  // wait for the rest of the body
    std::string reason;
    const std::string_view body(c.buffer.data() + head_end + 4, static_cast<std::size_t>(length));
    const int status = Handle(head, body, reason);
    const bool close = StartsWithNoCase(Header(head, "connection:"), "close");
    c.buffer.erase(0, total);
    if (!Answer(c.fd.get(), status, reason, close) || close) return false;
  }
}

int LokiPushReceiver::Handle(std::string_view head, std::string_view body, std::string& reason) {
  ++requests_;
  const std::size_t line_end = head.find('\r');
  const std::string_view request_line = head.substr(0, line_end);
  if (request_line.rfind("POST ", 0) != 0 || request_line.substr(5).rfind(kPushPath, 0) != 0) {
    reason = Reject("only POST " + std::string(kPushPath) + " is served here, not '" + std::string(request_line) + "'");
    return 404;
  }
  const std::string_view type = Header(head, "content-type:");
  const std::string_view encoding = Header(head, "content-encoding:");
  if (!type.empty() && !StartsWithNoCase(type, "application/json")) {
    reason = Reject("Content-Type '" + std::string(type) +
                    "' is not taken: leakbench's receiver reads JSON pushes; configure the Loki client for JSON");
    return 415;
  }
  if (!encoding.empty() && !StartsWithNoCase(encoding, "identity")) {
    reason = Reject("Content-Encoding '" + std::string(encoding) + "' is not taken; send the JSON push uncompressed");
    return 415;
  }
  const nlohmann::json push = nlohmann::json::parse(body, nullptr, false);
  auto malformed = [&](const std::string& what) {
    reason = Reject("not a Loki JSON push: " + what);
    return 400;
  };
  if (push.is_discarded()) return malformed("the body is not JSON");
  if (!push.is_object() || !push.contains("streams") || !push["streams"].is_array()) {
    return malformed("no \"streams\" array");
  }
  // Validate the whole push before taking any line: a push is all or nothing.
  for (const auto& stream : push["streams"]) {
    if (!stream.is_object() || !stream.contains("values") || !stream["values"].is_array()) {
      return malformed("a stream without a \"values\" array");
    }
    for (const auto& value : stream["values"]) {
      if (!value.is_array() || value.size() < 2 || !value[0].is_string() || !value[1].is_string()) {
        return malformed("a value that is not [\"<ns timestamp>\", \"<line>\", ...]");
      }
    }
  }
  const int status = status_.load();
  if (status < 200 || status >= 300) {
    ++refused_;
    return status;
  }
  std::uint64_t taken = 0;
  for (const auto& stream : push["streams"]) {
    const std::string labels = stream.contains("stream") ? stream["stream"].dump() : "{}";
    for (const auto& value : stream["values"]) {
      sink_(labels, value[0].get_ref<const std::string&>(), value[1].get_ref<const std::string&>());
      ++taken;
    }
  }
  lines_ += taken;
  ++accepted_;
  return status;
}

std::string LokiPushReceiver::Reject(std::string reason) {
  ++rejected_;
  std::lock_guard lock(reason_mu_);
  last_rejection_ = reason;
  return reason;
}

bool LokiPushReceiver::Answer(int fd, int status, std::string_view reason, bool close) {
  const std::string body = reason.empty() ? "" : std::string(reason) + "\n";
  const std::string reply = "HTTP/1.1 " + std::to_string(status) + " " + StatusText(status) +
                            "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
                            (close ? "Connection: close\r\n" : "") + "\r\n" + body;
  std::size_t sent = 0;
  while (sent < reply.size()) {
    const ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return !close;
}

}  // namespace leakbench
