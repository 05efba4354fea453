// SocketWatch on socketpairs: readiness is reported per socket and only for
// what is watched, Add and Change each fall back to the other when the
// kernel's set disagrees (a descriptor closed and its number reused), a
// closed descriptor can be forgotten, and Wake ends a Wait from another
// thread without being reported as a socket.
#include "core/docker/socket_watch.h"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace logcap {
namespace socket_watch_test {

using namespace std::chrono_literals;

struct Pair {
  Pair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0); }
  ~Pair() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;
  int fds[2] = {-1, -1};
};

TEST(SocketWatchTest, ReportsOnlyReadySocketsForWhatIsWatched) {
  SocketWatch watch;
  Pair quiet, talking;
  watch.Add(quiet.fds[0], 7, true, false);
  watch.Add(talking.fds[0], 7, true, false);
  EXPECT_TRUE(watch.Wait(0ms).empty());  // nothing to read, writability not asked for
  ASSERT_EQ(write(talking.fds[1], "x", 1), 1);
  const auto& ready = watch.Wait(1000ms);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].fd, talking.fds[0]);
  EXPECT_EQ(ready[0].tag, 7u);
  EXPECT_TRUE(ready[0].in);
  EXPECT_FALSE(ready[0].out);
  watch.Change(quiet.fds[0], 7, false, true);
  bool quiet_writable = false;
  for (const auto& r : watch.Wait(0ms)) quiet_writable |= r.fd == quiet.fds[0] && r.out && !r.in;
  EXPECT_TRUE(quiet_writable);
}

TEST(SocketWatchTest, ChangeOfADescriptorNotInTheSetAddsIt) {
  SocketWatch watch;
  Pair pair;
  watch.Change(pair.fds[0], 7, true, false);  // libcurl thinks it is watched; the kernel does not
  ASSERT_EQ(write(pair.fds[1], "x", 1), 1);
  EXPECT_EQ(watch.Wait(1000ms).size(), 1u);
}

TEST(SocketWatchTest, AddOfADescriptorAlreadyInTheSetChangesIt) {
  SocketWatch watch;
  Pair pair;
  watch.Add(pair.fds[0], 7, true, false);
  watch.Add(pair.fds[0], 7, false, true);  // no EEXIST escapes
  const auto& ready = watch.Wait(1000ms);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_TRUE(ready[0].out);
}

TEST(SocketWatchTest, ForgettingAClosedOrUnknownDescriptorIsNotAnError) {
  SocketWatch watch;
  Pair pair;
  watch.Add(pair.fds[0], 7, true, false);
  const int fd = pair.fds[0];
  close(fd);
  pair.fds[0] = -1;
  EXPECT_NO_THROW(watch.Forget(fd));
  Pair other;
  EXPECT_NO_THROW(watch.Forget(other.fds[0]));
}

TEST(SocketWatchTest, HangUpIsReportedAsAnError) {
  SocketWatch watch;
  Pair pair;
  watch.Add(pair.fds[0], 7, true, false);
  close(pair.fds[1]);
  pair.fds[1] = -1;
  const auto& ready = watch.Wait(1000ms);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_TRUE(ready[0].error);
}

TEST(SocketWatchTest, WakeEndsAWaitAndIsNotASocket) {
  SocketWatch watch;
  std::thread waker([&] {
    std::this_thread::sleep_for(20ms);
    watch.Wake();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(watch.Wait(20000ms).empty());  // a wake-up is not a ready socket
  waker.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "Wake did not end the wait";
}

}  // namespace socket_watch_test
}  // namespace logcap
