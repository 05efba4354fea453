#include "fakes/dockerd/http/hangup_watch.h"

#include <sys/epoll.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace fakedocker {

HangupWatch::HangupWatch() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_.valid()) throw std::system_error(errno, std::generic_category(), "epoll_create1 for the hang-up watch");
}

void HangupWatch::Watch(int fd, std::uint64_t key) {
  epoll_event ev{};
  // Only the hang-up: EPOLLIN would report every socket with request bytes.
  ev.events = EPOLLRDHUP;
  ev.data.u64 = key;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) == 0) return;
  if (errno == EEXIST && ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) == 0) return;
  throw std::system_error(errno, std::generic_category(), "watching fd " + std::to_string(fd) + " for a hang-up");
}

std::vector<std::uint64_t> HangupWatch::HungUp(std::size_t max) const {
  std::vector<epoll_event> events(max == 0 ? 1 : max);
  int n = -1;
  do {
    n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw std::system_error(errno, std::generic_category(), "epoll_wait on the hang-up watch");
  std::vector<std::uint64_t> keys;
  keys.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    // epoll_event is packed on x86-64: copy the key out rather than bind a
    // reference to a misaligned member (UBSan reports that).
    const std::uint64_t key = events[static_cast<std::size_t>(i)].data.u64;
    keys.push_back(key);
  }
  return keys;
}

}  // namespace fakedocker
