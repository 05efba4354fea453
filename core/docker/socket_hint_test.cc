// The hint appended when a Unix socket cannot be connected to: each cause
// named with what to do (permissions decided from facts, since tests run as
// root); a real missing socket and a real socket nobody listens on.
#include "core/docker/socket_hint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace logcap {
namespace {

using ::testing::HasSubstr;

SocketFacts Socket(mode_t perms, uid_t owner, gid_t group) {
  SocketFacts f;
  f.mode = S_IFSOCK | perms;
  f.owner = owner;
  f.group = group;
  return f;
}

TEST(UnixSocketHint, MissingSocketAsksWhetherDockerdRunsAndTheSocketIsMounted) {
  SocketFacts f;
  f.stat_errno = ENOENT;
  EXPECT_THAT(UnixSocketHint("/var/run/docker.sock", f, 1000, {}), HasSubstr("no socket at /var/run/docker.sock"));
}

TEST(UnixSocketHint, PermissionDeniedNamesTheGroupToJoin) {
  const std::string hint = UnixSocketHint("/var/run/docker.sock", Socket(0660, 0, 998), 10001, {10001});
  EXPECT_THAT(hint, HasSubstr("permission denied"));
  EXPECT_THAT(hint, HasSubstr("--group-add 998"));
  EXPECT_THAT(hint, HasSubstr("DOCKER_GID=998"));
  EXPECT_THAT(hint, HasSubstr("mode 0660"));
}

TEST(UnixSocketHint, GroupMemberOwnerAndRootMayWrite) {
  for (const std::string& hint : {UnixSocketHint("/s", Socket(0660, 0, 998), 10001, {10001, 998}),
                                  UnixSocketHint("/s", Socket(0600, 10001, 998), 10001, {}),
                                  UnixSocketHint("/s", Socket(0600, 5, 998), 0, {})}) {
    EXPECT_THAT(hint, HasSubstr("nothing accepted the connection"));
  }
  // The owner's bits decide for the owner, even when the group's would allow.
  EXPECT_THAT(UnixSocketHint("/s", Socket(0060, 10001, 998), 10001, {998}), HasSubstr("permission denied"));
}

TEST(UnixSocketHint, NotASocket) {
  SocketFacts f;
  f.mode = S_IFREG | 0666;
  EXPECT_THAT(UnixSocketHint("/etc/hostname", f, 0, {}), HasSubstr("is not a socket"));
}

TEST(UnixSocketHint, RealPaths) {
  EXPECT_THAT(UnixSocketHint("/nonexistent/docker.sock"), HasSubstr("no socket at"));
  char tmpl[] = "/tmp/sockhint.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/d.sock";
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // bound, never listening
  EXPECT_THAT(UnixSocketHint(path), HasSubstr("nothing accepted the connection on " + path));
  close(fd);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace logcap
