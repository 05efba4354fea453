// Checks leakbench's output paths before a run starts (so a typo fails in a
// second, not after the run), and the lock that keeps two leakbench runs
// from writing into one --out directory. Errors are one line naming the
// flag, the path and what to do. Used from the main thread.
#pragma once

#include <string>

#include "common/unique_fd.h"

namespace leakbench::harness {

// Creates `dir` (and its parents) when missing and proves it writable by
// creating and removing a file in it. Throws std::runtime_error naming `flag`.
void PrepareOutputDir(const std::string& flag, const std::string& dir);

// `file`'s directory exists or can be created and is writable, and `file`
// is not a directory. Throws std::runtime_error naming `flag`.
void CheckOutputFile(const std::string& flag, const std::string& file);

// flock(2) on DIR/.leakbench.lock, with this process's pid in it, held until
// destruction (the kernel drops it if leakbench dies). Throws
// std::runtime_error naming the pid of the leakbench that holds it.
class OutputDirLock {
 public:
  OutputDirLock(const std::string& flag, const std::string& dir);
  OutputDirLock(const OutputDirLock&) = delete;
  OutputDirLock& operator=(const OutputDirLock&) = delete;

 private:
  UniqueFd fd_;
};

}  // namespace leakbench::harness
