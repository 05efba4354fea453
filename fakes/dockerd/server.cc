#include "fakes/dockerd/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace fakedocker {
namespace {

// True when something accepts connections at `path` (a live daemon).
bool SomeoneListens(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return live;
}

}  // namespace

UnixListener::UnixListener(boost::asio::io_context& io, std::string path, OnAccept on_accept)
    : io_(io), path_(std::move(path)), on_accept_(std::move(on_accept)) {}

UnixListener::~UnixListener() { Close(); }

void UnixListener::Open() {
  if (path_.size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw ListenError("socket path " + path_ + " is longer than " + std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                      " bytes; choose a shorter path");
  }
  struct stat st{};
  if (::lstat(path_.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      throw ListenError(path_ + " exists and is not a socket; refusing to replace it (remove it or choose another path)");
    }
    if (SomeoneListens(path_)) {
      throw ListenError(path_ + " is in use by a running daemon; stop it or choose another path");
    }
    if (::unlink(path_.c_str()) != 0) {
      throw ListenError("cannot remove stale socket " + path_ + ": " + std::strerror(errno));
    }
  }
  // Create the socket file 0600 from the start: no window where others may connect.
  mode_t old = ::umask(0177);
  try {
    acceptor_.emplace(io_, boost::asio::local::stream_protocol::endpoint(path_));
  } catch (const boost::system::system_error& e) {
    ::umask(old);
    acceptor_.reset();
    throw ListenError("cannot listen on " + path_ + ": " + e.code().message() + " (does its directory exist and is it writable?)");
  }
  ::umask(old);
  ::chmod(path_.c_str(), 0600);
  Accept();
}

void UnixListener::Accept() {
  if (!acceptor_) return;
  acceptor_->async_accept([this](boost::system::error_code ec, HttpConnection::Socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_) return;
    if (!ec) {
      on_accept_(std::move(socket));
    } else if (ec == boost::asio::error::no_descriptors) {
      std::fprintf(stderr, "fake-dockerd: accept on %s: out of file descriptors (raise `ulimit -n`)\n", path_.c_str());
    }
    Accept();
  });
}

void UnixListener::Close() {
  if (!acceptor_) return;
  boost::system::error_code ignored;
  acceptor_->close(ignored);
  acceptor_.reset();
  ::unlink(path_.c_str());
}

Server::Server(boost::asio::io_context& io, Daemon& daemon, std::string api_socket, std::string control_socket)
    : io_(io),
      daemon_(daemon),
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
