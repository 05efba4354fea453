// Small synchronous HTTP calls for the harness (libcurl easy): the fake's
// control API over its Unix socket, and the target's /metrics over TCP.
// Each call owns its handle; thread-safe once curl_global_init has run.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace leakbench::harness {

struct HttpResult {
  long status = 0;     // 0: no answer (see error)
  std::string body;
  std::string error;
  bool ok() const { return status >= 200 && status < 300; }
};

// method GET/POST/DELETE; unix_socket "" for TCP; body sent as JSON if not empty.
HttpResult HttpCall(const std::string& method, const std::string& url, const std::string& unix_socket,
                    const std::string& body = "", std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The fake's control API: parsed JSON, or throws std::runtime_error with
// the status and body.
nlohmann::json FakeControl(const std::string& control_socket, const std::string& method, const std::string& path,
                           const nlohmann::json& body = nullptr);

}  // namespace leakbench::harness
