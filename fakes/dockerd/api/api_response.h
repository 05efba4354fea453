// The headers every dockerd response carries, and helpers that answer a
// request with a JSON document or a dockerd-style error ({"message": ...}).
// Lives on the connection's io_context thread.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/dockerd/api/daemon.h"
#include "fakes/dockerd/http/http_connection.h"

namespace fakedocker {

// Api-Version, Docker-Experimental, Ostype, Server.
HeaderList DockerHeaders(const DaemonConfig& config);

void RespondJson(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req, const DaemonConfig& config,
                 int status, const nlohmann::ordered_json& body);
void RespondError(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req, const DaemonConfig& config,
                  int status, const std::string& message);

}  // namespace fakedocker
