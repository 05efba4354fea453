// Copies a finished run's directory for --keep-run-dir, entry by entry, and says what it did not keep and why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace leakbench::harness {

// A part of the run directory that is not worth keeping, and why (the
// private dockerd's layer store: a copy of the workload image per container).
struct SkippedSubtree {
  std::string relative_path;  // e.g. "d/data/vfs"
  std::string why;
};

struct KeptRunDir {
  std::uint64_t files = 0, bytes = 0, links = 0;
  std::uint64_t special = 0;           // sockets, FIFOs and devices: nothing to read in them
  std::vector<std::string> not_kept;   // "<relative path>: <why>", for every entry left out otherwise
};

// Copies regular files, directories and symbolic links (as links) from
// `from` into `to`, which is created. Sockets, FIFOs and devices are
// counted and left out; so are `skip` subtrees and directories on another
// file system (a mount point is never crossed). A file that cannot be
// copied is listed with the error, and the copy goes on with the next entry.
KeptRunDir KeepRunDir(const std::string& from, const std::string& to, const std::vector<SkippedSubtree>& skip);

// One paragraph for the user: where the run was kept, how much, and every
// entry left out (the first 20, then how many more).
std::string DescribeKeptRunDir(const KeptRunDir& kept, const std::string& to);

}  // namespace leakbench::harness
