// DockerClient::Negotiate: the API version used is the lower of the
// client's (1.41) and the daemon's; the client's when the daemon's does
// not parse. A malformed container id is never put into a request.
#include "core/docker/docker_client.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

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

// A malformed id is never sent: the callbacks get kBadResponse saying why,
// without a connection being tried (the socket does not even exist).
TEST(DockerClientIdTest, MalformedIdsAreNotRequested) {
  CurlLoop loop;
  DockerClient client(loop, DockerClientOptions{ParseDockerHost("unix:///nonexistent/docker.sock")});
  std::vector<TransferResult> results;
  const std::vector<std::string> bad = {"../../../etc/passwd", "0123456789ab?all=1", "0123456789ab#x",
                                        "0123456789ab\r\nX: 1", "short"};
  loop.Post([&] {
    for (const std::string& id : bad) {
      EXPECT_EQ(client.Inspect(id, [&](const TransferResult& r, std::optional<ContainerInfo> info) {
        EXPECT_FALSE(info.has_value());
        results.push_back(r);
      }), 0u);
      EXPECT_EQ(client.FollowLogs(id, "0", [](std::string_view) { return DataResult::kConsumed; },
                                  [&](const TransferResult& r) {
                                    results.push_back(r);
                                    if (results.size() == 2 * bad.size()) loop.Stop();
                                  }),
                0u);
    }
  });
  loop.Run();
  ASSERT_EQ(results.size(), 2 * bad.size());
  for (const TransferResult& r : results) {
    EXPECT_EQ(r.kind, TransferResult::Kind::kBadResponse);
    EXPECT_FALSE(r.connect_failed);
    EXPECT_NE(r.message.find("not requested"), std::string::npos) << r.message;
  }
}

}  // namespace
}  // namespace logcap
