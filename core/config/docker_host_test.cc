// ParseDockerHost (unix:///abs and tcp://host:port into a socket path, a
// host and port, and a base URL; relative unix paths, bad ports, unknown
// schemes and paths after the port are DockerHostError) and the $DOCKER_HOST
// fallback (DockerHostFromEnv, ResolveDockerHost).
#include "core/config/docker_host.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace logcap {
namespace docker_host_test {  // named, not anonymous: the unity build joins the test files

using ::testing::HasSubstr;

// The DockerHostError message for `text`, or "" when it parses.
std::string ErrorOf(const std::string& text) {
  try {
    (void)ParseDockerHost(text);
  } catch (const DockerHostError& e) {
    return e.what();
  }
  return "";
}

TEST(DockerHostTest, ParsesUnixAndTcp) {
  DockerEndpoint e = ParseDockerHost("unix:///var/run/docker.sock");
  EXPECT_EQ(e.kind, DockerEndpoint::Kind::kUnix);
  EXPECT_EQ(e.socket_path, "/var/run/docker.sock");

  e = ParseDockerHost("tcp://10.0.0.5:2375");
  EXPECT_EQ(e.kind, DockerEndpoint::Kind::kTcp);
  EXPECT_EQ(e.tcp.host, "10.0.0.5");
  EXPECT_EQ(e.tcp.port, 2375);

  e = ParseDockerHost("tcp://[::1]:2376");
  EXPECT_EQ(e.tcp.host, "::1");

  EXPECT_NO_THROW(ParseDockerHost(kDefaultDockerHost));
}

TEST(DockerHostTest, RejectsRelativePathsOtherSchemesAndBadPorts) {
  EXPECT_THAT(ErrorOf("unix://relative.sock"), HasSubstr("absolute"));
  EXPECT_THAT(ErrorOf("unix://"), HasSubstr("absolute"));
  EXPECT_THAT(ErrorOf("http://host:2375"),
              HasSubstr("unsupported scheme"));
  EXPECT_THAT(ErrorOf("/var/run/docker.sock"),
              HasSubstr("expected unix:///ABSOLUTE/PATH or tcp://HOST:PORT"));
  EXPECT_THAT(ErrorOf("tcp://host"), HasSubstr("HOST:PORT"));
  EXPECT_THAT(ErrorOf("tcp://host:0"), HasSubstr("port 0"));
  EXPECT_THAT(ErrorOf("tcp://host:2375/v1.41"), HasSubstr("no path"));
  EXPECT_THROW(ParseDockerHost(""), std::invalid_argument);
  EXPECT_THAT(ErrorOf("unix:///" + std::string(200, 'x')),
              HasSubstr("longer"));
}

TEST(DockerHostTest, UnixSocket) {
  const DockerEndpoint host = ParseDockerHost("unix:///var/run/docker.sock");
  EXPECT_EQ(host.socket_path, "/var/run/docker.sock");
  EXPECT_EQ(host.base_url, "http://localhost");
  EXPECT_EQ(host.text, "unix:///var/run/docker.sock");
  EXPECT_EQ(ParseDockerHost("unix:///tmp/dk/docker.sock").socket_path, "/tmp/dk/docker.sock");
}

TEST(DockerHostTest, Tcp) {
  DockerEndpoint host = ParseDockerHost("tcp://127.0.0.1:2375");
  EXPECT_EQ(host.socket_path, "");
  EXPECT_EQ(host.base_url, "http://127.0.0.1:2375");
  EXPECT_EQ(host.text, "tcp://127.0.0.1:2375");
  EXPECT_EQ(ParseDockerHost("tcp://docker.internal:1").base_url, "http://docker.internal:1");
  EXPECT_EQ(ParseDockerHost("tcp://h:65535").base_url, "http://h:65535");
  EXPECT_EQ(ParseDockerHost("tcp://[::1]:2375").base_url, "http://[::1]:2375");
}

TEST(DockerHostTest, RelativeOrEmptyUnixPathIsAnError) {
  EXPECT_NE(ErrorOf("unix://docker.sock").find("absolute"), std::string::npos);
  EXPECT_NE(ErrorOf("unix://"), "");
  EXPECT_NE(ErrorOf("unix:/var/run/docker.sock"), "");
}

TEST(DockerHostTest, BadPortIsAnError) {
  for (const char* text : {"tcp://h:0", "tcp://h:65536", "tcp://h:99999999", "tcp://h:", "tcp://h:x1",
                           "tcp://h:-1", "tcp://h:+80", "tcp://h", "tcp://:2375", "tcp://"}) {
    SCOPED_TRACE(text);
    const std::string e = ErrorOf(text);
    EXPECT_NE(e, "");
    EXPECT_NE(e.find(text), std::string::npos) << e;  // names what was given
  }
}

TEST(DockerHostTest, PathAfterPortIsAnError) {
  const std::string e = ErrorOf("tcp://h:2375/v1.41");
  EXPECT_NE(e.find("path"), std::string::npos) << e;
  EXPECT_NE(ErrorOf("tcp://h/x:2375"), "");
}

TEST(DockerHostTest, UnknownSchemeIsAnError) {
  for (const char* text : {"http://h:2375", "npipe:////./pipe/docker_engine", "ssh://me@h", "/var/run/docker.sock",
                           "", "TCP://h:2375"}) {
    SCOPED_TRACE(text);
    const std::string e = ErrorOf(text);
    EXPECT_NE(e, "");
    EXPECT_NE(e.find("tcp://"), std::string::npos) << e;  // says what is accepted
  }
}

// An EnvLookup that knows only DOCKER_HOST (nullopt: unset).
EnvLookup EnvWith(std::optional<std::string> docker_host) {
  return [docker_host](const std::string& name) -> std::optional<std::string> {
    return name == "DOCKER_HOST" ? docker_host : std::nullopt;
  };
}

TEST(DockerHostTest, DefaultText) {
  EXPECT_EQ(ResolveDockerHost("", EnvWith(std::nullopt)), "unix:///var/run/docker.sock");
  EXPECT_EQ(ResolveDockerHost("", EnvWith("")), "unix:///var/run/docker.sock");
  EXPECT_EQ(ResolveDockerHost("", EnvWith("tcp://h:2375")), "tcp://h:2375");
  // Returned as is: ParseDockerHost is what judges it.
  EXPECT_EQ(ResolveDockerHost("", EnvWith("garbage")), "garbage");
}

TEST(DockerHostTest, ConfiguredHostWinsOverTheEnvironment) {
  EXPECT_EQ(ResolveDockerHost("unix:///x.sock", EnvWith("tcp://h:2375")), "unix:///x.sock");
  EXPECT_EQ(DockerHostFromEnv(EnvWith("tcp://h:2375")), "tcp://h:2375");
  EXPECT_EQ(DockerHostFromEnv(EnvWith("")), std::nullopt);
  EXPECT_EQ(DockerHostFromEnv(EnvWith(std::nullopt)), std::nullopt);
}

}  // namespace docker_host_test
}  // namespace logcap
