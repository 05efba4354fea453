// Follows the HTTP/1.1 conversation on one proxied connection from the
// bytes that pass each way (it sees them, it never changes them): request
// after request on a keep-alive connection, each response's end (length,
// chunked, none, or the connection's end), a switch to raw bytes after an
// upgrade (101) or a hijack (a body without length: attach, exec), and
// records every request and every /logs and /events stream in a
// ProxyRecord. What it cannot follow (a malformed message) stops the
// tracking of that connection, never the forwarding. Not thread-safe; one
// per connection.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "harness/proxy/body_framer.h"
#include "harness/proxy/docker_path.h"
#include "harness/proxy/http_head.h"
#include "harness/proxy/proxy_record.h"

namespace leakbench::proxy {

class HttpExchange {
 public:
  explicit HttpExchange(ProxyRecord& record);
  ~HttpExchange();  // ends whatever is still open as closed by the client
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  void FromClient(std::string_view bytes);
  void FromDaemon(std::string_view bytes);
  // The client's side ended (EOF or error): an open stream was closed by it.
  void ClientClosed();
  // The daemon's side ended: a body read until the end is complete, any
  // other open stream was cut by the daemon.
  void DaemonClosed();

  std::uint64_t connection() const { return connection_; }
  bool raw() const { return down_ == State::kRaw; }   // after an upgrade or a hijack
  bool lost() const { return !lost_reason_.empty(); }
  const std::string& lost_reason() const { return lost_reason_; }

 private:
  enum class State { kHead, kBody, kRaw, kLost };
  struct Pending {
    std::uint64_t request = 0;
    std::string method, target;
    DockerRequest what;
  };

  void StartResponseBody(const Pending& p, const HttpHead& head, bool no_body);
  void EndResponse(const char* reason);
  void Lose(const std::string& why);

  ProxyRecord& record_;
  std::uint64_t connection_;
  State up_ = State::kHead, down_ = State::kHead;
  std::string up_head_, down_head_;
  BodyFramer up_body_ = BodyFramer::None();
  BodyFramer down_body_ = BodyFramer::None();
  std::deque<Pending> pending_;
  bool responding_ = false;       // a response body is in progress for pending_.front()
  std::uint64_t stream_ = 0;      // its stream record, 0 if none
  std::uint64_t body_bytes_ = 0;
  bool closed_ = false;
  std::string lost_reason_;
};

}  // namespace leakbench::proxy
