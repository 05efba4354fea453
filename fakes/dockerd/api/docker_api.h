// The Docker Engine API subset a log follower uses, answered the way dockerd
// 20.10 (API 1.41) answers it: version prefix handling, /_ping, /version,
// /info, /containers/json, /containers/{id}/json, /containers/{id}/logs and
// /events. Everything else is refused as dockerd would refuse it and counted
// in the truth. Lives on the daemon's io_context thread; not thread-safe.
#pragma once

#include <memory>

#include "fakes/dockerd/api/daemon.h"
#include "fakes/dockerd/http/http_connection.h"

namespace fakedocker {

class DockerApi {
 public:
  explicit DockerApi(Daemon& daemon) : daemon_(daemon) {}
  void Handle(const std::shared_ptr<HttpConnection>& conn, HttpRequest req);

 private:
  void Ping(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req);
  void ListContainers(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req);
  void Inspect(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req, const std::string& ref);
  void Logs(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req, const std::string& ref);
  void Events(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req);
  void Refuse(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req, int status,
              const std::string& message, const std::string& reason);
  // Answers an http_500/http_503 fault if one is drawn; true when it did.
  bool InjectHttpError(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req,
                       std::vector<FaultSpec>* faults);

  Daemon& daemon_;
};

// moby's httputils.BoolValue: anything but "", "0", "no", "false", "none".
bool BoolParam(const HttpRequest& req, const std::string& key);

}  // namespace fakedocker
