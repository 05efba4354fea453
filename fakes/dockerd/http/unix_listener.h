// A listening Unix socket for one of the fake's servers: replaces a stale
// socket file but refuses a live one or a file that is not a socket, creates
// it with mode 0600, hands each accepted connection on, and removes the file
// when closed. Lives on one io_context thread; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "fakes/dockerd/http/http_connection.h"

namespace fakedocker {

// Thrown when a socket cannot be set up; what() says why and what to do.
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class UnixListener {
 public:
  using Acceptor = boost::asio::local::stream_protocol::acceptor;
  using OnAccept = std::function<void(HttpConnection::Socket)>;

  UnixListener(boost::asio::io_context& io, std::string path, OnAccept on_accept);
  ~UnixListener();

  void Open();   // throws ListenError
  void Close();  // stops accepting and removes the socket file
  bool is_open() const { return acceptor_.has_value(); }
  const std::string& path() const { return path_; }

 private:
  void Accept();

  boost::asio::io_context& io_;
  std::string path_;
  OnAccept on_accept_;
  std::optional<Acceptor> acceptor_;
};

}  // namespace fakedocker
