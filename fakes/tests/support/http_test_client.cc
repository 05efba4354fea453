#include "fakes/tests/support/http_test_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "fakes/client/frame_decoder.h"
#include "fakes/client/text.h"

namespace leakbench::testing {

using fakedocker::Lower;

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
  chunks_ = fakedocker::ChunkDecoder();
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
  if (body_done_) return added;
  size_t used = 0;
  auto status = chunks_.Feed(
      buf_,
      [&](std::string_view piece) {
        r->body.append(piece);
        added += piece.size();
      },
      &used);
  buf_.erase(0, used);  // after the last chunk: the next response's bytes stay
  if (status == fakedocker::ChunkDecoder::Status::kError) {
    throw std::runtime_error("chunked body: " + chunks_.error());
  }
  if (status == fakedocker::ChunkDecoder::Status::kDone) body_done_ = r->complete = true;
  return added;
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
  std::string payload;
  size_t whole = 0;  // bytes of the whole frames
  fakedocker::FrameDecoder decoder(fakedocker::FrameDecoder::HeaderCheck::kNone);
  decoder.Feed(
      body, [&](uint8_t, std::string_view piece, bool) { payload.append(piece); },
      [&](uint8_t stream) {
        whole += 8 + payload.size();
        frames.push_back({stream, std::exchange(payload, std::string())});
      });
  if (consumed) *consumed = whole;
  return frames;
}

uint64_t SeqOf(const std::string& line) {
  size_t p = line.find(" seq=");
  if (p == std::string::npos) return 0;
  return std::stoull(line.substr(p + 5));
}

}  // namespace leakbench::testing
