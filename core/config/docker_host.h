// The Docker daemon's address: the one parser of a Docker host URL
// (--docker-host, docker.host, $DOCKER_HOST), unix:///absolute/socket/path or
// tcp://HOST:PORT, into what the client connects with, and the one place
// $DOCKER_HOST is read. Pure functions (the environment through an
// EnvLookup); thread-safe.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/config/env_lookup.h"
#include "core/config/host_port.h"

namespace logcap {

// Used when neither the file, the flags nor $DOCKER_HOST name a host.
inline constexpr std::string_view kDefaultDockerHost = "unix:///var/run/docker.sock";
inline constexpr std::string_view kDockerHostEnv = "DOCKER_HOST";

// A host URL that is not accepted: what() quotes it, says why and names the
// accepted forms.
class DockerHostError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct DockerEndpoint {
  enum class Kind { kUnix, kTcp };
  Kind kind = Kind::kUnix;
  std::string socket_path;  // kUnix: absolute path; empty for kTcp
  HostPort tcp;             // kTcp: port >= 1
  // What libcurl is given: "http://localhost" (over the socket) or
  // "http://HOST:PORT".
  std::string base_url;
  std::string text;  // the URL as given, for messages
};

// Throws DockerHostError.
DockerEndpoint ParseDockerHost(std::string_view url);

// $DOCKER_HOST, looked up through `env`, when it is set and not empty.
std::optional<std::string> DockerHostFromEnv(const EnvLookup& env = GetProcessEnv);

// `configured` when not empty, else DockerHostFromEnv(env), else
// kDefaultDockerHost. Returned as is: ParseDockerHost is what judges it.
std::string ResolveDockerHost(std::string_view configured, const EnvLookup& env = GetProcessEnv);

}  // namespace logcap
