// A tiny HTTP/1.1 server on 127.0.0.1 for tests of HTTP clients: answers each request with the next reply of a script (status and body, or no answer at all, so the client times out), and records what was asked.
// One thread; the destructor stops and joins it. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.h"

namespace leakbench::harness::testing {

class ScriptedHttpServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    bool hang = false;  // read the request, never answer: the client's timeout must end it
  };
  struct Request {
    std::string head;  // request line and headers
    std::string body;
  };

  // After the last reply the last one is repeated. Throws std::runtime_error
  // when it cannot listen.
  explicit ScriptedHttpServer(std::vector<Reply> script);
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Request> requests() const;

 private:
  void Serve();
  void Answer(UniqueFd conn);

  std::vector<Reply> script_;
  UniqueFd listen_fd_;
  UniqueFd stop_read_, stop_write_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<Request> requests_;
  std::vector<UniqueFd> hung_;  // connections held open without an answer
  std::thread thread_;
};

}  // namespace leakbench::harness::testing
