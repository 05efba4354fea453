// Tests for SampleProcessTree, ParseProcStat and EnvironHasEntry: fixture
// /proc trees (descendant closure, marker orphans and their children, comm
// with ") (", vanished and unreadable processes, a ppid cycle) and live
// trees of real processes (a `setsid` child and a `timeout` child out of the
// process group, an orphan reparented to init found by its marker only, a
// zombie, processes exiting mid-scan).
#include "harness/proc/process_tree.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace leakbench::harness {
namespace {

// ---------------------------------------------------------------- parsing

TEST(ParseProcStat, CountsFieldsAfterTheLastParen) {
  const auto s = ParseProcStat(
      "77 (a) (b c) S 5 6 7 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 7 0 12345 1000000 308 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->pid, 77);
  EXPECT_EQ(s->comm, "a) (b c");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 5);
  EXPECT_EQ(s->pgrp, 6);
  EXPECT_EQ(s->session, 7);
  EXPECT_EQ(s->start_ticks, 12345u);
}

TEST(ParseProcStat, NegativeFieldsAndParenComm) {
  // priority -21 (a real-time thread), nice -5, comm ")".
  const auto s = ParseProcStat("9 ()) R 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 -21 -5 1 0 42 0 0\n");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->comm, ")");
  EXPECT_EQ(s->state, 'R');
  EXPECT_EQ(s->ppid, 1);
  EXPECT_EQ(s->start_ticks, 42u);
}

TEST(ParseProcStat, RefusesMalformedLines) {
  EXPECT_FALSE(ParseProcStat(""));
  EXPECT_FALSE(ParseProcStat("12 sleep S 1 12 12"));                                          // no parens
  EXPECT_FALSE(ParseProcStat("12 (sleep) S 1 12"));                                           // cut short
  EXPECT_FALSE(ParseProcStat("12 (sleep) S x 12 12 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0"));  // ppid
  EXPECT_FALSE(ParseProcStat("x2 (sleep) S 1 12 12 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0"));  // pid
  EXPECT_FALSE(ParseProcStat("12 (sleep) SS 1 12 12 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0"));   // state
}

TEST(EnvironHasEntry, MatchesWholeEntriesOnly) {
  using namespace std::string_literals;
  const std::string env = "A=1\0LEAKBENCH_RUN_DIR=/tmp/r.abc\0B=2\0"s;
  EXPECT_TRUE(EnvironHasEntry(env, "LEAKBENCH_RUN_DIR=/tmp/r.abc"));
  EXPECT_TRUE(EnvironHasEntry(env, "A=1"));
  EXPECT_TRUE(EnvironHasEntry(env, "B=2"));
  EXPECT_FALSE(EnvironHasEntry(env, "LEAKBENCH_RUN_DIR=/tmp/r.ab"));     // prefix of the value
  EXPECT_FALSE(EnvironHasEntry(env, "EAKBENCH_RUN_DIR=/tmp/r.abc"));     // suffix of the entry
  EXPECT_FALSE(EnvironHasEntry(env, "LEAKBENCH_RUN_DIR=/tmp/r.abcd"));
  EXPECT_TRUE(EnvironHasEntry("X=1\0K=V"s, "K=V"));  // last entry without its NUL
  EXPECT_FALSE(EnvironHasEntry("XK=V\0K=VX\0"s, "K=V"));
  EXPECT_TRUE(EnvironHasEntry("XK=V\0K=VX\0K=V\0"s, "K=V"));  // a later whole match
  EXPECT_FALSE(EnvironHasEntry("", "K=V"));
  EXPECT_FALSE(EnvironHasEntry(env, ""));
}

// ---------------------------------------------------------------- fixtures

constexpr char kFixtureMarker[] = "LEAKBENCH_RUN_DIR=/tmp/leakbench-run.abc";

// A /proc-like tree of processes in a temporary directory, removed at the end.
class ProcTreeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "proc-tree-fixture-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    root_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  struct Fake {
    pid_t pid = 0;
    pid_t ppid = 1;
    std::string comm = "sleep";
    std::size_t threads = 1;
    std::size_t pipes = 0;
    std::uint64_t rss_kib = 100;
    std::string environ_blob = "PATH=/bin";
  };

  // Writes status, stat, environ, smaps_rollup and `pipes` pipe fds for `p`.
  void AddProcess(const Fake& p) {
    const auto dir = root_ / std::to_string(p.pid);
    std::filesystem::create_directories(dir / "fd");
    std::ofstream(dir / "status") << "Name:\t" << p.comm << "\nState:\tS (sleeping)\nVmRSS:\t" << p.rss_kib
                                  << " kB\nThreads:\t" << p.threads << "\n";
    std::ofstream(dir / "stat") << p.pid << " (" << p.comm << ") S " << p.ppid << " " << p.pid << " " << p.pid
                                << " 0 -1 4194560 100 0 0 0 10 5 0 0 20 0 " << p.threads << " 0 " << 1000 + p.pid
                                << " 1000000 308 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    std::ofstream(dir / "environ", std::ios::binary) << p.environ_blob;
    std::ofstream(dir / "smaps_rollup") << "Rss: " << p.rss_kib << " kB\nPss: " << p.rss_kib / 2 << " kB\n";
    for (std::size_t i = 0; i < p.pipes; ++i) {
      std::filesystem::create_symlink("pipe:[" + std::to_string(i) + "]", dir / "fd" / std::to_string(i));
    }
  }

  static std::string Marked(const std::string& rest = "") {
    return std::string("HOME=/root") + '\0' + kFixtureMarker + '\0' + rest;
  }

  // init (1), kthreadd (2) and a tree:
  //   100 sh (root) -> 101 timeout -> 103 docker "x) (y"
  //                 -> 102 setsid-ed sleep
  //   200 bash (unrelated) -> 201 sleep (unrelated, marker prefix only)
  //   300 orphan with the marker (ppid 1) -> 301 child that cleared its env
  //   400 unrelated, marker as a suffix of another entry
  void AddStandardTree() {
    AddProcess({.pid = 1, .ppid = 0, .comm = "init", .environ_blob = ""});
    AddProcess({.pid = 2, .ppid = 0, .comm = "kthreadd", .environ_blob = ""});
    AddProcess({.pid = 100, .ppid = 50, .comm = "sh", .threads = 1, .pipes = 2, .environ_blob = Marked()});
    AddProcess({.pid = 101, .ppid = 100, .comm = "timeout", .threads = 1, .pipes = 1, .environ_blob = Marked()});
    AddProcess({.pid = 102, .ppid = 100, .comm = "sleep", .threads = 1, .environ_blob = Marked()});
    AddProcess({.pid = 103, .ppid = 101, .comm = "x) (y", .threads = 12, .pipes = 3, .rss_kib = 5000,
                .environ_blob = Marked("Z=1")});
    AddProcess({.pid = 200, .ppid = 1, .comm = "bash", .threads = 1});
    AddProcess({.pid = 201, .ppid = 200, .comm = "sleep", .threads = 1,
                .environ_blob = std::string(kFixtureMarker) + "X"});
    AddProcess({.pid = 300, .ppid = 1, .comm = "orphan", .threads = 4, .pipes = 1, .environ_blob = Marked()});
    AddProcess({.pid = 301, .ppid = 300, .comm = "env-i", .threads = 2, .environ_blob = ""});
    AddProcess({.pid = 400, .ppid = 1, .comm = "other", .environ_blob = std::string("X") + kFixtureMarker});
  }

  static std::vector<pid_t> Pids(const ProcessTreeSample& s) {
    std::vector<pid_t> out;
    for (const ProcessEntry& p : s.processes) out.push_back(p.pid);
    return out;
  }

  static const ProcessEntry* Find(const ProcessTreeSample& s, pid_t pid) {
    for (const ProcessEntry& p : s.processes) {
      if (p.pid == pid) return &p;
    }
    return nullptr;
  }

  std::filesystem::path root_;
};

TEST_F(ProcTreeFixture, DescendantsByParentPid) {
  AddStandardTree();
  const ProcessTreeSample s = SampleProcessTree(100, {}, root_.string());
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_TRUE(s.error.empty()) << s.error;
  EXPECT_EQ(s.unreadable, 0u);
  EXPECT_EQ(s.scanned, 11u);
  EXPECT_EQ(Pids(s), (std::vector<pid_t>{100, 101, 102, 103}));  // no orphan without the marker
  const ProcessEntry* docker = Find(s, 103);
  ASSERT_NE(docker, nullptr);
  EXPECT_EQ(docker->comm, "x) (y");
  EXPECT_EQ(docker->ppid, 101);
  EXPECT_EQ(docker->state, 'S');
  EXPECT_EQ(docker->start_ticks, 1103u);
  EXPECT_FALSE(docker->by_marker);
  EXPECT_EQ(docker->sample.threads, 12u);
  EXPECT_EQ(docker->sample.fds.pipe, 3u);
  EXPECT_EQ(docker->sample.rss_bytes, 5000u * 1024);
  // The sum is over the four processes.
  EXPECT_TRUE(s.total.ok);
  EXPECT_EQ(s.total.threads, 1u + 1 + 1 + 12);
  EXPECT_EQ(s.total.fds.pipe, 2u + 1 + 0 + 3);
  EXPECT_EQ(s.total.rss_bytes, (100u + 100 + 100 + 5000) * 1024);
  ASSERT_TRUE(s.total.pss_bytes.has_value());
  EXPECT_EQ(*s.total.pss_bytes, (50u + 50 + 50 + 2500) * 1024);
  EXPECT_DOUBLE_EQ(s.total.cpu_seconds, 4 * 15.0 / static_cast<double>(::sysconf(_SC_CLK_TCK)));
}

TEST_F(ProcTreeFixture, MarkerAddsOrphansAndTheirChildren) {
  AddStandardTree();
  const ProcessTreeSample s = SampleProcessTree(100, kFixtureMarker, root_.string());
  ASSERT_TRUE(s.ok) << s.error;
  // 201 (the marker's prefix) and 400 (its suffix) are not marked; 301
  // cleared its environment but is the orphan's child.
  EXPECT_EQ(Pids(s), (std::vector<pid_t>{100, 101, 102, 103, 300, 301}));
  for (const ProcessEntry& p : s.processes) {
    EXPECT_EQ(p.by_marker, p.pid >= 300) << p.pid;
  }
  EXPECT_EQ(s.total.threads, 1u + 1 + 1 + 12 + 4 + 2);
  EXPECT_EQ(s.total.fds.total(), 2u + 1 + 3 + 1);
}

TEST_F(ProcTreeFixture, RootGoneLeavesTheMarkedOnes) {
  AddStandardTree();
  std::filesystem::remove_all(root_ / "100");
  // Without the root, its children were reparented: a marker finds them.
  std::filesystem::remove_all(root_ / "101");
  const ProcessTreeSample unmarked = SampleProcessTree(100, {}, root_.string());
  EXPECT_FALSE(unmarked.ok);
  EXPECT_FALSE(unmarked.total.ok);
  EXPECT_NE(unmarked.error.find("root 100"), std::string::npos) << unmarked.error;
  EXPECT_TRUE(unmarked.processes.empty());

  const ProcessTreeSample marked = SampleProcessTree(100, kFixtureMarker, root_.string());
  ASSERT_TRUE(marked.ok) << marked.error;
  EXPECT_EQ(Pids(marked), (std::vector<pid_t>{102, 103, 300, 301}));
}

TEST_F(ProcTreeFixture, NoMarkedProcessNamesTheMarker) {
  AddProcess({.pid = 1, .ppid = 0, .comm = "init"});
  const ProcessTreeSample s = SampleProcessTree(100, kFixtureMarker, root_.string());
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.error.find(kFixtureMarker), std::string::npos) << s.error;
}

TEST_F(ProcTreeFixture, VanishedProcessesAreSkippedSilently) {
  AddStandardTree();
  // 102 exited after its stat was listed (no status); 104 is a directory
  // whose stat is already gone.
  std::filesystem::remove(root_ / "102" / "status");
  std::filesystem::create_directories(root_ / "104");
  const ProcessTreeSample s = SampleProcessTree(100, {}, root_.string());
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(Pids(s), (std::vector<pid_t>{100, 101, 103}));
  EXPECT_EQ(s.unreadable, 0u);
  EXPECT_TRUE(s.error.empty()) << s.error;
}

TEST_F(ProcTreeFixture, UnreadableProcessIsCountedWithItsError) {
  AddStandardTree();
  // fd/ is not a directory: ENOTDIR, not "gone".
  std::filesystem::remove_all(root_ / "102" / "fd");
  std::ofstream(root_ / "102" / "fd") << "x";
  const ProcessTreeSample s = SampleProcessTree(100, {}, root_.string());
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(Pids(s), (std::vector<pid_t>{100, 101, 103}));
  EXPECT_EQ(s.unreadable, 1u);
  EXPECT_NE(s.error.find("102/fd"), std::string::npos) << s.error;
}

TEST_F(ProcTreeFixture, ParentCycleEnds) {
  // A torn read could show 100 as its own grandchild's child.
  AddProcess({.pid = 100, .ppid = 102});
  AddProcess({.pid = 101, .ppid = 100});
  AddProcess({.pid = 102, .ppid = 101});
  AddProcess({.pid = 103, .ppid = 1});
  const ProcessTreeSample s = SampleProcessTree(101, kFixtureMarker, root_.string());
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(Pids(s), (std::vector<pid_t>{100, 101, 102}));
}

TEST_F(ProcTreeFixture, NonPidEntriesAreIgnored) {
  AddStandardTree();
  std::filesystem::create_directories(root_ / "self");
  std::filesystem::create_directories(root_ / "12a");
  std::ofstream(root_ / "uptime") << "1.0 1.0\n";
  const ProcessTreeSample s = SampleProcessTree(100, {}, root_.string());
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.scanned, 11u);
}

TEST(SampleProcessTree, MissingProcRootIsAnError) {
  const ProcessTreeSample s = SampleProcessTree(1, {}, "/nonexistent/proc-root");
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.error.find("/nonexistent/proc-root"), std::string::npos) << s.error;
}

// ---------------------------------------------------------------- live

// The marker every live tree of this test binary carries: unique per tree.
std::string LiveMarker() {
  static int counter = 0;
  return "LEAKBENCH_RUN_DIR=/tmp/leakbench-proc-tree-test." + std::to_string(::getpid()) + "." +
         std::to_string(++counter);
}

// /proc/<pid>/cmdline with NULs as spaces ("" when gone).
std::string Cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& c : text) {
    if (c == '\0') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// Every process but this one whose environ holds `marker`: an independent
// scan (not SampleProcessTree), so cleanup works even if the code under test
// is broken.
std::vector<pid_t> PidsCarrying(const std::string& marker) {
  std::vector<pid_t> out;
  const std::string needle = '\0' + marker + '\0';
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) continue;
    std::ifstream in(entry.path() / "environ", std::ios::binary);
    const std::string blob((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string env = '\0' + blob + '\0';
    if (env.find(needle) != std::string::npos) out.push_back(pid);
  }
  return out;
}

// `/bin/sh -c script` in its own process group with `marker` in its
// environment. The destructor SIGKILLs the group, reaps the shell, then
// SIGKILLs every process carrying the marker until none is left (bounded):
// nothing outlives the test.
class MarkedShell {
 public:
  MarkedShell(const std::string& script, std::string marker) : marker_(std::move(marker)) {
    std::vector<std::string> env_strings;
    for (char** e = ::environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.push_back(marker_);
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string sh = "/bin/sh", dash_c = "-c", body = script;
    char* argv[] = {sh.data(), dash_c.data(), body.data(), nullptr};
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::execve(argv[0], argv, envp.data());
      ::_exit(127);
    }
  }
  MarkedShell(const MarkedShell&) = delete;
  MarkedShell& operator=(const MarkedShell&) = delete;

  ~MarkedShell() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    // What left the group (setsid, timeout, orphans) still carries the
    // marker. Killed orphans are reaped by init; a zombie's environ is empty.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      const std::vector<pid_t> left = PidsCarrying(marker_);
      for (const pid_t pid : left) ::kill(pid, SIGKILL);
      if (left.empty() || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  pid_t pid() const { return pid_; }
  const std::string& marker() const { return marker_; }

 private:
  std::string marker_;
  pid_t pid_ = -1;
};

// Samples until `done(sample)` holds or 10 s pass; returns the last sample.
ProcessTreeSample SampleUntil(const MarkedShell& shell, bool with_marker,
                              const std::function<bool(const ProcessTreeSample&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    ProcessTreeSample s = SampleProcessTree(shell.pid(), with_marker ? shell.marker() : std::string());
    if (done(s) || std::chrono::steady_clock::now() > deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// cmdline -> entry, for every process of the sample.
std::map<std::string, ProcessEntry> ByCmdline(const ProcessTreeSample& s) {
  std::map<std::string, ProcessEntry> out;
  for (const ProcessEntry& p : s.processes) out[Cmdline(p.pid)] = p;
  return out;
}

ProcStat StatOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto stat = ParseProcStat(text);
  EXPECT_TRUE(stat.has_value()) << "pid " << pid << ": " << text;
  return stat.value_or(ProcStat{});
}

TEST(SampleProcessTreeLive, FindsSetsidTimeoutAndMarkedOrphan) {
  // sleep 31: in the group; 32: its own session; 34 under GNU timeout (its
  // own group); 33: its subshell exits, so init adopts it (marker only).
  MarkedShell shell(
      "sleep 31 & setsid sleep 32 & timeout 60 sleep 34 & (sleep 33 &) ; wait",
      LiveMarker());
  ASSERT_GT(shell.pid(), 0);
  const std::set<std::string> expected = {"sleep 31", "sleep 32", "sleep 33", "timeout 60 sleep 34", "sleep 34"};
  // All there, and the subshell of `(sleep 33 &)` gone: until it exits,
  // sleep 33 is still its child, a descendant like any other.
  auto all_found = [&](const ProcessTreeSample& s) {
    const auto found = ByCmdline(s);
    for (const std::string& cmd : expected) {
      if (!found.contains(cmd)) return false;
    }
    return found.at("sleep 33").by_marker;
  };
  const ProcessTreeSample s = SampleUntil(shell, true, all_found);
  ASSERT_TRUE(s.ok) << s.error;
  const auto found = ByCmdline(s);
  for (const std::string& cmd : expected) {
    EXPECT_TRUE(found.contains(cmd)) << "not found: " << cmd;
  }
  ASSERT_TRUE(all_found(s));
  EXPECT_EQ(s.unreadable, 0u) << s.error;

  const ProcStat root = StatOf(shell.pid());
  // The setsid child and the timeout left the root's process group (a
  // process-group sum misses them); found by parent pid.
  const ProcessEntry& setsid_child = found.at("sleep 32");
  const ProcStat setsid_stat = StatOf(setsid_child.pid);
  EXPECT_EQ(setsid_stat.session, setsid_child.pid);
  EXPECT_NE(setsid_stat.pgrp, root.pgrp);
  EXPECT_FALSE(setsid_child.by_marker);
  EXPECT_EQ(setsid_child.ppid, shell.pid());
  const ProcessEntry& timeout = found.at("timeout 60 sleep 34");
  EXPECT_NE(StatOf(timeout.pid).pgrp, root.pgrp);
  EXPECT_EQ(found.at("sleep 34").ppid, timeout.pid);
  EXPECT_FALSE(found.at("sleep 34").by_marker);
  // The orphan's parent is outside the tree: the marker found it.
  const ProcessEntry& orphan = found.at("sleep 33");
  EXPECT_TRUE(orphan.by_marker);
  for (const ProcessEntry& p : s.processes) EXPECT_NE(p.pid, orphan.ppid);

  // Per process and summed.
  ProcSample sum;
  for (const ProcessEntry& p : s.processes) {
    EXPECT_TRUE(p.sample.ok) << p.pid;
    EXPECT_GE(p.sample.threads, 1u);
    EXPECT_FALSE(p.comm.empty());
    sum.threads += p.sample.threads;
    sum.rss_bytes += p.sample.rss_bytes;
    sum.fds.pipe += p.sample.fds.pipe;
  }
  EXPECT_EQ(s.total.threads, sum.threads);
  EXPECT_EQ(s.total.rss_bytes, sum.rss_bytes);
  EXPECT_EQ(s.total.fds.pipe, sum.fds.pipe);
  EXPECT_TRUE(std::is_sorted(s.processes.begin(), s.processes.end(),
                             [](const ProcessEntry& a, const ProcessEntry& b) { return a.pid < b.pid; }));

  // Without the marker the orphan is not found, everything else is.
  const ProcessTreeSample unmarked = SampleProcessTree(shell.pid());
  ASSERT_TRUE(unmarked.ok) << unmarked.error;
  const auto unmarked_found = ByCmdline(unmarked);
  EXPECT_FALSE(unmarked_found.contains("sleep 33"));
  for (const char* cmd : {"sleep 31", "sleep 32", "sleep 34", "timeout 60 sleep 34"}) {
    EXPECT_TRUE(unmarked_found.contains(cmd)) << cmd;
  }
}

TEST(SampleProcessTreeLive, KeepsZombies) {
  // /bin/true exits and is never reaped by the sleep exec'd over its parent.
  MarkedShell shell("/bin/true & exec sleep 35", LiveMarker());
  ASSERT_GT(shell.pid(), 0);
  const ProcessTreeSample s = SampleUntil(shell, false, [](const ProcessTreeSample& x) {
    for (const ProcessEntry& p : x.processes) {
      if (p.state == 'Z') return true;
    }
    return false;
  });
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.unreadable, 0u) << s.error;
  ASSERT_EQ(s.processes.size(), 2u);
  const ProcessEntry& zombie = s.processes[0].pid == shell.pid() ? s.processes[1] : s.processes[0];
  EXPECT_EQ(zombie.state, 'Z');
  EXPECT_EQ(zombie.ppid, shell.pid());
  EXPECT_EQ(zombie.sample.threads, 1u);
  EXPECT_EQ(zombie.sample.fds.total(), 0u);
}

TEST(SampleProcessTreeLive, ProcessesExitingMidScanAreNotErrors) {
  // A shell starting short-lived processes without pause: background sleeps
  // of 0.1 s (some alive at every sample, some exiting during it) and
  // /bin/true (gone within milliseconds).
  MarkedShell shell("while :; do sleep 0.1 & /bin/true; done", LiveMarker());
  ASSERT_GT(shell.pid(), 0);
  std::size_t samples = 0, with_children = 0, vanished = 0;
  // At least 200 samples, and more (for up to 30 s) until one has caught a
  // process exiting between being listed and being read: a loaded machine
  // or a sanitizer build may read slower than the sleeps come and go.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (samples < 200 || ((with_children == 0 || vanished == 0) && std::chrono::steady_clock::now() < deadline)) {
    const ProcessTreeSample s = SampleProcessTree(shell.pid(), shell.marker());
    ++samples;
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.unreadable, 0u) << s.error;
    EXPECT_TRUE(s.error.empty()) << s.error;
    if (s.processes.size() > 1) ++with_children;
    vanished += s.vanished;
  }
  EXPECT_GT(with_children, 0u) << samples << " samples";
  EXPECT_GT(vanished, 0u) << "no process exited mid-scan in " << samples << " samples: nothing was tested";
}

TEST(SampleProcessTreeLive, CostOfFortyProcesses) {
  // Logged, not asserted: the figure the README quotes.
  MarkedShell shell("for i in $(seq 40); do sleep 36 & done; wait", LiveMarker());
  ASSERT_GT(shell.pid(), 0);
  const ProcessTreeSample ready =
      SampleUntil(shell, false, [](const ProcessTreeSample& s) { return s.processes.size() == 41; });
  ASSERT_EQ(ready.processes.size(), 41u) << ready.error;
  for (const bool with_marker : {false, true}) {
    constexpr int kRounds = 50;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) {
      const ProcessTreeSample s = SampleProcessTree(shell.pid(), with_marker ? shell.marker() : std::string());
      ASSERT_EQ(s.processes.size(), 41u) << s.error;
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / kRounds;
    std::printf("SampleProcessTree: 41 processes of %zu listed, marker %s: %.2f ms per sample\n", ready.scanned,
                with_marker ? "on" : "off", ms);
  }
}

}  // namespace
}  // namespace leakbench::harness
