// The counting proxy's event loop: listens on a Unix socket in place of the
// Docker daemon's, connects each client to the daemon's socket and forwards
// bytes both ways unchanged (keep-alive, chunked and raw bodies, upgrades
// and hijacks, half-closes), one epoll loop for every connection, with
// bounded buffers (a slow reader slows its writer, never memory). Every
// connection's HTTP is followed on the side (http_exchange.h) into a
// ProxyRecord, which a second socket answers questions about
// (control_answer.h). Run() on one thread; Stop() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/unique_fd.h"
#include "harness/proxy/proxy_record.h"

namespace leakbench::proxy {

class ProxyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ProxyOptions {
  std::string listen_path;    // the socket the follower gets as DOCKER_HOST
  std::string upstream_path;  // the daemon's socket
  std::string control_path;   // "" = no control socket
  std::size_t buffer_limit = 1 << 20;  // per direction and connection
};

class ProxyServer {
 public:
  // Binds both sockets (a stale socket file at either path is replaced;
  // anything else there is an error). Throws ProxyError naming the path.
  ProxyServer(ProxyOptions options, ProxyRecord& record);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // Serves until Stop(); then closes every connection.
  void Run();
  void Stop();
  std::size_t connections() const { return connection_count_.load(); }

 private:
  struct Pair;
  struct Control;

  void Accept();
  void AcceptControl();
  void OnPair(std::uint64_t id, bool client_side, std::uint32_t events);
  void OnControl(std::uint64_t id, std::uint32_t events);
  // Moves bytes from one side to the other; false when the pair is done.
  bool Pump(Pair& p, bool from_client);
  bool Flush(Pair& p, bool to_client);
  void Rearm(Pair& p);
  void ClosePair(std::uint64_t id);

  ProxyOptions options_;
  ProxyRecord& record_;
  UniqueFd epoll_, listen_, control_, wake_;
  std::map<std::uint64_t, std::unique_ptr<Pair>> pairs_;
  std::map<std::uint64_t, std::unique_ptr<Control>> controls_;
  std::uint64_t next_id_ = 1;
  std::atomic<std::size_t> connection_count_{0};
};

}  // namespace leakbench::proxy
