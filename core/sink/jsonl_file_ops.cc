#include "core/sink/jsonl_file_ops.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace logcap {
namespace {

std::string ErrnoMessage(int error) { return std::generic_category().message(error); }

// Where the last '\n' of the first `size` bytes of `fd` ends (its offset + 1),
// 0 if there is none, or -1 (errno set) if reading failed.
std::int64_t EndOfLastNewline(int fd, std::uint64_t size) {
  char block[64 * 1024];
  std::uint64_t end = size;
  while (end > 0) {
    const std::uint64_t start = end - std::min<std::uint64_t>(end, sizeof block);
    const auto want = static_cast<std::size_t>(end - start);
    std::size_t got = 0;
    while (got < want) {
      const ssize_t n = ::pread(fd, block + got, want - got, static_cast<off_t>(start + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) errno = EIO;  // the file shrank under us
        return -1;
      }
      got += static_cast<std::size_t>(n);
    }
    const void* newline = ::memrchr(block, '\n', want);
    if (newline != nullptr) {
      return static_cast<std::int64_t>(start) +
             (static_cast<const char*>(newline) - block) + 1;
    }
    end = start;
  }
  return 0;
}

}  // namespace

std::uint64_t RepairTornTail(int fd, std::uint64_t size, const std::string& description) {
  if (size == 0) return 0;
  const std::int64_t keep = EndOfLastNewline(fd, size);
  if (keep < 0) {
    spdlog::warn("sink {}: cannot read the end of the file to check its last record: {}; "
                 "appending as it is",
                 description, ErrnoMessage(errno));
    return size;
  }
  const auto cut = size - static_cast<std::uint64_t>(keep);
  if (cut == 0) return size;
  if (::ftruncate(fd, keep) == 0) {
    spdlog::warn("sink {}: the last record was torn ({} bytes after the last newline, left by a "
                 "crash or a full disk); cut those {} bytes so that every line is valid JSON (a "
                 "record never acknowledged is read again from the state file)",
                 description, cut, cut);
    return static_cast<std::uint64_t>(keep);
  }
  const int error = errno;
  const ssize_t n = ::write(fd, "\n", 1);
  spdlog::warn("sink {}: the last record is torn ({} bytes after the last newline) and cutting "
               "it failed: {}; {} so that new records start on a line of their own (that one "
               "line is not valid JSON; check the file's permissions and attributes)",
               description, cut, ErrnoMessage(error),
               n == 1 ? "started a new line after it" : "could not start a new line either");
  return size + (n == 1 ? 1 : 0);
}

OpenedSinkFile OpenSinkFile(const std::string& path, const std::string& description) {
  const auto fail = [&](int error) -> OpenedSinkFile {
    throw std::runtime_error("cannot open sink file " + path + ": " + ErrnoMessage(error) +
                             " (check that the directory exists and this user may write there)");
  };
  // Read-write for a regular file (to check its tail); a FIFO or a device
  // is opened write-only, so that opening it never makes us its reader.
  struct stat before = {};
  const bool may_be_regular = ::stat(path.c_str(), &before) != 0 || S_ISREG(before.st_mode);
  constexpr int kFlags = O_APPEND | O_CREAT | O_CLOEXEC;
  OpenedSinkFile file;
  bool readable = may_be_regular;
  file.fd.Reset(::open(path.c_str(), (may_be_regular ? O_RDWR : O_WRONLY) | kFlags, 0644));
  if (!file.fd.valid() && may_be_regular && errno == EACCES) {
    readable = false;  // a write-only file
    file.fd.Reset(::open(path.c_str(), O_WRONLY | kFlags, 0644));
  }
  if (!file.fd.valid()) return fail(errno);
  struct stat st = {};
  if (::fstat(file.fd.get(), &st) != 0) return fail(errno);
  file.regular = S_ISREG(st.st_mode);
  if (!file.regular) return file;
  file.size = static_cast<std::uint64_t>(st.st_size);
  if (readable) {
    file.size = RepairTornTail(file.fd.get(), file.size, description);
  } else if (file.size > 0) {
    spdlog::warn("sink {}: the file is not readable, so a torn last record cannot be detected; "
                 "appending as it is",
                 description);
  }
  return file;
}

std::string ShiftRotatedFiles(const std::string& path, std::size_t keep) {
  const auto numbered = [&](std::size_t i) { return path + "." + std::to_string(i); };
  // rename() replaces its target: moving path.<keep-1> onto path.<keep>
  // deletes the oldest.
  for (std::size_t i = keep - 1; i >= 1; --i) {
    if (::rename(numbered(i).c_str(), numbered(i + 1).c_str()) != 0 && errno != ENOENT) {
      return "rename " + numbered(i) + " to " + numbered(i + 1) + ": " + ErrnoMessage(errno);
    }
  }
  if (::rename(path.c_str(), numbered(1).c_str()) != 0) {
    return "rename " + path + " to " + numbered(1) + ": " + ErrnoMessage(errno);
  }
  return "";
}

}  // namespace logcap
