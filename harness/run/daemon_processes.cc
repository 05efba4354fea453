#include "harness/run/daemon_processes.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/unique_fd.h"
#include "harness/proc/process_tree.h"

namespace leakbench::harness {

pid_t SocketPeerPid(const std::string& socket_path, std::string* why) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    *why = "the socket path " + socket_path + " is too long";
    return -1;
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid() || connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    *why = "cannot connect to " + socket_path + ": " + std::strerror(errno);
    return -1;
  }
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    *why = std::string("SO_PEERCRED on ") + socket_path + ": " + std::strerror(errno);
    return -1;
  }
  if (cred.pid <= 0) {
    *why = "the process behind " + socket_path + " lives in another pid namespace (its pid reads 0 here)";
    return -1;
  }
  return cred.pid;
}

pid_t ChildNamed(pid_t parent, const std::string& comm, const std::string& proc_root) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(proc_root, ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "stat");
    std::stringstream text;
    text << in.rdbuf();
    const auto stat = ParseProcStat(text.str());
    if (stat && stat->ppid == parent && stat->comm == comm) return stat->pid;
  }
  return -1;
}

std::string ProcComm(pid_t pid, const std::string& proc_root) {
  std::ifstream in(proc_root + "/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

}  // namespace leakbench::harness
