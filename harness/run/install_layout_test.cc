// ChooseLayout: an installed prefix (share/leakbench/scenarios beside the
// binary) wins; anything else keeps the build tree's paths.
#include "harness/run/install_layout.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace leakbench::harness {
namespace install_layout_test {

namespace fs = std::filesystem;

const InstallLayout kBuildTree{"/src/scenarios", "/src/reports",   "/build/fakes/fake-dockerd",
                               "/build/core/app/log-capturer", "/src/harness/followers", "/build/go", false};

class InstallLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lblayout.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    prefix_ = tmpl;
  }
  void TearDown() override { fs::remove_all(prefix_); }
  std::string prefix_;
};

TEST_F(InstallLayoutTest, AnInstalledPrefixIsUsed) {
  fs::create_directories(prefix_ + "/share/leakbench/scenarios");
  const InstallLayout l = ChooseLayout(prefix_, kBuildTree);
  EXPECT_TRUE(l.installed);
  EXPECT_EQ(l.scenarios_dir, prefix_ + "/share/leakbench/scenarios");
  EXPECT_EQ(l.reports_dir, prefix_ + "/share/leakbench/reports");
  EXPECT_EQ(l.followers_dir, prefix_ + "/share/leakbench/followers");
  EXPECT_EQ(l.fake_dockerd, prefix_ + "/bin/fake-dockerd");
  EXPECT_EQ(l.log_capturer, prefix_ + "/bin/log-capturer");
  EXPECT_EQ(l.go_followers_dir, prefix_ + "/libexec/leakbench/go");
}

TEST_F(InstallLayoutTest, WithoutTheScenariosTheBuildTreeIsUsed) {
  fs::create_directories(prefix_ + "/share/leakbench");  // no scenarios inside
  const InstallLayout l = ChooseLayout(prefix_, kBuildTree);
  EXPECT_FALSE(l.installed);
  EXPECT_EQ(l.scenarios_dir, kBuildTree.scenarios_dir);
  EXPECT_EQ(l.fake_dockerd, kBuildTree.fake_dockerd);
  EXPECT_EQ(ChooseLayout("", kBuildTree).scenarios_dir, kBuildTree.scenarios_dir);
}

TEST_F(InstallLayoutTest, AFileNamedScenariosIsNotAnInstall) {
  fs::create_directories(prefix_ + "/share/leakbench");
  std::FILE* f = std::fopen((prefix_ + "/share/leakbench/scenarios").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  EXPECT_FALSE(ChooseLayout(prefix_, kBuildTree).installed);
}

}  // namespace install_layout_test
}  // namespace leakbench::harness
