// One client connection to a fake's Unix socket: reads HTTP/1.1 requests
// with Beast's parser (bounded header and body sizes), hands each to the
// handler, and gives the handler primitives to answer: raw writes with a
// completion callback (so a slow client pauses the writer instead of growing
// a queue), end of response with keep-alive, graceful close, and reset.
// While a response is in progress the connection keeps one read pending so
// that a client hanging up is seen at once (dockerd notices it the same way).
// Lives on one io_context thread; not thread-safe.
#pragma once

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "fakes/dockerd/http/http_message.h"

namespace fakedocker {

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;
  using Handler = std::function<void(const std::shared_ptr<HttpConnection>&, HttpRequest)>;
  using ClosedHook = std::function<void(HttpConnection&)>;

  HttpConnection(Socket socket, uint64_t id, Handler handler, ClosedHook on_closed);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void Start();

  uint64_t id() const { return id_; }
  int peer_pid() const { return peer_pid_; }
  int peer_uid() const { return peer_uid_; }
  bool open() const { return open_; }
  // The socket's descriptor (for HangupWatch); -1 once closed.
  int native_handle() { return open_ ? socket_.native_handle() : -1; }
  boost::asio::any_io_executor executor() { return socket_.get_executor(); }

  // Writes bytes; `done(ok)` runs once they are all in the kernel (or failed).
  // One write at a time: call again from `done`.
  void Write(std::string data, std::function<void(bool ok)> done);
  // The current response is complete: read the next request or close.
  void EndResponse(bool keep_alive);
  // A complete non-streaming response in one call.
  void Respond(const ResponseHead& head, std::string body, bool keep_alive);

  // Called once if the connection closes while a response is in progress.
  void OnGone(std::function<void()> hook) { gone_hook_ = std::move(hook); }

  // If the client has already closed its end (EOF or reset waiting in the
  // socket, not yet seen by the pending read), handles it now, as the read
  // would: the response ends and the gone hook runs. Returns whether it did.
  bool SettleIfPeerClosed();

  void Close();  // FIN after what is written
  void Reset();  // RST: SO_LINGER 0, then close

 private:
  void ReadRequest();
  void OnRequest(boost::beast::error_code ec);
  void WatchPeer();
  void Shutdown();
  void BadRequest();

  Socket socket_;
  uint64_t id_;
  int peer_pid_ = 0;
  int peer_uid_ = -1;
  Handler handler_;
  ClosedHook on_closed_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  bool open_ = true;
  bool in_response_ = false;
  bool watching_ = false;
  bool resume_after_watch_ = false;
  bool keep_alive_after_watch_ = true;
  std::function<void()> gone_hook_;
};

}  // namespace fakedocker
