// Starts a private real dockerd, runs a container through it, reads its logs
// back, and checks that destruction leaves no daemon, process, mount or
// directory behind. Skips (with the reason) where a real daemon cannot run.
#include "fakes/tests/support/real_dockerd.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace leakbench::testing {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Live processes whose command line mentions `needle`.
std::vector<std::string> ProcessesMentioning(const std::string& needle) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    std::string stat = ReadAll("/proc/" + name + "/stat");
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z') {
      continue;
    }
    std::string cmdline = ReadAll("/proc/" + name + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(needle) != std::string::npos) found.push_back(name + ": " + cmdline);
  }
  return found;
}

TEST(RealDockerdSmokeTest, RunsAContainerReadsItsLogsAndCleansUp) {
  std::string skip_reason;
  const auto t0 = std::chrono::steady_clock::now();
  auto dockerd = RealDockerd::Start(&skip_reason);
  const auto start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
  if (dockerd == nullptr) GTEST_SKIP() << skip_reason;
  std::cout << "[ info     ] RealDockerd::Start() took " << start_ms << " ms (socket "
            << dockerd->socket_path() << ")\n";

  const pid_t pid = dockerd->pid();
  const std::string root = dockerd->root_dir();
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(std::filesystem::exists(dockerd->socket_path()));

  EXPECT_EQ(Trim(dockerd->Docker("images --format '{{.Repository}}:{{.Tag}}'")),
            RealDockerd::kImage);

  const std::string id = Trim(dockerd->Docker(
      "run -d --network none --name smoke bb:latest sh -c 'echo hello from leakbench'"));
  ASSERT_EQ(id.size(), 64u) << id;
  EXPECT_EQ(Trim(dockerd->Docker("wait " + id)), "0");
  EXPECT_EQ(dockerd->Docker("logs smoke"), "hello from leakbench\n");
  EXPECT_EQ(Trim(dockerd->Docker("inspect -f '{{.Config.Tty}} {{.State.Status}}' smoke")),
            "false exited");

  // A failing command throws with the daemon's message.
  try {
    dockerd->Docker("inspect no-such-container");
    ADD_FAILURE() << "Docker() did not throw";
  } catch (const DockerCliError& e) {
    EXPECT_NE(std::string(e.what()).find("No such"), std::string::npos) << e.what();
  }

  // Leave a running container behind on purpose: the destructor must cope.
  dockerd->Docker("run -d --network none --name sleeper bb:latest sleep 600");

  const auto t1 = std::chrono::steady_clock::now();
  dockerd.reset();
  std::cout << "[ info     ] ~RealDockerd() took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - t1)
                   .count()
            << " ms\n";

  errno = 0;
  EXPECT_EQ(::kill(pid, 0), -1) << "dockerd " << pid << " still exists";
  EXPECT_EQ(errno, ESRCH);
  EXPECT_TRUE(ProcessesMentioning(root).empty())
      << "left behind: " << ProcessesMentioning(root).front();
  EXPECT_EQ(ReadAll("/proc/self/mountinfo").find(root), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(root));
}

}  // namespace
}  // namespace leakbench::testing
