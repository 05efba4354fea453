// Why a connection to a Unix socket failed, in words a user can act on: no
// such file, not a socket, no permission (and which group would give it), or
// nothing listening. Appended to libcurl's "Couldn't connect to server".
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace logcap {

// What stat(2) said about the path (stat_errno 0: it exists).
struct SocketFacts {
  int stat_errno = 0;
  mode_t mode = 0;
  uid_t owner = 0;
  gid_t group = 0;
};

// The hint for `path`, looked up now for this process.
std::string UnixSocketHint(const std::string& path);

// The decision itself, for given facts, effective uid and groups.
std::string UnixSocketHint(const std::string& path, const SocketFacts& facts, uid_t euid,
                           const std::vector<gid_t>& groups);

}  // namespace logcap
