// A small Docker Engine API client over the daemon's Unix socket (libcurl),
// for what leakbench does on a real daemon: ping, version and info, images
// (inspect, import), containers (create, start, stop, kill, rename, remove,
// list by label, inspect) and a container's stored logs. Every failure is
// a DockerApiError naming the request, the status and the daemon's
// message. One handle per call; thread-safe once curl_global_init has run.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakbench::harness {

class DockerApiError : public std::runtime_error {
 public:
  DockerApiError(const std::string& what, long status) : std::runtime_error(what), status_(status) {}
  long status() const { return status_; }  // 0: no answer

 private:
  long status_;
};

struct DockerReply {
  long status = 0;
  std::string body;
};

class DockerClient {
 public:
  // `host`: "unix:///path/docker.sock" or a path.
  explicit DockerClient(std::string host);
  const std::string& socket_path() const { return socket_; }

  // One request; throws DockerApiError when there is no answer. The status
  // is the caller's to judge.
  DockerReply Call(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::string& content_type = "application/json",
                   std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // The same, and throws unless the status is 2xx (or one of `also_ok`).
  DockerReply Expect(const std::string& method, const std::string& path, const std::string& body = "",
                     std::vector<long> also_ok = {}, std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // POST with a file as the body (an image import).
  DockerReply PostFile(const std::string& path, const std::string& file, const std::string& content_type,
                       std::chrono::milliseconds timeout) const;

  bool Ping() const;
  nlohmann::json Json(const std::string& path) const;  // GET, 200, JSON

  std::string CreateContainer(const std::string& name, const nlohmann::json& config) const;  // the id
  void Start(const std::string& id) const;
  void Stop(const std::string& id, int timeout_s) const;
  void Kill(const std::string& id, const std::string& signal) const;
  void Rename(const std::string& id, const std::string& name) const;
  void Remove(const std::string& id) const;  // force, volumes; a missing one is fine
  // Full ids of every container (running or not) carrying label `key=value`.
  std::vector<std::string> ListByLabel(const std::string& key, const std::string& value) const;
  // The stored log (no follow): stdout and stderr, with timestamps.
  std::string Logs(const std::string& id) const;

 private:
  std::string socket_;
};

}  // namespace leakbench::harness
