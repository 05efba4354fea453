// Reads one ProcSample from /proc/<pid>: status (threads, RSS), fd/ (each
// link classified), smaps_rollup (PSS) and stat (CPU). Small files are read
// with one read() loop into a reused buffer and scanned as string_views; no
// streams, no regex, so a sample costs tens of microseconds plus one
// readlink per fd.
#include "harness/proc/proc_sample.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "harness/proc/proc_file.h"

namespace leakbench::harness {
namespace {

using procfs::ReadSmallFile;

// The text after "Key:" on the line that starts with `key` (which includes
// the colon), or nullopt.
std::optional<std::string_view> LineValue(std::string_view text, std::string_view key) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    if (line.substr(0, key.size()) == key) return line.substr(key.size());
    pos = eol + 1;
  }
  return std::nullopt;
}

// The first unsigned integer in `text` (skipping leading blanks).
std::optional<std::uint64_t> LeadingNumber(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return std::nullopt;
  std::uint64_t value = 0;
  const char* first = text.data() + start;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr == first) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> FieldNumber(std::string_view text, std::string_view key) {
  const auto value = LineValue(text, key);
  return value ? LeadingNumber(*value) : std::nullopt;
}

// utime + stime in clock ticks from /proc/<pid>/stat. The comm field (2) is
// in parentheses and may itself contain spaces and parentheses, so fields
// are counted from after the last ')': field 3 (state) is token 0, utime
// (14) is token 11 and stime (15) token 12.
std::optional<std::uint64_t> StatCpuTicks(std::string_view stat) {
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(paren + 1);
  std::uint64_t ticks = 0;
  for (int token = 0; token <= 12; ++token) {
    const std::size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(start);
    std::size_t end = rest.find_first_of(" \n");
    if (end == std::string_view::npos) end = rest.size();
    if (token >= 11) {
      const auto value = LeadingNumber(rest.substr(0, end));
      if (!value) return std::nullopt;
      ticks += *value;
    }
    rest.remove_prefix(end);
  }
  return ticks;
}

// Counts the links under <dir>/fd by kind. Entries that vanish between
// readdir and readlink (the fd was closed) are skipped. When sampling
// ourselves (`self`), the descriptor of the listing itself is not counted.
int CountFds(const std::string& fd_dir, bool self, FdKinds& kinds) {
  procfs::UniqueDir dir(::opendir(fd_dir.c_str()));
  if (!dir) return errno;
  const int dir_fd = ::dirfd(dir.get());
  char target[256];
  errno = 0;
  while (const dirent* entry = ::readdir(dir.get())) {
    const char* name = entry->d_name;
    if (name[0] == '.') continue;
    if (self && std::atoi(name) == dir_fd) continue;
    const ssize_t n = ::readlinkat(dir_fd, name, target, sizeof(target));
    if (n < 0) continue;  // closed meanwhile (or unreadable): not counted
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

ProcSample Failed(pid_t pid, const std::string& path, int err) {
  ProcSample sample;
  if (err == ENOENT || err == ESRCH) {
    sample.gone = true;
    sample.error = "process " + std::to_string(pid) + " is gone (" + path + ": " + std::strerror(err) + ")";
  } else {
    sample.error = "cannot read " + path + ": " + std::strerror(err);
  }
  return sample;
}

}  // namespace

FdKind ClassifyFdTarget(const std::string& target) {
  const std::string_view t(target);
  if (t.starts_with("socket:[")) return FdKind::kSocket;
  if (t.starts_with("pipe:[")) return FdKind::kPipe;
  if (t.starts_with('/')) return FdKind::kFile;
  return FdKind::kOther;
}

ProcSample ReadProcSample(pid_t pid, const std::string& proc_root) {
  const std::string dir = proc_root + "/" + std::to_string(pid) + "/";
  ProcSample sample;
  std::string buf;

  std::string path = dir + "status";
  if (int err = ReadSmallFile(path, buf)) return Failed(pid, path, err);
  const auto threads = FieldNumber(buf, "Threads:");
  if (!threads) {
    sample.error = path + ": no Threads: line";
    return sample;
  }
  sample.threads = static_cast<std::size_t>(*threads);
  // Zombies and kernel threads have no VmRSS line: 0.
  sample.rss_bytes = FieldNumber(buf, "VmRSS:").value_or(0) * 1024;

  path = dir + "stat";
  if (int err = ReadSmallFile(path, buf)) return Failed(pid, path, err);
  const auto ticks = StatCpuTicks(buf);
  if (!ticks) {
    sample.error = path + ": cannot parse utime/stime";
    return sample;
  }
  static const long kTicksPerSecond = ::sysconf(_SC_CLK_TCK);
  sample.cpu_seconds = static_cast<double>(*ticks) / static_cast<double>(kTicksPerSecond > 0 ? kTicksPerSecond : 100);

  // Optional: absent on old kernels, unreadable without ptrace rights.
  if (ReadSmallFile(dir + "smaps_rollup", buf) == 0) {
    if (const auto pss = FieldNumber(buf, "Pss:")) sample.pss_bytes = *pss * 1024;
  }

  path = dir + "fd";
  const bool self = pid == ::getpid() && proc_root == "/proc";
  if (int err = CountFds(path, self, sample.fds)) return Failed(pid, path, err);

  sample.ok = true;
  return sample;
}

}  // namespace leakbench::harness
