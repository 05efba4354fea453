// Which watched sockets have a peer that hung up, found without looking at
// the others: an epoll set of sockets (EPOLLRDHUP, level-triggered) polled
// with a zero timeout. It lets the daemon settle the streams whose client
// closed before a new follow stream is counted, at a cost that follows the
// hang-ups, not the number of open streams. Not thread-safe; one per daemon.
#pragma once

#include <cstdint>
#include <vector>

#include "common/unique_fd.h"

namespace fakedocker {

class HangupWatch {
 public:
  // Throws std::system_error when the kernel refuses an epoll instance.
  HangupWatch();

  // Watches `fd` under `key` (a socket already watched gets the new key).
  // A closed socket leaves the set by itself (the kernel drops it with its
  // last descriptor), so there is no Unwatch to call before close.
  // Throws std::system_error on a bad fd.
  void Watch(int fd, std::uint64_t key);

  // The keys of watched sockets whose peer has hung up (or that failed), at
  // most `max` of them; never blocks. A socket stays reported until it is
  // closed. Throws std::system_error if epoll_wait fails.
  std::vector<std::uint64_t> HungUp(std::size_t max = 1024) const;

 private:
  leakbench::UniqueFd epoll_;
};

}  // namespace fakedocker
