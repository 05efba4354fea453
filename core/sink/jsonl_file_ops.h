// File operations of the JSON Lines file sink, apart from its write loop:
// opening the path (and repairing a torn last record left by a crash or a
// full disk, so that every line of the file is valid JSON) and shifting
// rotated files (path -> path.1 -> path.2 ...). Plain functions on paths and
// descriptors, no shared state: thread-safe, but two callers must not work on
// the same path at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/unique_fd.h"

namespace logcap {

struct OpenedSinkFile {
  leakbench::UniqueFd fd;
  bool regular = false;    // a regular file: sizes, fsync, rotation apply
  std::uint64_t size = 0;  // bytes in it after the repair (regular files)
};

// Opens `path` for appending (O_APPEND|O_CREAT|O_CLOEXEC, mode 0644). A
// regular file is opened read-write so that a torn last record (bytes after
// the last '\n') can be found and cut (RepairTornTail). Throws
// std::runtime_error saying which path, why, and what to check.
OpenedSinkFile OpenSinkFile(const std::string& path, const std::string& description);

// If the regular file `fd` (`size` bytes, opened for reading and appending)
// does not end in '\n', truncates it back to just after its last '\n' (to 0
// without one) and logs a warning saying how many bytes were cut and why; if
// truncating fails, appends a '\n' instead so that new records start on a
// line of their own. Returns the file's size afterwards.
std::uint64_t RepairTornTail(int fd, std::uint64_t size, const std::string& description);

// Makes room for a new `path`: renames path.<i> to path.<i+1> for
// i = keep-1 .. 1 (missing ones are skipped; the old path.<keep> is
// replaced, so the oldest goes), then path to path.1. keep >= 1. Returns "" on success, else what failed (with
// errno's text); files already shifted stay shifted.
std::string ShiftRotatedFiles(const std::string& path, std::size_t keep);

}  // namespace logcap
