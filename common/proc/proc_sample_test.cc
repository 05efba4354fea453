// Tests for ReadProcSample, ReadRunDelayNs and ClassifyFdTarget: sampling
// this very process while it creates threads, pipes, sockets, files, memory
// and CPU time; a fixture /proc tree (odd comm, every fd kind, no
// smaps_rollup, schedstat); and a pid that no longer exists.
#include "common/proc/proc_sample.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "common/proc/proc_file.h"
#include "common/unique_fd.h"

namespace leakbench {
namespace proc_sample_test {  // named, not anonymous: the unity build joins the test files

ProcSample SampleSelf() {
  ProcSample s = ReadProcSample(::getpid());
  EXPECT_TRUE(s.ok) << s.error;
  return s;
}

TEST(ClassifyFdTarget, KnowsEachKind) {
  EXPECT_EQ(ClassifyFdTarget("socket:[123]"), FdKind::kSocket);
  EXPECT_EQ(ClassifyFdTarget("pipe:[4]"), FdKind::kPipe);
  EXPECT_EQ(ClassifyFdTarget("/var/log/x"), FdKind::kFile);
  EXPECT_EQ(ClassifyFdTarget("/dev/null"), FdKind::kFile);
  EXPECT_EQ(ClassifyFdTarget("anon_inode:[eventfd]"), FdKind::kOther);
  EXPECT_EQ(ClassifyFdTarget("anon_inode:[eventpoll]"), FdKind::kOther);
  EXPECT_EQ(ClassifyFdTarget(""), FdKind::kOther);
}

TEST(ReadProcSampleSelf, ReadsEveryField) {
  const ProcSample s = SampleSelf();
  EXPECT_GE(s.threads, 1u);
  EXPECT_GE(s.fds.total(), 3u);
  EXPECT_GT(s.rss_bytes, 0u);
  EXPECT_GE(s.cpu_seconds, 0.0);
  EXPECT_TRUE(s.error.empty());
  if (s.pss_bytes) {
    EXPECT_GT(*s.pss_bytes, 0u);
  }
}

TEST(ReadProcSampleSelf, CountsAThread) {
  // Sanitizer runtimes may start a background thread on the first thread
  // creation: have that happen before the baseline.
  std::thread([] {}).join();
  const ProcSample before = SampleSelf();

  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::thread worker([&] {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
  });
  const ProcSample during = SampleSelf();
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  worker.join();
  EXPECT_EQ(during.threads, before.threads + 1);
  EXPECT_EQ(SampleSelf().threads, before.threads);
}

TEST(ReadProcSampleSelf, CountsPipesSocketsAndFiles) {
  const ProcSample before = SampleSelf();
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  const ProcSample with_pipe = SampleSelf();
  EXPECT_EQ(with_pipe.fds.pipe, before.fds.pipe + 2);
  EXPECT_EQ(with_pipe.fds.socket, before.fds.socket);

  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  const ProcSample with_socket = SampleSelf();
  EXPECT_EQ(with_socket.fds.socket, before.fds.socket + 2);

  UniqueFd file(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(file.valid());
  const ProcSample with_file = SampleSelf();
  EXPECT_EQ(with_file.fds.file, before.fds.file + 1);
  EXPECT_EQ(with_file.fds.total(), before.fds.total() + 5);

  r.Reset();
  w.Reset();
  a.Reset();
  b.Reset();
  file.Reset();
  EXPECT_EQ(SampleSelf().fds.total(), before.fds.total());
}

TEST(ReadProcSampleSelf, RssGrowsWhenMemoryIsTouched) {
  constexpr std::size_t kBytes = 64u << 20;
  const ProcSample before = SampleSelf();
  void* mem = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  volatile char* bytes = static_cast<char*>(mem);
  for (std::size_t i = 0; i < kBytes; i += 4096) bytes[i] = 1;
  const ProcSample after = SampleSelf();
  ::munmap(mem, kBytes);
  EXPECT_GE(after.rss_bytes, before.rss_bytes + (48u << 20));
  if (before.pss_bytes && after.pss_bytes) {
    EXPECT_GE(*after.pss_bytes, *before.pss_bytes + (48u << 20));
  }
}

double ProcessCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

TEST(ReadProcSampleSelf, CpuGrowsAfterABusyLoop) {
  const ProcSample before = SampleSelf();
  // Spin until this process has used 60 ms of CPU, bounded in wall time so
  // a starved machine cannot hang the test.
  const double start = ProcessCpuSeconds();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  volatile std::uint64_t sink = 0;
  while (ProcessCpuSeconds() - start < 0.06 && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 10000; ++i) sink = sink + static_cast<std::uint64_t>(i);
  }
  ASSERT_GE(ProcessCpuSeconds() - start, 0.06) << "did not get 60 ms of CPU within 10 s";
  const ProcSample after = SampleSelf();
  // /proc accounts in clock ticks (10 ms at 100 Hz): allow for rounding.
  EXPECT_GE(after.cpu_seconds, before.cpu_seconds + 0.03);
}

// A /proc-like tree in a temporary directory, removed at the end.
class FixtureTree : public ::testing::Test {
 protected:
  static constexpr pid_t kPid = 4242;

  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "proc-fixture-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    root_ = templ;
    pid_dir_ = root_ / std::to_string(kPid);
    std::filesystem::create_directories(pid_dir_ / "fd");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(pid_dir_ / name) << text;
  }
  void Link(const std::string& fd, const std::string& target) {
    ASSERT_EQ(::symlink(target.c_str(), (pid_dir_ / "fd" / fd).c_str()), 0);
  }
  void WriteStandardFiles() {
    Write("status",
          "Name:\tweird) (name\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t  20000 kB\n"
          "VmRSS:\t    1234 kB\nRssAnon:\t     500 kB\nThreads:\t7\nSigQ:\t0/1000\n");
    // comm "a) (b" contains ") (": fields are counted after the last ')'.
    // utime (14) = 250, stime (15) = 150.
    Write("stat",
          std::to_string(kPid) +
              " (a) (b) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 7 0 12345 "
              "1000000 308 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
    Link("0", "socket:[1]");
    Link("1", "pipe:[2]");
    Link("2", "/tmp/x");
    Link("3", "anon_inode:[eventfd]");
    Link("4", "socket:[5]");
  }

  std::filesystem::path root_;
  std::filesystem::path pid_dir_;
};

TEST_F(FixtureTree, ParsesEveryFile) {
  WriteStandardFiles();
  Write("schedstat", "1234 5678 9\n");
  Write("smaps_rollup",
        "00400000-7ffd0000 ---p 00000000 00:00 0                                  [rollup]\n"
        "Rss:                1234 kB\nPss:                 999 kB\nPss_Anon:            400 kB\n");
  const ProcSample s = ReadProcSample(kPid, root_.string());
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.threads, 7u);
  EXPECT_EQ(s.rss_bytes, 1234u * 1024);
  ASSERT_TRUE(s.pss_bytes.has_value());
  EXPECT_EQ(*s.pss_bytes, 999u * 1024);
  EXPECT_EQ(s.cpu_ticks, 400u);
  EXPECT_DOUBLE_EQ(s.cpu_seconds, 400.0 / static_cast<double>(::sysconf(_SC_CLK_TCK)));
  EXPECT_EQ(s.run_delay_ns, 5678u);
  EXPECT_EQ(s.fds.socket, 2u);
  EXPECT_EQ(s.fds.pipe, 1u);
  EXPECT_EQ(s.fds.file, 1u);
  EXPECT_EQ(s.fds.other, 1u);
  EXPECT_EQ(s.fds.total(), 5u);
}

TEST_F(FixtureTree, NoSmapsRollupMeansNoPss) {
  WriteStandardFiles();
  const ProcSample s = ReadProcSample(kPid, root_.string());
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_FALSE(s.pss_bytes.has_value());
  EXPECT_EQ(s.threads, 7u);
  EXPECT_EQ(s.run_delay_ns, 0u);  // no schedstat either
}

TEST_F(FixtureTree, MalformedStatIsAnError) {
  WriteStandardFiles();
  Write("stat", "4242 (x) S 1 2\n");
  const ProcSample s = ReadProcSample(kPid, root_.string());
  EXPECT_FALSE(s.ok);
  EXPECT_FALSE(s.gone);  // there, but unreadable
  EXPECT_NE(s.error.find("stat"), std::string::npos) << s.error;
}

TEST_F(FixtureTree, MissingPidIsGone) {
  const ProcSample s = ReadProcSample(kPid + 1, root_.string());
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(s.gone);
  EXPECT_NE(s.error.find("gone"), std::string::npos) << s.error;
}

TEST(ReadProcSample, VanishedProcessIsNotOk) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  const ProcSample s = ReadProcSample(child);
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(s.gone);
  EXPECT_NE(s.error.find("gone"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find(std::to_string(child)), std::string::npos) << s.error;
}

TEST(ReadProcSample, SamplesThisProcess) {
  const ProcSample s = ReadProcSample(::getpid());
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_GE(s.threads, 1u);
  EXPECT_GT(s.rss_bytes, 0u);
  EXPECT_GE(s.fds.total(), 3u);
}

TEST(ReadProcSample, AGoneProcessIsNotOk) {
  EXPECT_FALSE(ReadProcSample(-5).ok);
  std::string text;
  EXPECT_NE(procfs::ReadSmallFile("/proc/self/no-such-file", text), 0);
}

TEST(ReadRunDelayNs, ReadsSchedstatOrGivesZero) {
  // Without CONFIG_SCHEDSTATS there is no schedstat: 0, as for a missing process.
  if (std::filesystem::exists("/proc/self/schedstat")) {
    const std::uint64_t first = ReadRunDelayNs("/proc/self");
    EXPECT_GE(ReadRunDelayNs("/proc/self"), first);  // a total: it never goes down
  }
  EXPECT_EQ(ReadRunDelayNs("/nonexistent/proc/1"), 0u);
}

}  // namespace proc_sample_test
}  // namespace leakbench
