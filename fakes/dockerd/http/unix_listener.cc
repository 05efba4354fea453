#include "fakes/dockerd/http/unix_listener.h"

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

}  // namespace fakedocker
