#include "core/config/docker_host.h"

#include <sys/un.h>

#include <stdexcept>

#include "common/echo_value.h"

namespace logcap {
namespace {

constexpr std::string_view kUnixScheme = "unix://";
constexpr std::string_view kTcpScheme = "tcp://";

[[noreturn]] void Fail(std::string_view url, std::string_view why) {
  throw DockerHostError(leakbench::QuoteValue(url) + ": " + std::string(why) +
                        " (expected unix:///ABSOLUTE/PATH or tcp://HOST:PORT)");
}

}  // namespace

DockerEndpoint ParseDockerHost(std::string_view url) {
  DockerEndpoint endpoint;
  endpoint.text = std::string(url);
  if (url.starts_with(kUnixScheme)) {
    const std::string_view path = url.substr(kUnixScheme.size());
    if (path.empty() || path.front() != '/') Fail(url, "the socket path must be absolute");
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
      Fail(url, "the socket path is longer than a Unix socket address allows");
    }
    endpoint.kind = DockerEndpoint::Kind::kUnix;
    endpoint.socket_path = std::string(path);
    endpoint.base_url = "http://localhost";
    return endpoint;
  }
  if (url.starts_with(kTcpScheme)) {
    const std::string_view rest = url.substr(kTcpScheme.size());
    if (rest.find('/') != std::string_view::npos) Fail(url, "no path is allowed after HOST:PORT");
    try {
      endpoint.tcp = ParseHostPort(rest);
    } catch (const std::invalid_argument& e) {
      Fail(url, e.what());
    }
    if (endpoint.tcp.port == 0) Fail(url, "port 0 cannot be connected to");
    endpoint.kind = DockerEndpoint::Kind::kTcp;
    endpoint.base_url = "http://" + endpoint.tcp.ToString();
    return endpoint;
  }
  if (url.empty()) Fail(url, "empty");
  Fail(url, "unsupported scheme");
}

std::optional<std::string> DockerHostFromEnv(const EnvLookup& env) {
  std::optional<std::string> value = env(std::string(kDockerHostEnv));
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::string ResolveDockerHost(std::string_view configured, const EnvLookup& env) {
  if (!configured.empty()) return std::string(configured);
  return DockerHostFromEnv(env).value_or(std::string(kDefaultDockerHost));
}

}  // namespace logcap
