#include "harness/run/workload_image.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "harness/run/child_process.h"

namespace leakbench::harness {
namespace {

namespace fs = std::filesystem;

// FNV-1a over a file's bytes.
std::uint64_t HashFile(const std::string& path, std::uint64_t h) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buf[i]);
      h *= 1099511628211ull;
    }
  }
  return h;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs argv to its end (bounded); throws with its stderr when it fails.
void RunToEnd(const std::vector<std::string>& argv, const std::string& dir) {
  ChildProcess c(argv, dir + "/step.out", dir + "/step.err");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!c.Poll() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const ChildExit e = c.Stop(SIGKILL, std::chrono::milliseconds(100));
  if (e.code != 0) throw std::runtime_error(argv[0] + " failed (" + e.ToString() + "): " + ReadAll(dir + "/step.err").substr(0, 500));
}

}  // namespace

std::string EnsureWorkloadImage(const DockerClient& docker, const std::string& emitter, const std::string& busybox,
                                const std::string& work_dir) {
  if (emitter.empty() || !fs::exists(emitter)) {
    throw std::runtime_error("the workload emitter '" + emitter + "' is missing; build it: cmake --build --preset release "
                             "--target leakbench-emitter (or pass --emitter PATH)");
  }
  if (!fs::exists(busybox)) {
    throw std::runtime_error(busybox + " is missing: the workload image needs busybox-static (apt-get install busybox-static)");
  }
  char tag[17];
  std::snprintf(tag, sizeof tag, "%016llx",
                static_cast<unsigned long long>(HashFile(busybox, HashFile(emitter, 14695981039346656037ull))));
  const std::string image = std::string(kWorkloadRepo) + ":" + tag;
  if (docker.Call("GET", "/images/" + image + "/json").status == 200) return image;  // built before: reused

  const std::string root = work_dir + "/rootfs";
  fs::create_directories(root + "/bin");
  fs::create_directories(root + "/tmp");
  fs::copy_file(busybox, root + "/bin/busybox", fs::copy_options::overwrite_existing);
  fs::create_symlink("busybox", root + "/bin/sh");
  fs::copy_file(emitter, root + "/leakbench-emitter", fs::copy_options::overwrite_existing);
  fs::permissions(root + "/leakbench-emitter", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                                   fs::perms::others_read | fs::perms::others_exec);
  const std::string tarball = work_dir + "/rootfs.tar";
  RunToEnd({"/bin/tar", "--numeric-owner", "--owner=0", "--group=0", "-C", root, "-cf", tarball, "."}, work_dir);
  const DockerReply r = docker.PostFile("/images/create?fromSrc=-&repo=" + std::string(kWorkloadRepo) + "&tag=" + tag,
                                        tarball, "application/x-tar", std::chrono::minutes(5));
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::remove(tarball, ec);
  if (r.status != 200 || r.body.find("errorDetail") != std::string::npos) {
    throw std::runtime_error("importing the workload image " + image + " failed: HTTP " + std::to_string(r.status) +
                             ": " + r.body.substr(0, 500));
  }
  return image;
}

}  // namespace leakbench::harness
