#include "common/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>

#include <gtest/gtest.h>

#include "common/unique_fd.h"

namespace leakbench {
namespace {

TEST(FreeLoopbackPort, IsAPortTheCallerCanBind) {
  const int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  ASSERT_LT(port, 65536);
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(fd.valid());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << "port " << port;
}

}  // namespace
}  // namespace leakbench
