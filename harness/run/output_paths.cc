#include "harness/run/output_paths.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace leakbench::harness {
namespace {

namespace fs = std::filesystem;

std::string Cut(const std::string& text) { return text.size() <= 200 ? text : text.substr(0, 200) + "..."; }

[[noreturn]] void Fail(const std::string& flag, const std::string& path, const std::string& why) {
  throw std::runtime_error(flag + " " + Cut(path) + ": " + why);
}

}  // namespace

void PrepareOutputDir(const std::string& flag, const std::string& dir) {
  if (dir.empty()) Fail(flag, "\"\"", "an empty path (give a directory)");
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    Fail(flag, dir, "exists and is not a directory (choose another path or remove it)");
  }
  fs::create_directories(dir, ec);
  if (ec) Fail(flag, dir, "cannot create the directory: " + ec.message() + " (choose a writable place)");
  // access(2) says yes to root on a read-only mount: try for real.
  std::string probe = (fs::path(dir) / ".leakbench-write-test.XXXXXX").string();
  const int fd = mkstemp(probe.data());
  if (fd < 0) {
    Fail(flag, dir, std::string("cannot write there: ") + std::strerror(errno) + " (choose a writable directory)");
  }
  close(fd);
  unlink(probe.c_str());
}

void CheckOutputFile(const std::string& flag, const std::string& file) {
  if (file.empty()) Fail(flag, "\"\"", "an empty path (give a file name)");
  std::error_code ec;
  if (fs::is_directory(file, ec)) Fail(flag, file, "is a directory (give a file name)");
  const fs::path parent = fs::path(file).parent_path();
  PrepareOutputDir(flag + " (its directory)", parent.empty() ? "." : parent.string());
}

OutputDirLock::OutputDirLock(const std::string& flag, const std::string& dir) {
  const std::string path = (fs::path(dir) / ".leakbench.lock").string();
  fd_.Reset(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd_.valid()) Fail(flag, dir, std::string("cannot open its lock file: ") + std::strerror(errno));
  if (flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    const ssize_t n = pread(fd_.get(), buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "?";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    Fail(flag, dir, "another leakbench (pid " + pid + ") is writing there; wait for it or choose another " + flag);
  }
  const std::string me = std::to_string(getpid()) + "\n";
  if (ftruncate(fd_.get(), 0) != 0 || pwrite(fd_.get(), me.data(), me.size(), 0) < 0) {
    Fail(flag, dir, std::string("cannot write its lock file: ") + std::strerror(errno));
  }
}

}  // namespace leakbench::harness
