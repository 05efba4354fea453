// Reading the small text files and directories of /proc with RAII handles:
// one read() loop into a reused buffer, no streams. Pure reads; thread-safe.
#pragma once

#include <dirent.h>

#include <memory>
#include <string>

namespace leakbench::procfs {

// Reads the whole (small) file at `path` into `out`, reusing its capacity.
// Returns 0 or the errno of the failed open/read.
int ReadSmallFile(const std::string& path, std::string& out);

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};
// An open directory stream, closed by its destructor.
using UniqueDir = std::unique_ptr<DIR, DirCloser>;

}  // namespace leakbench::procfs
