// The set of sockets libcurl asked the loop to watch, as one epoll instance
// plus an eventfd that wakes the loop from other threads. Each loop turn
// sees only the sockets that are ready, so its cost follows traffic, not
// the number of open transfers.
#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/unique_fd.h"

namespace logcap {

class SocketWatch {
 public:
  // What a ready socket is ready for.
  struct Ready {
    int fd = -1;
    std::uint32_t tag = 0;  // what Add/Change was given with this fd
    bool in = false;
    bool out = false;
    bool error = false;  // EPOLLERR or EPOLLHUP: let libcurl find out which
  };

  // Throws std::runtime_error (with errno's text) when the kernel refuses
  // an epoll instance or an eventfd (fd limit reached).
  SocketWatch();
  SocketWatch(const SocketWatch&) = delete;
  SocketWatch& operator=(const SocketWatch&) = delete;

  // Starts watching `fd` for reading and/or writing (Add), or changes what
  // is watched (Change); Wait reports it with `tag` (never UINT32_MAX). Each falls back to the other when the kernel
  // disagrees (EEXIST, ENOENT): a descriptor can be closed and its number
  // reused before libcurl says so. Throws std::runtime_error on any other
  // failure.
  void Add(int fd, std::uint32_t tag, bool in, bool out);
  void Change(int fd, std::uint32_t tag, bool in, bool out);
  // Stops watching `fd`; a descriptor already closed is not an error.
  void Forget(int fd);

  // Any thread: makes the current or next Wait() return.
  void Wake();

  // Waits up to `timeout` (0: poll, negative: forever) and returns the
  // ready sockets (never the wake-up descriptor: a wake-up is consumed
  // here). EINTR returns an empty list. The view is valid until the next
  // Wait(). Throws std::runtime_error on any other failure.
  const std::vector<Ready>& Wait(std::chrono::milliseconds timeout);

 private:
  // epoll_ctl(op); when it fails with `disagreement`, epoll_ctl(fallback).
  void Control(int op, int disagreement, int fallback, int fd, std::uint32_t tag, bool in, bool out);

  leakbench::UniqueFd epoll_;
  leakbench::UniqueFd wake_;
  std::vector<epoll_event> events_;
  std::vector<Ready> ready_;
};

}  // namespace logcap
