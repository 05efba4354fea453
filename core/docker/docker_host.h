// Where the Docker daemon listens: "unix:///var/run/docker.sock" or
// "tcp://host:port" (parsed by core/config/docker_host.h), turned into what
// libcurl needs: a Unix socket path and a base URL. A plain value;
// thread-safe.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace logcap {

class DockerHostError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct DockerHost {
  std::string unix_socket;  // empty for tcp
  std::string base_url;     // "http://localhost" (unix) or "http://host:port"
  std::string text;         // as given, for messages

  // Throws DockerHostError saying what is accepted.
  static DockerHost Parse(std::string_view text);
  // $DOCKER_HOST if set and not empty, else unix:///var/run/docker.sock.
  static std::string DefaultText(const char* docker_host_env);
};

}  // namespace logcap
