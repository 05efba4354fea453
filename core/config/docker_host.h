// Parses a Docker host URL (--docker-host, docker.host, $DOCKER_HOST):
// unix:///absolute/socket/path or tcp://HOST:PORT, into what a client needs
// to connect. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/config/host_port.h"

namespace logcap {

// Used when neither the file, the flags nor $DOCKER_HOST name a host.
inline constexpr std::string_view kDefaultDockerHost = "unix:///var/run/docker.sock";

struct DockerEndpoint {
  enum class Kind { kUnix, kTcp };
  Kind kind = Kind::kUnix;
  std::string socket_path;  // kUnix: absolute path
  HostPort tcp;             // kTcp: port >= 1
};

// Throws std::invalid_argument naming the accepted forms.
DockerEndpoint ParseDockerHost(std::string_view url);

}  // namespace logcap
