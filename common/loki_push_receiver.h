// A small Loki push endpoint (POST /loki/api/v1/push, JSON body) on
// 127.0.0.1 that hands every pushed log line to a callback: leakbench's
// receiver for followers that ship to Loki, and the engine tests' Loki.
//
// One thread serves up to 64 connections at once (keep-alive honoured);
// the destructor stops and joins it. Every push is answered: 204 when its
// lines were taken, 400 for a body that is not Loki's JSON push, 413 above
// the body limit, 415 for protobuf/snappy or a compressed body (what to
// configure is in the reply), 404 for another path, and the status set with
// set_status() (e.g. 500 or 429, to play a failing Loki) without taking the
// lines. Lines are delivered in arrival order, on the server thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/unique_fd.h"

namespace leakbench {

class LokiPushReceiver {
 public:
  // Called once per line of an accepted push: the stream's labels as JSON
  // text, the line's timestamp (ns, as sent) and the line.
  using LineSink = std::function<void(std::string_view labels, std::string_view timestamp, std::string_view line)>;

  struct Stats {
    std::uint64_t requests = 0;  // complete requests answered
    std::uint64_t accepted = 0;  // pushes whose lines were taken
    std::uint64_t lines = 0;     // lines taken
    std::uint64_t rejected = 0;  // answered 4xx (malformed, unsupported, too large, wrong path)
    std::uint64_t refused = 0;   // answered with the set_status() failure
  };

  // Throws std::runtime_error when it cannot listen on 127.0.0.1.
  explicit LokiPushReceiver(LineSink sink, std::size_t max_body_bytes = 64u << 20);
  ~LokiPushReceiver();
  LokiPushReceiver(const LokiPushReceiver&) = delete;
  LokiPushReceiver& operator=(const LokiPushReceiver&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" (append /loki/api/v1/push for the push URL).
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The answer to well-formed pushes from now on: 2xx takes the lines,
  // anything else refuses them with that status.
  void set_status(int status) { status_.store(status); }
  Stats stats() const;
  // The last 4xx answer's reason ("" if none): what a user needs to fix.
  std::string last_rejection() const;

 private:
  struct Connection;
  void Serve();
  // Handles every complete request in the connection's buffer; false when
  // the connection is to be closed.
  bool Drain(Connection& c);
  bool Answer(int fd, int status, std::string_view reason, bool close);
  int Handle(std::string_view head, std::string_view body, std::string& reason);
  // Counts a 4xx answer and keeps its reason; returns the reason.
  std::string Reject(std::string reason);

  LineSink sink_;
  std::size_t max_body_bytes_;
  UniqueFd listen_;
  UniqueFd stop_;  // eventfd
  int port_ = 0;
  std::atomic<int> status_{204};
  std::atomic<std::uint64_t> requests_{0}, accepted_{0}, lines_{0}, rejected_{0}, refused_{0};
  mutable std::mutex reason_mu_;
  std::string last_rejection_;
  std::thread thread_;
};

// A 127.0.0.1 port with nothing listening on it (bound, then closed).
int UnusedLoopbackPort();

}  // namespace leakbench
