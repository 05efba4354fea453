#include "core/tests/support/tcp_unix_proxy.h"

#include <array>

namespace logcap::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using unix_socket = asio::local::stream_protocol::socket;

// One proxied connection: two pumps sharing the pair of sockets; when
// either side ends, both are closed.
struct Pair : std::enable_shared_from_this<Pair> {
  Pair(tcp::socket t, unix_socket u) : tcp_side(std::move(t)), unix_side(std::move(u)) {}
  tcp::socket tcp_side;
  unix_socket unix_side;
  std::array<char, 16384> up{};
  std::array<char, 16384> down{};

  void Close() {
    boost::system::error_code ignored;
    tcp_side.close(ignored);
    unix_side.close(ignored);
  }
  template <typename From, typename To>
  void Pump(From& from, To& to, std::array<char, 16384>& buf) {
    from.async_read_some(asio::buffer(buf), [self = shared_from_this(), &from, &to, &buf](
                                                boost::system::error_code ec, std::size_t n) {
      if (ec) return self->Close();
      asio::async_write(to, asio::buffer(buf.data(), n),
                        [self, &from, &to, &buf](boost::system::error_code wec, std::size_t) {
                          if (wec) return self->Close();
                          self->Pump(from, to, buf);
                        });
    });
  }
  void Start() {
    Pump(tcp_side, unix_side, up);
    Pump(unix_side, tcp_side, down);
  }
};

}  // namespace

TcpUnixProxy::TcpUnixProxy(std::string unix_path)
    : unix_path_(std::move(unix_path)), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  Accept();
  thread_ = std::thread([this] { io_.run(); });
}

TcpUnixProxy::~TcpUnixProxy() {
  io_.stop();
  thread_.join();
}

void TcpUnixProxy::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    unix_socket upstream(io_);
    boost::system::error_code cec;
    upstream.connect(asio::local::stream_protocol::endpoint(unix_path_), cec);
    if (!cec) std::make_shared<Pair>(std::move(socket), std::move(upstream))->Start();
    Accept();
  });
}

}  // namespace logcap::testing
