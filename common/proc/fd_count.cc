#include "common/proc/fd_count.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "common/proc/proc_file.h"

namespace leakbench {

FdKind ClassifyFdTarget(const std::string& target) {
  const std::string_view t(target);
  if (t.starts_with("socket:[")) return FdKind::kSocket;
  if (t.starts_with("pipe:[")) return FdKind::kPipe;
  if (t.starts_with('/')) return FdKind::kFile;
  return FdKind::kOther;
}

int CountFds(const std::string& fd_dir, bool skip_own, FdKinds& kinds) {
  procfs::UniqueDir dir(::opendir(fd_dir.c_str()));
  if (!dir) return errno;
  const int dir_fd = ::dirfd(dir.get());
  char target[256];
  errno = 0;
  while (const dirent* entry = ::readdir(dir.get())) {
    const char* name = entry->d_name;
    if (name[0] == '.') continue;
    if (skip_own && std::atoi(name) == dir_fd) continue;
    const ssize_t n = ::readlinkat(dir_fd, name, target, sizeof(target));
    if (n < 0) {  // closed meanwhile (or unreadable): not counted
      errno = 0;  // not readdir's failure
      continue;
    }
    switch (ClassifyFdTarget(std::string(target, static_cast<std::size_t>(n)))) {
      case FdKind::kSocket: ++kinds.socket; break;
      case FdKind::kPipe: ++kinds.pipe; break;
      case FdKind::kFile: ++kinds.file; break;
      case FdKind::kOther: ++kinds.other; break;
    }
    errno = 0;
  }
  return errno;  // readdir's own failure, if any (ENOENT: gone meanwhile)
}

}  // namespace leakbench
