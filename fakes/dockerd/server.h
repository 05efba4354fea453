// The fake's two Unix-socket servers — the Docker API and the control API —
// on one io_context. Owns the listening sockets (stale files removed, mode
// 0600) and the open connections, and performs a daemon restart: every API
// connection closed, the socket gone for a while, then back with the same
// containers and histories. Lives on one io_context thread; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "fakes/dockerd/actions.h"
#include "fakes/dockerd/control_api.h"
#include "fakes/dockerd/daemon.h"
#include "fakes/dockerd/docker_api.h"
#include "fakes/dockerd/http_connection.h"

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

class Server {
 public:
  Server(boost::asio::io_context& io, Daemon& daemon, std::string api_socket, std::string control_socket);

  void Start();  // throws ListenError
  void StopListening();  // closes both listeners (removing the socket files)
  void Stop();           // closes listeners and every connection
  // Closes the API socket and its connections for `down`, then reopens it.
  void RestartApi(std::chrono::nanoseconds down);
  Actions& actions() { return actions_; }
  bool api_up() const { return api_listener_.is_open(); }

 private:
  void Adopt(HttpConnection::Socket socket, const std::string& kind);

  boost::asio::io_context& io_;
  Daemon& daemon_;
  Actions actions_;
  DockerApi docker_api_;
  ControlApi control_api_;
  UnixListener api_listener_;
  std::optional<UnixListener> control_listener_;
  boost::asio::steady_timer restart_timer_;
  std::map<uint64_t, std::weak_ptr<HttpConnection>> api_connections_;
  std::map<uint64_t, std::weak_ptr<HttpConnection>> control_connections_;
};

}  // namespace fakedocker
