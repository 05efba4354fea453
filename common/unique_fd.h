// Owns one file descriptor (sockets, pipes, files): -1 means closed, moves
// hand it over, copies are impossible, and the destructor closes it. close()
// is never retried on EINTR (Linux releases the fd anyway). Not thread-safe.
#pragma once

#include <unistd.h>

#include <utility>

namespace leakbench {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes the current fd (ignoring the result) and owns `fd` instead.
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  // Closes now and returns close()'s result: a failed close can mean lost data.
  int Close() { return fd_ < 0 ? 0 : ::close(std::exchange(fd_, -1)); }
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

}  // namespace leakbench
