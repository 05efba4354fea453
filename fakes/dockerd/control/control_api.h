// The fake's control and truth API, JSON over HTTP on its own Unix socket:
// what drivers use to change the world (POST /actions, /faults) and what
// tests and the harness read as ground truth (/truth, /streams, /containers,
// /containers/{ref}/lines, /connections, /refused). Documented in
// fakes/README.md. Lives on the daemon's io_context thread; not thread-safe.
#pragma once

#include <memory>

#include "fakes/dockerd/api/daemon.h"
#include "fakes/dockerd/control/actions.h"
#include "fakes/dockerd/http/http_connection.h"

namespace fakedocker {

class ControlApi {
 public:
  ControlApi(Daemon& daemon, Actions& actions) : daemon_(daemon), actions_(actions) {}
  void Handle(const std::shared_ptr<HttpConnection>& conn, HttpRequest req);

 private:
  nlohmann::json Route(const HttpRequest& req, int* status);
  nlohmann::json Containers() const;
  nlohmann::json Lines(const std::string& ref, const HttpRequest& req, int* status) const;

  Daemon& daemon_;
  Actions& actions_;
};

}  // namespace fakedocker
