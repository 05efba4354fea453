#include "fakes/dockerd/control/options.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace fakedocker {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// ParseOptions on `args` (after the program name); *exit_code is -1 unless set.
std::optional<Options> Parse(std::vector<std::string> args, int* exit_code) {
  args.insert(args.begin(), {"fake-dockerd", "--socket", "/tmp/options-test.sock"});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  *exit_code = -1;
  return ParseOptions(static_cast<int>(argv.size()), argv.data(), exit_code);
}

// A scenario file with `daemon` settings, removed on destruction.
class ScenarioFile {
 public:
  ScenarioFile(const std::string& name, const std::string& daemon)
      : path_(std::filesystem::temp_directory_path() /
              ("fake-options-test-" + std::to_string(::getpid()) + "-" + name + ".yaml")) {
    std::ofstream(path_) << "daemon: " << daemon << "\ntimeline: []\n";
  }
  ~ScenarioFile() { std::filesystem::remove(path_); }
  ScenarioFile(const ScenarioFile&) = delete;
  ScenarioFile& operator=(const ScenarioFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ParseOptions, StderrLagTakesADurationUpToOneMinute) {
  int rc = 0;
  auto o = Parse({}, &rc);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->daemon.generator.stderr_lag_ns, 0);
  o = Parse({"--stderr-lag", "2.5s"}, &rc);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->daemon.generator.stderr_lag_ns, 5 * kSecond / 2);
  o = Parse({"--stderr-lag", "60"}, &rc);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->daemon.generator.stderr_lag_ns, 60 * kSecond);
  for (const char* bad : {"-1s", "61s", "1m0.001s", "soon"}) {
    EXPECT_FALSE(Parse({"--stderr-lag", bad}, &rc)) << bad;
    EXPECT_EQ(rc, 2) << bad;
  }
}

TEST(ParseOptions, StderrLagFromTheScenarioUnlessTheFlagIsGiven) {
  ScenarioFile file("duration", "{stderr_lag: 1500ms}");
  int rc = 0;
  auto o = Parse({"--scenario", file.path()}, &rc);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->daemon.generator.stderr_lag_ns, 3 * kSecond / 2);
  o = Parse({"--scenario", file.path(), "--stderr-lag", "3s"}, &rc);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->daemon.generator.stderr_lag_ns, 3 * kSecond);

  ScenarioFile seconds("seconds", "{stderr_lag: 0.25}");
  o = Parse({"--scenario", seconds.path()}, &rc);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->daemon.generator.stderr_lag_ns, kSecond / 4);
}

}  // namespace
}  // namespace fakedocker
