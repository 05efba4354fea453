// Counts a process's open file descriptors from /proc/<pid>/fd, by what each
// one is (socket, pipe, a path, anything else). Pure reads; thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace leakbench {

struct FdKinds {
  std::size_t socket = 0;
  std::size_t pipe = 0;
  std::size_t file = 0;   // regular files, devices, directories (a path)
  std::size_t other = 0;  // anon_inode:[eventfd], [eventpoll], [timerfd], ...
  std::size_t total() const { return socket + pipe + file + other; }
};

// Classifies a /proc/<pid>/fd link target ("socket:[123]", "pipe:[4]",
// "/var/log/x", "anon_inode:[eventfd]").
enum class FdKind { kSocket, kPipe, kFile, kOther };
FdKind ClassifyFdTarget(const std::string& target);

// Adds the links under `fd_dir` to `kinds`, one readlink each. Entries that
// vanish between readdir and readlink (the fd was closed) are skipped. With
// `skip_own` (the directory is this process's own) the descriptor of the
// listing itself is not counted. Returns 0 or the errno of opening or
// reading the directory (ENOENT: the process is gone).
int CountFds(const std::string& fd_dir, bool skip_own, FdKinds& kinds);

}  // namespace leakbench
