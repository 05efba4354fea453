// CheckStateFileWritable (the start-up check behind --state-file) and
// LoadStateFileOrSetAside (a corrupt state file is kept, not overwritten).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/position/state_file.h"

namespace logcap {
namespace {

using ::testing::HasSubstr;
using Kind = StateFileError::Kind;
using namespace std::chrono_literals;

// 2026-11-28T14:43:59.860Z
const std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 28} + 14h + 43min + 59s + 860ms;

class StateFileGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "statefileguard_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/positions.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // The names in dir_, sorted.
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(StateFileGuardTest, NoStateFileNeedsNoCheck) {
  EXPECT_EQ(CheckStateFileWritable(""), std::nullopt);
}

TEST_F(StateFileGuardTest, WritableDirectoryPassesAndLeavesNothingBehind) {
  const auto error = CheckStateFileWritable(path_);
  EXPECT_FALSE(error.has_value()) << error->message;
  EXPECT_TRUE(Files().empty());
}

TEST_F(StateFileGuardTest, AnExistingStateFileIsNotTouched) {
  const std::string saved = SerializeStateFile({{"abc", Position{5, 1}}});
  Write(path_, saved);
  Write(path_ + ".tmp", "stale");
  const auto error = CheckStateFileWritable(path_);
  EXPECT_FALSE(error.has_value()) << error->message;
  EXPECT_EQ(Read(path_), saved);
  EXPECT_EQ(Files(), std::vector<std::string>{"positions.json"});
}

TEST_F(StateFileGuardTest, MissingDirectoryIsAnErrorSayingWhatToDo) {
  const std::string path = dir_ + "/no/such/dir/positions.json";
  const auto error = CheckStateFileWritable(path);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, Kind::kIo);
  EXPECT_EQ(error->path, path);
  EXPECT_EQ(error->message, "state file " + path + " cannot be used: cannot create " + path +
                                ".tmp: No such file or directory. Check that the directory " +
                                dir_ + "/no/such/dir exists and this user may create files in it "
                                "(mkdir -p, chown, chmod), or give --state-file (state.file) "
                                "another path");
}

TEST_F(StateFileGuardTest, AFileWhereTheDirectoryShouldBeIsAnError) {
  Write(dir_ + "/file", "");
  const auto error = CheckStateFileWritable(dir_ + "/file/positions.json");
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->message, HasSubstr("Not a directory"));
}

TEST_F(StateFileGuardTest, ADirectoryAtThePathIsAnError) {
  ASSERT_EQ(::mkdir(path_.c_str(), 0755), 0);
  const auto error = CheckStateFileWritable(path_);
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->message, HasSubstr(path_ + " cannot be used: it is a directory"));
}

TEST_F(StateFileGuardTest, ADirectoryAtTheTempPathIsAnError) {
  ASSERT_EQ(::mkdir((path_ + ".tmp").c_str(), 0755), 0);
  const auto error = CheckStateFileWritable(path_);
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->message, HasSubstr("cannot create " + path_ + ".tmp: Is a directory"));
}

TEST_F(StateFileGuardTest, ReadOnlyDirectoryIsAnError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write to a read-only directory";
  ASSERT_EQ(::chmod(dir_.c_str(), 0555), 0);
  const auto error = CheckStateFileWritable(path_);
  ::chmod(dir_.c_str(), 0755);
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->message, HasSubstr("Permission denied"));
}

TEST_F(StateFileGuardTest, SetAsidePathIsTheUtcTimeToTheSecond) {
  EXPECT_EQ(SetAsidePath("/var/lib/lc/positions.json", kNow),
            "/var/lib/lc/positions.json.corrupt-20261128T144359Z");
}

TEST_F(StateFileGuardTest, CorruptFileIsMovedAsideAndNamed) {
  Write(path_, "{\"version\":1,\"posi");
  const std::string aside = path_ + ".corrupt-20261128T144359Z";
  const LoadResult r = LoadStateFileOrSetAside(path_, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Kind::kCorrupt);
  EXPECT_EQ(r.error().set_aside_path, aside);
  EXPECT_EQ(r.error().message, "state file " + path_ +
                                   ": not valid JSON (truncated or corrupt, 18 bytes). Moved it "
                                   "aside to " + aside +
                                   " (inspect or delete it); containers are read from their "
                                   "start or their configured tail");
  EXPECT_EQ(Read(aside), "{\"version\":1,\"posi");
  EXPECT_FALSE(std::filesystem::exists(path_));
  // The next save writes a fresh file and keeps the copy.
  ASSERT_EQ(SaveStateFile(path_, {{"abc", Position{5, 1}}}), std::nullopt);
  EXPECT_EQ(Read(aside), "{\"version\":1,\"posi");
  EXPECT_TRUE(LoadStateFile(path_).ok());
}

TEST_F(StateFileGuardTest, AnEarlierCopyIsNeverReplaced) {
  Write(path_, "first");
  ASSERT_FALSE(LoadStateFileOrSetAside(path_, kNow).ok());
  Write(path_, "second");
  const LoadResult r = LoadStateFileOrSetAside(path_, kNow);
  ASSERT_FALSE(r.ok());
  const std::string aside = path_ + ".corrupt-20261128T144359Z";
  EXPECT_EQ(r.error().set_aside_path, aside + "-2");
  EXPECT_EQ(Read(aside), "first");
  EXPECT_EQ(Read(aside + "-2"), "second");
}

TEST_F(StateFileGuardTest, OtherVersionIsMovedAsideToo) {
  Write(path_, R"({"version":2,"positions":{}})");
  const LoadResult r = LoadStateFileOrSetAside(path_, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Kind::kWrongVersion);
  EXPECT_EQ(r.error().set_aside_path, path_ + ".corrupt-20261128T144359Z");
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(StateFileGuardTest, GoodAndMissingFilesAreLeftAlone) {
  EXPECT_EQ(LoadStateFileOrSetAside(path_, kNow).error().kind, Kind::kNotFound);
  EXPECT_TRUE(Files().empty());
  ASSERT_EQ(SaveStateFile(path_, {{"abc", Position{5, 1}}}), std::nullopt);
  const LoadResult r = LoadStateFileOrSetAside(path_, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.positions().at("abc"), (Position{5, 1}));
  EXPECT_EQ(Files(), std::vector<std::string>{"positions.json"});
}

TEST_F(StateFileGuardTest, UnreadableFileIsNotMovedAside) {
  ASSERT_EQ(::mkdir(path_.c_str(), 0755), 0);  // read(2) fails: EISDIR
  const LoadResult r = LoadStateFileOrSetAside(path_, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Kind::kIo);
  EXPECT_EQ(r.error().set_aside_path, "");
  EXPECT_TRUE(std::filesystem::is_directory(path_));
}

}  // namespace
}  // namespace logcap
