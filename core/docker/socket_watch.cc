#include "core/docker/socket_watch.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace logcap {

namespace {

constexpr std::size_t kMaxEventsPerWait = 512;

[[noreturn]] void ThrowErrno(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::strerror(error) +
                           (error == EMFILE || error == ENFILE ? " (raise the open-file limit: ulimit -n)" : ""));
}

// epoll's user data: the tag in the high half, the fd in the low half.
std::uint64_t Key(int fd, std::uint32_t tag) {
  return (static_cast<std::uint64_t>(tag) << 32) | static_cast<std::uint32_t>(fd);
}

constexpr std::uint32_t kWakeTag = UINT32_MAX;

std::uint32_t Mask(bool in, bool out) {
  return (in ? EPOLLIN : 0u) | (out ? EPOLLOUT : 0u);
}

}  // namespace

SocketWatch::SocketWatch()
    : epoll_(epoll_create1(EPOLL_CLOEXEC)), wake_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!epoll_.valid()) ThrowErrno("epoll_create1", errno);
  if (!wake_.valid()) ThrowErrno("eventfd", errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = Key(wake_.get(), kWakeTag);
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev) != 0) ThrowErrno("epoll_ctl(eventfd)", errno);
  events_.resize(kMaxEventsPerWait);
  ready_.reserve(kMaxEventsPerWait);
}

void SocketWatch::Add(int fd, std::uint32_t tag, bool in, bool out) {
  Control(EPOLL_CTL_ADD, EEXIST, EPOLL_CTL_MOD, fd, tag, in, out);
}

void SocketWatch::Change(int fd, std::uint32_t tag, bool in, bool out) {
  Control(EPOLL_CTL_MOD, ENOENT, EPOLL_CTL_ADD, fd, tag, in, out);
}

void SocketWatch::Control(int op, int disagreement, int fallback, int fd, std::uint32_t tag, bool in, bool out) {
  epoll_event ev{};
  ev.events = Mask(in, out);
  ev.data.u64 = Key(fd, tag);
  if (epoll_ctl(epoll_.get(), op, fd, &ev) == 0) return;
  const auto what = [fd](int o) {
    return std::string(o == EPOLL_CTL_ADD ? "epoll_ctl(ADD" : "epoll_ctl(MOD") + ", fd " + std::to_string(fd) + ")";
  };
  if (errno != disagreement) ThrowErrno(what(op), errno);
  if (epoll_ctl(epoll_.get(), fallback, fd, &ev) != 0) ThrowErrno(what(fallback), errno);
}

void SocketWatch::Forget(int fd) {
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr) == 0) return;
  // Closed already (the kernel dropped it from the set) or never added.
  if (errno == EBADF || errno == ENOENT) return;
  ThrowErrno("epoll_ctl(DEL, fd " + std::to_string(fd) + ")", errno);
}

void SocketWatch::Wake() {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop is woken anyway.
  [[maybe_unused]] const auto written = ::write(wake_.get(), &one, sizeof one);
}

const std::vector<SocketWatch::Ready>& SocketWatch::Wait(std::chrono::milliseconds timeout) {
  ready_.clear();
  const int ms = timeout.count() < 0 ? -1 : static_cast<int>(std::min<long long>(timeout.count(), 1 << 30));
  const int n = epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()), ms);
  if (n < 0) {
    if (errno == EINTR) return ready_;
    ThrowErrno("epoll_wait", errno);
  }
  for (int i = 0; i < n; ++i) {
    // epoll_event is packed on x86-64: copy the fields out, never bind them.
    const std::uint32_t events = events_[static_cast<std::size_t>(i)].events;
    const std::uint64_t key = events_[static_cast<std::size_t>(i)].data.u64;
    const int fd = static_cast<int>(static_cast<std::uint32_t>(key));
    const auto tag = static_cast<std::uint32_t>(key >> 32);
    if (tag == kWakeTag) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto got = ::read(wake_.get(), &count, sizeof count);
      continue;
    }
    ready_.push_back(Ready{fd, tag, (events & EPOLLIN) != 0, (events & EPOLLOUT) != 0,
                           (events & (EPOLLERR | EPOLLHUP)) != 0});
  }
  return ready_;
}

}  // namespace logcap
