#include "fakes/dockerd/control/server.h"

#include <sys/socket.h>

#include <cstdio>

namespace fakedocker {

Server::Server(boost::asio::io_context& io, Daemon& daemon, std::string api_socket, std::string control_socket)
    : daemon_(daemon),
      actions_(daemon, [this](std::chrono::nanoseconds down) { RestartApi(down); }),
      docker_api_(daemon),
      control_api_(daemon, actions_),
      api_listener_(io, std::move(api_socket), [this](HttpConnection::Socket s) { Adopt(std::move(s), "api"); }),
      restart_timer_(io) {
  if (!control_socket.empty()) {
    control_listener_.emplace(io, std::move(control_socket),
                              [this](HttpConnection::Socket s) { Adopt(std::move(s), "control"); });
  }
}

void Server::Start() {
  api_listener_.Open();
  if (control_listener_) control_listener_->Open();
}

void Server::Adopt(HttpConnection::Socket socket, const std::string& kind) {
  const bool api = kind == "api";
  // The connection's id comes from the truth so streams can name their client.
  ucred cred{};
  socklen_t len = sizeof cred;
  getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len);
  uint64_t id = daemon_.truth().OpenConnection(cred.pid, static_cast<int>(cred.uid), kind);
  auto handler = api ? HttpConnection::Handler([this](const auto& c, HttpRequest r) { docker_api_.Handle(c, std::move(r)); })
                     : HttpConnection::Handler([this](const auto& c, HttpRequest r) { control_api_.Handle(c, std::move(r)); });
  auto conn = std::make_shared<HttpConnection>(std::move(socket), id, std::move(handler), [this, api](HttpConnection& c) {
    daemon_.truth().CloseConnection(c.id());
    (api ? api_connections_ : control_connections_).erase(c.id());
  });
  (api ? api_connections_ : control_connections_)[id] = conn;
  conn->Start();
}

void Server::RestartApi(std::chrono::nanoseconds down) {
  std::fprintf(stderr, "fake-dockerd: restarting: API down for %.3fs\n", static_cast<double>(down.count()) / 1e9);
  daemon_.truth().CountRestart();
  daemon_.events().ForgetRecent();
  api_listener_.Close();
  daemon_.AbortAllStreams("daemon_restart");
  auto conns = api_connections_;
  for (auto& [id, weak] : conns) {
    if (auto c = weak.lock()) c->Close();
  }
  restart_timer_.expires_after(down);
  restart_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    try {
      api_listener_.Open();
      std::fprintf(stderr, "fake-dockerd: restarted: API up again\n");
    } catch (const ListenError& e) {
      std::fprintf(stderr, "fake-dockerd: restart failed: %s\n", e.what());
    }
  });
}

void Server::StopListening() {
  restart_timer_.cancel();
  api_listener_.Close();
  if (control_listener_) control_listener_->Close();
}

void Server::Stop() {
  restart_timer_.cancel();
  api_listener_.Close();
  if (control_listener_) control_listener_->Close();
  for (auto* set : {&api_connections_, &control_connections_}) {
    auto conns = *set;
    for (auto& [id, weak] : conns) {
      if (auto c = weak.lock()) c->Close();
    }
  }
}

}  // namespace fakedocker
