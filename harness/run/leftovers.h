// What a Docker daemon leaves behind when it dies uncleanly, found and
// removed without its help: the processes in its containers' cgroup
// subtree (killed, then the cgroups removed) and the mounts under its
// directories (detached, deepest first). Used after a private dockerd
// stops and by the watchdog when leakbench is killed; and the processes
// of a container found the same way, to signal them when the daemon is too
// starved to. Thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace leakbench::harness {

// Every process in cgroup `name` (e.g. "/leakbench-AbC123/<container id>")
// and below, in any hierarchy mounted here; empty when there is none.
std::vector<pid_t> CgroupProcesses(const std::string& name);

// SIGKILLs every process in cgroup `name` (e.g. "/leakbench-AbC123") and
// below, in every cgroup hierarchy, then removes those cgroups. Returns how
// many processes it killed.
std::size_t KillCgroupTree(const std::string& name);

// Detaches every mount at or below `dir`, deepest first.
void UnmountUnder(const std::string& dir);

}  // namespace leakbench::harness
