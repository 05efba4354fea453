// A minimal Loki push endpoint for process tests: accepts POST
// /loki/api/v1/push on 127.0.0.1 (ephemeral port), answers every request
// with the status set by set_status() (204 by default), and keeps the log
// lines of the pushes it accepted with a 2xx. One thread serves one
// connection at a time (keep-alive honoured); the destructor stops and joins
// it. Thread-safe: status and lines may be read and set from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.h"

namespace logcap::testing {

class LokiReceiver {
 public:
  LokiReceiver();
  ~LokiReceiver();
  LokiReceiver(const LokiReceiver&) = delete;
  LokiReceiver& operator=(const LokiReceiver&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set_status(int status) { status_.store(status); }
  // Lines of the accepted pushes, in arrival order.
  std::vector<std::string> lines() const;
  std::uint64_t requests() const { return requests_.load(); }
  // Pushes whose body was not the JSON Loki expects.
  std::uint64_t malformed() const { return malformed_.load(); }

 private:
  void Serve();
  void ServeConnection(int fd);
  bool Handle(const std::string& head, const std::string& body, int fd);

  leakbench::UniqueFd listen_;
  leakbench::UniqueFd stop_;  // eventfd
  int port_ = 0;
  std::atomic<int> status_{204};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> malformed_{0};
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  std::thread thread_;
};

// A 127.0.0.1 port with nothing listening on it (bound, then closed).
int UnusedLoopbackPort();

}  // namespace logcap::testing
