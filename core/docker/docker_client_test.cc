// DockerClient::Negotiate: the API version used is the lower of the
// client's (1.41) and the daemon's; the client's when the daemon's does
// not parse.
#include "core/docker/docker_client.h"

#include <gtest/gtest.h>

namespace logcap {
namespace {

TEST(DockerClientNegotiateTest, OlderDaemonWins) {
  EXPECT_EQ(DockerClient::Negotiate("1.40"), "1.40");
  EXPECT_EQ(DockerClient::Negotiate("1.24"), "1.24");
  EXPECT_EQ(DockerClient::Negotiate("1.9"), "1.9");  // numeric, not string, order
  EXPECT_EQ(DockerClient::Negotiate("0.99"), "0.99");
}

TEST(DockerClientNegotiateTest, NewerOrEqualDaemonGivesTheClientVersion) {
  EXPECT_EQ(DockerClient::kClientApiVersion, "1.41");
  EXPECT_EQ(DockerClient::Negotiate("1.41"), "1.41");
  EXPECT_EQ(DockerClient::Negotiate("1.43"), "1.41");
  EXPECT_EQ(DockerClient::Negotiate("1.100"), "1.41");
  EXPECT_EQ(DockerClient::Negotiate("2.0"), "1.41");
}

TEST(DockerClientNegotiateTest, GarbageGivesTheClientVersion) {
  for (const char* v : {"garbage", "", "1", "1.", ".41", "1.41.0", "1.4x", "v1.40", " 1.40", "1.40 ", "-1.40",
                        "1.-5", "99999999999.1"}) {
    SCOPED_TRACE(v);
    EXPECT_EQ(DockerClient::Negotiate(v), "1.41");
  }
}

}  // namespace
}  // namespace logcap
