// DockerHost::Parse (unix:///abs and tcp://host:port into a socket path and
// a base URL; relative unix paths, bad ports, unknown schemes and paths
// after the port are DockerHostError) and DockerHost::DefaultText.
#include "core/docker/docker_host.h"

#include <gtest/gtest.h>

#include <string>

namespace logcap {
namespace {

// The DockerHostError message for `text`, or "" when it parses.
std::string ErrorOf(const std::string& text) {
  try {
    (void)DockerHost::Parse(text);
  } catch (const DockerHostError& e) {
    return e.what();
  }
  return "";
}

TEST(DockerHostTest, UnixSocket) {
  const DockerHost host = DockerHost::Parse("unix:///var/run/docker.sock");
  EXPECT_EQ(host.unix_socket, "/var/run/docker.sock");
  EXPECT_EQ(host.base_url, "http://localhost");
  EXPECT_EQ(host.text, "unix:///var/run/docker.sock");
  EXPECT_EQ(DockerHost::Parse("unix:///tmp/dk/docker.sock").unix_socket, "/tmp/dk/docker.sock");
}

TEST(DockerHostTest, Tcp) {
  DockerHost host = DockerHost::Parse("tcp://127.0.0.1:2375");
  EXPECT_EQ(host.unix_socket, "");
  EXPECT_EQ(host.base_url, "http://127.0.0.1:2375");
  EXPECT_EQ(host.text, "tcp://127.0.0.1:2375");
  EXPECT_EQ(DockerHost::Parse("tcp://docker.internal:1").base_url, "http://docker.internal:1");
  EXPECT_EQ(DockerHost::Parse("tcp://h:65535").base_url, "http://h:65535");
  EXPECT_EQ(DockerHost::Parse("tcp://[::1]:2375").base_url, "http://[::1]:2375");
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

TEST(DockerHostTest, DefaultText) {
  EXPECT_EQ(DockerHost::DefaultText(nullptr), "unix:///var/run/docker.sock");
  EXPECT_EQ(DockerHost::DefaultText(""), "unix:///var/run/docker.sock");
  EXPECT_EQ(DockerHost::DefaultText("tcp://h:2375"), "tcp://h:2375");
  // Returned as is: Parse is what judges it.
  EXPECT_EQ(DockerHost::DefaultText("garbage"), "garbage");
}

}  // namespace
}  // namespace logcap
