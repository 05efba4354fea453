#include "fakes/tests/support/http_test_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace leakbench::testing {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (Lower(k) == Lower(name)) return v;
  }
  return "";
}

HttpTestClient::HttpTestClient(const std::string& socket_path) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

HttpTestClient::~HttpTestClient() { Close(); }

void HttpTestClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void HttpTestClient::SendRaw(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
}

bool HttpTestClient::Fill(std::chrono::steady_clock::time_point deadline, HttpResponse* r) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r->timed_out = true;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      r->timed_out = true;
      return false;
    }
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (errno == ECONNRESET) r->reset = true;
      r->eof = true;
      return false;
    }
    if (n == 0) {
      r->eof = true;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
}

bool HttpTestClient::ReadHead(HttpResponse* r, std::chrono::steady_clock::time_point deadline) {
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline, r)) return false;
  }
  r->head = buf_.substr(0, end + 4);
  buf_.erase(0, end + 4);
  size_t line_end = r->head.find("\r\n");
  r->status_line = r->head.substr(0, line_end);
  if (r->status_line.size() >= 12) r->status = std::stoi(r->status_line.substr(9, 3));
  size_t pos = line_end + 2;
  while (pos < r->head.size() - 2) {
    size_t e = r->head.find("\r\n", pos);
    std::string line = r->head.substr(pos, e - pos);
    size_t colon = line.find(':');
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r->headers.emplace_back(line.substr(0, colon), value);
    pos = e + 2;
  }
  r->chunked = Lower(r->Header("Transfer-Encoding")) == "chunked";
  content_length_.reset();
  if (!r->Header("Content-Length").empty()) content_length_ = std::stoul(r->Header("Content-Length"));
  body_read_ = 0;
  chunk_left_ = 0;
  in_chunk_ = false;
  body_done_ = false;
  return true;
}

size_t HttpTestClient::DecodeBody(HttpResponse* r) {
  size_t added = 0;
  if (!r->chunked) {
    size_t want = content_length_ ? *content_length_ - body_read_ : buf_.size();
    size_t n = std::min(want, buf_.size());
    r->body.append(buf_, 0, n);
    buf_.erase(0, n);
    body_read_ += n;
    added += n;
    if (content_length_ && body_read_ == *content_length_) body_done_ = r->complete = true;
    return added;
  }
  for (;;) {
    if (in_chunk_) {
      size_t n = std::min(chunk_left_, buf_.size());
      r->body.append(buf_, 0, n);
      buf_.erase(0, n);
      chunk_left_ -= n;
      added += n;
      if (chunk_left_ > 0) return added;
      if (buf_.size() < 2) return added;
      buf_.erase(0, 2);  // CRLF after the chunk data
      in_chunk_ = false;
    }
    size_t eol = buf_.find("\r\n");
    if (eol == std::string::npos) return added;
    size_t len = std::stoul(buf_.substr(0, eol), nullptr, 16);
    if (len == 0) {
      if (buf_.size() < eol + 4) return added;  // "0\r\n\r\n"
      buf_.erase(0, eol + 4);
      body_done_ = r->complete = true;
      return added;
    }
    buf_.erase(0, eol + 2);
    chunk_left_ = len;
    in_chunk_ = true;
  }
}

HttpResponse HttpTestClient::Open(const std::string& method, const std::string& target,
                                  std::chrono::milliseconds deadline) {
  HttpResponse r;
  if (fd_ < 0) {
    r.eof = true;
    return r;
  }
  SendRaw(method + " " + target + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: leakbench-test\r\n\r\n");
  ReadHead(&r, std::chrono::steady_clock::now() + deadline);
  if (r.status != 0) DecodeBody(&r);
  return r;
}

size_t HttpTestClient::Read(HttpResponse* r, size_t min_bytes, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  size_t added = DecodeBody(r);
  while (added < min_bytes && !body_done_) {
    if (!Fill(until, r)) break;
    added += DecodeBody(r);
  }
  return added;
}

void HttpTestClient::ReadToEnd(HttpResponse* r, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  DecodeBody(r);
  while (!body_done_) {
    if (!Fill(until, r)) break;
    DecodeBody(r);
  }
}

HttpResponse HttpTestClient::Request(const std::string& method, const std::string& target, const std::string& body,
                                     std::chrono::milliseconds deadline) {
  HttpResponse r;
  if (fd_ < 0) {
    r.eof = true;
    return r;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: leakbench-test\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  SendRaw(req);
  auto until = std::chrono::steady_clock::now() + deadline;
  if (!ReadHead(&r, until)) return r;
  if (method == "HEAD" || r.status == 204 || r.status == 304) {
    r.complete = true;
    return r;
  }
  ReadToEnd(&r, std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()));
  return r;
}

std::vector<Frame> Demux(const std::string& body, size_t* consumed) {
  std::vector<Frame> frames;
  size_t pos = 0;
  while (body.size() - pos >= 8) {
    auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(body[pos + i])); };
    uint32_t len = (b(4) << 24) | (b(5) << 16) | (b(6) << 8) | b(7);
    if (body.size() - pos - 8 < len) break;
    frames.push_back({static_cast<uint8_t>(body[pos]), body.substr(pos + 8, len)});
    pos += 8 + len;
  }
  if (consumed) *consumed = pos;
  return frames;
}

uint64_t SeqOf(const std::string& line) {
  size_t p = line.find(" seq=");
  if (p == std::string::npos) return 0;
  return std::stoull(line.substr(p + 5));
}

}  // namespace leakbench::testing
