// The fake's two Unix-socket servers — the Docker API and the control API —
// on one io_context. Owns the listening sockets (stale files removed, mode
// 0600) and the open connections, and performs a daemon restart: every API
// connection closed, the socket gone for a while, then back with the same
// containers and histories. Lives on one io_context thread; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "fakes/dockerd/api/daemon.h"
#include "fakes/dockerd/api/docker_api.h"
#include "fakes/dockerd/control/actions.h"
#include "fakes/dockerd/control/control_api.h"
#include "fakes/dockerd/http/http_connection.h"
#include "fakes/dockerd/http/unix_listener.h"

namespace fakedocker {

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
