// What a Docker daemon leaves behind when it dies uncleanly, found and
// removed without its help: the processes in its containers' cgroup
// subtree (killed, then the cgroups removed) and the mounts under its
// directories (detached, deepest first). Used after a private dockerd
// stops and by the watchdog when leakbench is killed. Thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace leakbench::harness {

// SIGKILLs every process in cgroup `name` (e.g. "/leakbench-AbC123") and
// below, in every cgroup hierarchy, then removes those cgroups. Returns how
// many processes it killed.
std::size_t KillCgroupTree(const std::string& name);

// Detaches every mount at or below `dir`, deepest first.
void UnmountUnder(const std::string& dir);

}  // namespace leakbench::harness
