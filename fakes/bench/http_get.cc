#include "fakes/bench/http_get.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <memory>
#include <utility>

#include "fakes/client/chunk_decoder.h"
#include "fakes/bench/http_head.h"

namespace followload {

using fakedocker::ChunkDecoder;

namespace asio = boost::asio;
using Proto = asio::local::stream_protocol;

HttpResult DecodeResponse(std::string_view raw) {
  HttpResult r;
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    r.error = "response has no complete head (" + std::to_string(raw.size()) + " bytes)";
    return r;
  }
  HttpHead head = ParseHead(raw.substr(0, end));
  r.status = head.status;
  r.headers = std::move(head.headers);
  if (!head.error.empty()) {
    r.error = std::move(head.error);
    return r;
  }
  std::string_view body = raw.substr(end + 4);
  if (IsChunked(r.headers)) {
    ChunkDecoder d;
    if (d.Feed(body, [&](std::string_view piece) { r.body.append(piece); }) != ChunkDecoder::Status::kDone) {
      r.error = "chunked body: " + (d.error().empty() ? std::string("ends before the last chunk") : d.error());
    }
    return r;
  }
  auto cl = r.headers.find("content-length");
  if (cl != r.headers.end()) {
    size_t n = 0;
    std::from_chars(cl->second.data(), cl->second.data() + cl->second.size(), n);
    if (body.size() < n) {
      r.error = "body shorter than Content-Length";
      return r;
    }
    body = body.substr(0, n);
  }
  r.body = std::string(body);
  return r;
}

namespace {

// One request in flight; it keeps itself alive through its handlers.
class OneShot : public std::enable_shared_from_this<OneShot> {
 public:
  OneShot(asio::io_context& io, std::function<void(HttpResult)> done)
      : socket_(io), timer_(io), done_(std::move(done)) {}

  void Start(const std::string& socket_path, const std::string& target, std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    request_ = "GET " + target + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: leakbench-follow-load\r\n" +
               "Connection: close\r\n\r\n";
    timer_.expires_after(timeout);
    timer_.async_wait([self](boost::system::error_code ec) {
      if (!ec) self->Finish("timed out", true);
    });
    socket_.async_connect(Proto::endpoint(socket_path), [self, socket_path](boost::system::error_code ec) {
      if (ec) return self->Finish("connect " + socket_path + ": " + ec.message(), false);
      asio::async_write(self->socket_, asio::buffer(self->request_), [self](boost::system::error_code wec, size_t) {
        if (wec) return self->Finish("write: " + wec.message(), false);
        asio::async_read(self->socket_, asio::dynamic_buffer(self->raw_, 256u << 20),
                         [self](boost::system::error_code rec, size_t) {
                           if (rec && rec != asio::error::eof) return self->Finish("read: " + rec.message(), false);
                           self->Finish("", false);
                         });
      });
    });
  }

 private:
  void Finish(const std::string& error, bool timed_out) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    HttpResult r;
    r.error = timed_out ? "timed out" : error;
    if (r.error.empty()) r = DecodeResponse(raw_);
    auto done = std::move(done_);
    done(std::move(r));
  }

  Proto::socket socket_;
  asio::steady_timer timer_;
  std::function<void(HttpResult)> done_;
  std::string request_;
  std::string raw_;
  bool finished_ = false;
};

}  // namespace

void HttpGet(asio::io_context& io, const std::string& socket_path, const std::string& target,
             std::function<void(HttpResult)> done, std::chrono::milliseconds timeout) {
  std::make_shared<OneShot>(io, std::move(done))->Start(socket_path, target, timeout);
}

}  // namespace followload
