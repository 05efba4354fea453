// Samples every process a target started, each on its own and summed: the
// root's descendants by parent pid (whatever their process group or
// session: `timeout`, `setsid`), plus the processes carrying the run's
// environment marker (orphans reparented to init) and their descendants.
// One pass over /proc per sample; pure reads; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/proc/proc_sample.h"

namespace leakbench::harness {

// The fields of /proc/<pid>/stat that place a process in a tree.
struct ProcStat {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgrp = 0;
  pid_t session = 0;
  char state = '?';               // R, S, D, Z, T, ...
  std::uint64_t start_ticks = 0;  // start time after boot, clock ticks
  std::string comm;               // may hold spaces and ')'
};

// Parses one /proc/<pid>/stat line; comm (field 2) may contain spaces and
// ") (", so fields 3.. are counted after the LAST ')'. nullopt if malformed.
std::optional<ProcStat> ParseProcStat(std::string_view stat);

// Whether a /proc/<pid>/environ blob (NUL-separated) holds `entry` as one
// whole entry ("K=V" matches neither "XK=V" nor "K=VX").
bool EnvironHasEntry(std::string_view env_blob, std::string_view entry);

// One process of a tree sample.
struct ProcessEntry {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string comm;
  char state = '?';
  std::uint64_t start_ticks = 0;  // with pid, names the process across pid reuse
  bool by_marker = false;         // not a descendant of root: found by the marker
  ProcSample sample;              // always ok
};

struct ProcessTreeSample {
  bool ok = false;  // at least one process was read
  // !ok: why. ok: the first unreadable process's error (see `unreadable`).
  std::string error;
  std::vector<ProcessEntry> processes;  // sorted by pid; readable ones only
  ProcSample total;                     // summed; pss when any process had one
  // In the tree but not readable (EACCES, malformed); a process exiting
  // mid-scan is normal and counts in `vanished`, not here.
  std::size_t unreadable = 0;
  std::size_t vanished = 0;  // in the tree when listed, gone before they were read
  std::size_t scanned = 0;   // processes listed under proc_root
};

// Samples `root` and its descendants, and when `marker` is not empty
// ("LEAKBENCH_RUN_DIR=/tmp/leakbench-run.abc") every process whose environ
// holds that exact entry, with their descendants. proc_root lets tests
// point at a fixture tree.
ProcessTreeSample SampleProcessTree(pid_t root, std::string_view marker = {},
                                    const std::string& proc_root = "/proc");

}  // namespace leakbench::harness
