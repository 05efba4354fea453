#include "core/docker/docker_host.h"

#include <stdexcept>

#include "core/config/docker_host.h"

namespace logcap {

DockerHost DockerHost::Parse(std::string_view text) {
  DockerEndpoint endpoint;
  try {
    endpoint = ParseDockerHost(text);
  } catch (const std::invalid_argument& e) {
    throw DockerHostError(e.what());
  }
  DockerHost host;
  host.text = std::string(text);
  if (endpoint.kind == DockerEndpoint::Kind::kUnix) {
    host.unix_socket = endpoint.socket_path;
    host.base_url = "http://localhost";
  } else {
    host.base_url = "http://" + endpoint.tcp.ToString();
  }
  return host;
}

std::string DockerHost::DefaultText(const char* docker_host_env) {
  if (docker_host_env != nullptr && *docker_host_env != '\0') return docker_host_env;
  return std::string(kDefaultDockerHost);
}

}  // namespace logcap
