// Finds a Docker daemon's processes so they can be sampled like the
// target: the process listening on a Unix socket (SO_PEERCRED: dockerd
// behind --docker-host) and a daemon's child by name (the containerd a
// private dockerd started). Pure reads of /proc; thread-safe.
#pragma once

#include <sys/types.h>

#include <string>

namespace leakbench::harness {

// The pid of the process that listens on `socket_path` as seen from here;
// -1 with `why` set when there is none (not a socket, another pid
// namespace: the peer's pid reads 0).
pid_t SocketPeerPid(const std::string& socket_path, std::string* why);

// The first child of `parent` whose comm is `comm`; -1 when none.
pid_t ChildNamed(pid_t parent, const std::string& comm, const std::string& proc_root = "/proc");

// /proc/<pid>/comm without its newline; "" when unreadable.
std::string ProcComm(pid_t pid, const std::string& proc_root = "/proc");

}  // namespace leakbench::harness
