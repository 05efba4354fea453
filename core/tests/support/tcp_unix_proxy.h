// Forwards TCP connections on 127.0.0.1:<ephemeral port> to a Unix socket,
// byte for byte in both directions, so the engine's tcp:// path can be
// tested against the fake (which listens on Unix sockets only). Runs its own
// io_context thread; the destructor stops and joins it.
#pragma once

#include <boost/asio.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace logcap::testing {

class TcpUnixProxy {
 public:
  explicit TcpUnixProxy(std::string unix_path);
  ~TcpUnixProxy();
  TcpUnixProxy(const TcpUnixProxy&) = delete;
  TcpUnixProxy& operator=(const TcpUnixProxy&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  void Accept();

  std::string unix_path_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace logcap::testing
