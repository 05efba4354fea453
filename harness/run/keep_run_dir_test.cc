#include "harness/run/keep_run_dir.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace leakbench::harness {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class KeepRunDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lbkeep.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    run_ = root_ / "run";
    keep_ = root_ / "kept";
    fs::create_directories(run_);
  }
  void TearDown() override {
    if (listener_ >= 0) ::close(listener_);
    fs::remove_all(root_);
  }
  void Write(const std::string& rel, const std::string& content) {
    fs::create_directories((run_ / rel).parent_path());
    std::ofstream(run_ / rel, std::ios::binary) << content;
  }
  // A listening Unix socket at `rel`, as the fake's and dockerd's are.
  void Socket(const std::string& rel) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(listener_, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    const std::string path = (run_ / rel).string();
    ASSERT_LT(path.size(), sizeof a.sun_path);
    path.copy(a.sun_path, path.size());
    ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(listener_, 1), 0);
  }
  fs::path root_, run_, keep_;
  int listener_ = -1;
};

// The run directory of a real-daemon run: sockets sit beside and before the
// files worth keeping. One recursive std::filesystem::copy stops at the first
// socket, and the sink and the proxy's record were never kept.
TEST_F(KeepRunDirTest, FilesBesideSocketsAndFifosAreAllKept) {
  Socket("docker.sock");
  ASSERT_EQ(::mkfifo((run_ / "a.fifo").c_str(), 0600), 0);
  Write("sink.jsonl", "{\"line\":\"cid=0123456789ab seq=1\"}\n");
  Write("proxy-streams.jsonl", "{\"container\":\"x\"}\n");
  Write("d/dockerd.log", "started\n");
  Write("d/data/containers/abc/abc-json.log", "{\"log\":\"seq=1\\n\"}\n");
  fs::create_symlink("sink.jsonl", run_ / "latest");

  const KeptRunDir kept = KeepRunDir(run_.string(), keep_.string(), {});

  EXPECT_EQ(Slurp(keep_ / "sink.jsonl"), "{\"line\":\"cid=0123456789ab seq=1\"}\n");
  EXPECT_EQ(Slurp(keep_ / "proxy-streams.jsonl"), "{\"container\":\"x\"}\n");
  EXPECT_EQ(Slurp(keep_ / "d/dockerd.log"), "started\n");
  EXPECT_EQ(Slurp(keep_ / "d/data/containers/abc/abc-json.log"), "{\"log\":\"seq=1\\n\"}\n");
  ASSERT_TRUE(fs::is_symlink(keep_ / "latest"));
  EXPECT_EQ(fs::read_symlink(keep_ / "latest"), "sink.jsonl");
  EXPECT_FALSE(fs::exists(fs::symlink_status(keep_ / "docker.sock")));
  EXPECT_FALSE(fs::exists(fs::symlink_status(keep_ / "a.fifo")));
  EXPECT_EQ(kept.files, 4u);
  EXPECT_EQ(kept.links, 1u);
  EXPECT_EQ(kept.special, 2u);
  EXPECT_TRUE(kept.not_kept.empty()) << kept.not_kept.front();
}

TEST_F(KeepRunDirTest, ASkippedSubtreeIsLeftOutAndNamed) {
  Write("d/data/vfs/dir/layer1/bin/busybox", std::string(4096, 'x'));
  Write("d/dockerd.log", "started\n");
  const KeptRunDir kept = KeepRunDir(run_.string(), keep_.string(), {{"d/data/vfs", "the layer store"}});
  EXPECT_FALSE(fs::exists(keep_ / "d/data/vfs"));
  EXPECT_TRUE(fs::exists(keep_ / "d/dockerd.log"));
  ASSERT_EQ(kept.not_kept.size(), 1u);
  EXPECT_EQ(kept.not_kept[0], "d/data/vfs: the layer store");
}

// One entry that cannot be copied is named with its error, and the copy
// goes on: the entries after it are kept.
TEST_F(KeepRunDirTest, AnEntryThatCannotBeCopiedIsNamedAndTheRestIsKept) {
  Write("logs/a.log", "a\n");
  Write("zz.log", "z\n");
  fs::create_directories(keep_);
  std::ofstream(keep_ / "logs") << "a file where the directory goes\n";
  const KeptRunDir kept = KeepRunDir(run_.string(), keep_.string(), {});
  ASSERT_EQ(kept.not_kept.size(), 1u);
  EXPECT_EQ(kept.not_kept[0].rfind("logs: cannot create ", 0), 0u) << kept.not_kept[0];
  EXPECT_EQ(Slurp(keep_ / "zz.log"), "z\n");
  EXPECT_EQ(kept.files, 1u);
}

TEST_F(KeepRunDirTest, AMissingRunDirectoryIsSaid) {
  const KeptRunDir kept = KeepRunDir((root_ / "nope").string(), keep_.string(), {});
  ASSERT_EQ(kept.not_kept.size(), 1u);
  EXPECT_NE(kept.not_kept[0].find("is not there"), std::string::npos);
  EXPECT_EQ(kept.files, 0u);
}

TEST(DescribeKeptRunDir, SaysWhatWasKeptAndListsWhatWasNot) {
  KeptRunDir k;
  k.files = 3;
  k.bytes = 5 << 20;
  k.special = 2;
  EXPECT_EQ(DescribeKeptRunDir(k, "/tmp/k"), "run directory kept in /tmp/k: 3 files, 5 MiB; 2 sockets/FIFOs not copied\n");
  for (int i = 0; i < 23; ++i) k.not_kept.push_back("f" + std::to_string(i) + ": why");
  const std::string d = DescribeKeptRunDir(k, "/tmp/k");
  EXPECT_NE(d.find("not kept:\n  f0: why\n"), std::string::npos) << d;
  EXPECT_NE(d.find("  f19: why\n  ... and 3 more\n"), std::string::npos) << d;
  EXPECT_EQ(d.find("f20: why"), std::string::npos) << d;
}

}  // namespace
}  // namespace leakbench::harness
