#include "fakes/dockerd/http/http_connection.h"

#include <sys/socket.h>

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <cctype>
#include <cerrno>

namespace fakedocker {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {
constexpr size_t kHeaderLimit = 1 << 20;  // Go's DefaultMaxHeaderBytes
constexpr size_t kBodyLimit = 1 << 20;
constexpr size_t kPipelineLimit = 1 << 20;
}  // namespace

HttpConnection::HttpConnection(Socket socket, uint64_t id, Handler handler, ClosedHook on_closed)
    : socket_(std::move(socket)), id_(id), handler_(std::move(handler)), on_closed_(std::move(on_closed)) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(socket_.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    peer_pid_ = cred.pid;
    peer_uid_ = static_cast<int>(cred.uid);
  }
}

HttpConnection::~HttpConnection() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void HttpConnection::Start() { ReadRequest(); }

void HttpConnection::ReadRequest() {
  if (!open_) return;
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(kBodyLimit);
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
}

void HttpConnection::OnRequest(beast::error_code ec) {
  if (!open_) return;
  if (ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
      ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted) {
    Shutdown();
    return;
  }
  if (ec) {  // malformed request: answer like net/http and hang up
    BadRequest();
    return;
  }
  auto& msg = parser_->get();
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.keep_alive = msg.keep_alive();
  for (const auto& field : msg) {
    std::string key(field.name_string());
    for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    req.headers.emplace(std::move(key), std::string(field.value()));
  }
  req.body = std::move(msg.body());
  if (!ParseTarget(req.target, &req.path, &req.query)) {
    BadRequest();
    return;
  }
  in_response_ = true;
  gone_hook_ = nullptr;
  WatchPeer();
  handler_(shared_from_this(), std::move(req));
}

void HttpConnection::BadRequest() {
  static const std::string kReply =
      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Connection: close\r\n\r\n400 Bad Request";
  in_response_ = true;
  Write(kReply, [self = shared_from_this()](bool) { self->Close(); });
}

void HttpConnection::WatchPeer() {
  if (watching_ || !open_) return;
  if (buffer_.size() > kPipelineLimit) return;  // stop reading a client that floods us
  watching_ = true;
  auto space = buffer_.prepare(4096);
  socket_.async_read_some(space, [self = shared_from_this()](boost::system::error_code ec, size_t n) {
    self->watching_ = false;
    if (!self->open_) return;
    if (ec) {  // EOF, reset or cancel: the client is gone
      self->Shutdown();
      return;
    }
    self->buffer_.commit(n);  // a pipelined request: keep it for the parser
    if (self->resume_after_watch_) {
      self->resume_after_watch_ = false;
      self->EndResponse(self->keep_alive_after_watch_);
    } else if (self->in_response_) {
      self->WatchPeer();
    }
  });
}

void HttpConnection::Write(std::string data, std::function<void(bool ok)> done) {
  if (!open_) {
    if (done) boost::asio::post(socket_.get_executor(), [done] { done(false); });
    return;
  }
  auto buf = std::make_shared<std::string>(std::move(data));
  boost::asio::async_write(socket_, boost::asio::buffer(*buf),
                           [self = shared_from_this(), buf, done = std::move(done)](boost::system::error_code ec, size_t) {
                             if (ec && self->open_) self->Shutdown();
                             if (done) done(!ec);
                           });
}

void HttpConnection::EndResponse(bool keep_alive) {
  if (!open_) return;
  in_response_ = false;
  gone_hook_ = nullptr;
  if (!keep_alive) {
    Close();
    return;
  }
  if (watching_) {  // the peer watch read is pending: continue when it completes
    resume_after_watch_ = true;
    keep_alive_after_watch_ = keep_alive;
    in_response_ = false;
    return;
  }
  ReadRequest();
}

void HttpConnection::Respond(const ResponseHead& head, std::string body, bool keep_alive) {
  ResponseHead h = head;
  h.close = !keep_alive;
  std::string out;
  if (body.size() > kGoChunkingThreshold) {  // as net/http does for large bodies
    h.chunked = true;
    out = FormatHead(h) + Chunk(body) + std::string(kLastChunk);
  } else {
    h.content_length = body.size();
    out = FormatHead(h) + body;
  }
  Write(std::move(out), [self = shared_from_this(), keep_alive](bool ok) {
    if (ok) self->EndResponse(keep_alive);
  });
}

void HttpConnection::Close() {
  if (!open_) return;
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_send, ignored);
  Shutdown();
}

void HttpConnection::Reset() {
  if (!open_) return;
  linger l{1, 0};
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  Shutdown();
}

bool HttpConnection::SettleIfPeerClosed() {
  if (!open_) return false;
  char byte = 0;
  const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  const bool gone = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
  if (gone) Shutdown();
  return gone;
}

void HttpConnection::Shutdown() {
  if (!open_) return;
  open_ = false;
  boost::system::error_code ignored;
  socket_.cancel(ignored);
  socket_.close(ignored);
  auto hook = std::move(gone_hook_);
  gone_hook_ = nullptr;
  if (hook && in_response_) hook();
  if (on_closed_) on_closed_(*this);
}

}  // namespace fakedocker
