// HangupWatch on socketpairs: only hung-up peers are reported, by key.
#include "fakes/dockerd/http/hangup_watch.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <system_error>

#include "common/unique_fd.h"

namespace fakedocker {
namespace hangup_watch_test {

struct Pair {
  leakbench::UniqueFd ours;
  leakbench::UniqueFd peer;
};

Pair MakePair() {
  std::array<int, 2> fds{-1, -1};
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.data()) != 0) {
    throw std::system_error(errno, std::generic_category(), "socketpair");
  }
  return {leakbench::UniqueFd(fds[0]), leakbench::UniqueFd(fds[1])};
}

TEST(HangupWatch, ReportsOnlyThePeersThatHungUp) {
  HangupWatch watch;
  Pair a = MakePair();
  Pair b = MakePair();
  Pair c = MakePair();
  watch.Watch(a.ours.get(), 1);
  watch.Watch(b.ours.get(), 2);
  watch.Watch(c.ours.get(), 3);
  EXPECT_TRUE(watch.HungUp().empty());

  // Bytes waiting are not a hang-up (a client's next request).
  ASSERT_EQ(::write(c.peer.get(), "GET", 3), 3);
  EXPECT_TRUE(watch.HungUp().empty());

  b.peer.Reset();
  EXPECT_EQ(watch.HungUp(), std::vector<std::uint64_t>{2});
  // Level-triggered: still reported until our end is closed.
  EXPECT_EQ(watch.HungUp(), std::vector<std::uint64_t>{2});

  ASSERT_EQ(::shutdown(c.peer.get(), SHUT_WR), 0);  // half-close counts too
  std::vector<std::uint64_t> keys = watch.HungUp();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::uint64_t>{2, 3}));

  b.ours.Reset();  // a closed socket leaves the set by itself
  c.ours.Reset();
  EXPECT_TRUE(watch.HungUp().empty());
}

TEST(HangupWatch, WatchingAgainChangesTheKey) {
  HangupWatch watch;
  Pair a = MakePair();
  watch.Watch(a.ours.get(), 7);
  watch.Watch(a.ours.get(), 8);  // the same connection serves a new stream
  a.peer.Reset();
  EXPECT_EQ(watch.HungUp(), std::vector<std::uint64_t>{8});
}

TEST(HangupWatch, AReusedDescriptorStartsClean) {
  HangupWatch watch;
  Pair a = MakePair();
  const int fd = a.ours.get();
  watch.Watch(fd, 1);
  a.peer.Reset();
  a.ours.Reset();
  Pair b = MakePair();  // likely the same number again
  if (b.ours.get() != fd) GTEST_SKIP() << "the kernel did not reuse fd " << fd;
  EXPECT_TRUE(watch.HungUp().empty());
  watch.Watch(b.ours.get(), 2);
  EXPECT_TRUE(watch.HungUp().empty());
  b.peer.Reset();
  EXPECT_EQ(watch.HungUp(), std::vector<std::uint64_t>{2});
}

TEST(HangupWatch, ABadDescriptorIsAnError) {
  HangupWatch watch;
  EXPECT_THROW(watch.Watch(-1, 1), std::system_error);
}

TEST(HangupWatch, AtMostMaxKeys) {
  HangupWatch watch;
  std::vector<Pair> pairs;
  for (std::uint64_t k = 0; k < 5; ++k) {
    pairs.push_back(MakePair());
    watch.Watch(pairs.back().ours.get(), k);
    pairs.back().peer.Reset();
  }
  EXPECT_EQ(watch.HungUp(2).size(), 2u);
  EXPECT_EQ(watch.HungUp().size(), 5u);
}

}  // namespace hangup_watch_test
}  // namespace fakedocker
