#include "core/docker/socket_hint.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace logcap {

std::string UnixSocketHint(const std::string& path, const SocketFacts& facts, uid_t euid,
                           const std::vector<gid_t>& groups) {
  if (facts.stat_errno == ENOENT) {
    return "no socket at " + path + ": is dockerd running, and is its socket mounted here?";
  }
  if (facts.stat_errno != 0) return "cannot stat " + path + ": " + std::strerror(facts.stat_errno);
  if (!S_ISSOCK(facts.mode)) return path + " is not a socket";
  bool may_write = euid == 0;
  if (!may_write) {
    const bool in_group = std::find(groups.begin(), groups.end(), facts.group) != groups.end();
    if (euid == facts.owner) {
      may_write = (facts.mode & S_IWUSR) != 0;
    } else if (in_group) {
      may_write = (facts.mode & S_IWGRP) != 0;
    } else {
      may_write = (facts.mode & S_IWOTH) != 0;
    }
  }
  if (!may_write) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(facts.mode & 07777));
    const std::string gid = std::to_string(facts.group);
    return "permission denied on " + path + " (owner uid " + std::to_string(facts.owner) + ", group gid " + gid +
           ", mode " + mode + "): run log-capturer as a member of group " + gid + " (docker run --group-add " + gid +
           "; in the soak stack set DOCKER_GID=" + gid + ")";
  }
  return "nothing accepted the connection on " + path + ": is dockerd running?";
}

std::string UnixSocketHint(const std::string& path) {
  SocketFacts facts;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    facts.stat_errno = errno;
  } else {
    facts.mode = st.st_mode;
    facts.owner = st.st_uid;
    facts.group = st.st_gid;
  }
  std::vector<gid_t> groups(static_cast<std::size_t>(std::max(0, getgroups(0, nullptr))));
  const int n = getgroups(static_cast<int>(groups.size()), groups.data());
  groups.resize(static_cast<std::size_t>(std::max(0, n)));
  groups.push_back(getegid());
  return UnixSocketHint(path, facts, geteuid(), groups);
}

}  // namespace logcap
