#include "fakes/dockerd/api/api_response.h"

namespace fakedocker {

HeaderList DockerHeaders(const DaemonConfig& config) {
  return {{"Api-Version", config.api_version},
          {"Docker-Experimental", "false"},
          {"Ostype", "linux"},
          {"Server", "Docker/" + config.engine_version + " (linux)"}};
}

void RespondJson(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req, const DaemonConfig& config,
                 int status, const nlohmann::ordered_json& body) {
  ResponseHead head;
  head.status = status;
  head.headers = DockerHeaders(config);
  head.headers.emplace_back("Content-Type", "application/json");
  std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  conn->Respond(head, req.method == "HEAD" ? std::string() : std::move(text), req.keep_alive);
}

void RespondError(const std::shared_ptr<HttpConnection>& conn, const HttpRequest& req, const DaemonConfig& config,
                  int status, const std::string& message) {
  RespondJson(conn, req, config, status, nlohmann::ordered_json{{"message", message}});
}

}  // namespace fakedocker
