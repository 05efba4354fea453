#include "core/position/state_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace logcap {
namespace {

constexpr std::int64_t kStateT0 = 1'795'878'188'000'000'000;
using Kind = StateFileError::Kind;

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "statefile_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/positions.json";
  }
  void TearDown() override {
    ::unlink(path_.c_str());
    ::unlink((path_ + ".tmp").c_str());
    ::rmdir(dir_.c_str());
  }
  void WriteRaw(const std::string& text) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << text;
  }
  std::string ReadRaw() {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void ExpectError(Kind kind, const std::string& needle) {
    const LoadResult r = LoadStateFile(path_);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, kind);
    EXPECT_EQ(r.error().path, path_);
    EXPECT_NE(r.error().message.find(path_), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find(needle), std::string::npos)
        << r.error().message;
  }

  std::string dir_;
  std::string path_;
};

const PositionMap kSample = {
    {"f20f3c1a", Position{kStateT0 + 776043549, 1}},
    {"b7e1", Position{kStateT0 + 669256080, 3}},
    {"edge", Position{INT64_MAX, UINT64_MAX}},
};

TEST_F(StateFileTest, RoundTrip) {
  ASSERT_FALSE(SaveStateFile(path_, kSample).has_value());
  const LoadResult r = LoadStateFile(path_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.positions(), kSample);
  struct stat st {};
  EXPECT_NE(::stat((path_ + ".tmp").c_str(), &st), 0)
      << "temp file left behind";
}

TEST_F(StateFileTest, RoundTripWithLookbackWindow) {
  Position p(kStateT0 + 500, 2);
  p.since_ns = kStateT0 + 100;
  p.earlier = {{kStateT0 + 100, 1}, {kStateT0 + 300, 4}};
  const PositionMap m = {{"c", p}, {"plain", Position(kStateT0, 1)}};
  ASSERT_FALSE(SaveStateFile(path_, m).has_value());
  const LoadResult r = LoadStateFile(path_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.positions(), m);
  EXPECT_EQ(r.positions().at("c").replay_count(), 7u);
}

TEST_F(StateFileTest, OverwritesAtomicallyAndSkipsEmptyPositions) {
  ASSERT_FALSE(SaveStateFile(path_, kSample).has_value());
  PositionMap next = {{"a", Position{kStateT0, 2}}, {"never-read", Position{}}};
  ASSERT_FALSE(SaveStateFile(path_, next).has_value());
  const LoadResult r = LoadStateFile(path_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.positions(), (PositionMap{{"a", Position{kStateT0, 2}}}));
}

TEST_F(StateFileTest, StaleTempFileDoesNotMatter) {
  std::ofstream(path_ + ".tmp") << "garbage from a crash";
  ASSERT_FALSE(SaveStateFile(path_, kSample).has_value());
  EXPECT_EQ(LoadStateFile(path_).positions(), kSample);
}

TEST_F(StateFileTest, ManyContainers) {
  PositionMap many;
  for (int i = 0; i < 5000; ++i) {
    many["c" + std::to_string(i)] =
        Position{kStateT0 + i, static_cast<std::uint64_t>(1 + i % 7)};
  }
  ASSERT_FALSE(SaveStateFile(path_, many).has_value());
  EXPECT_EQ(LoadStateFile(path_).positions(), many);
}

TEST_F(StateFileTest, MissingFileIsNotFound) {
  ExpectError(Kind::kNotFound, "starting fresh");
}

TEST_F(StateFileTest, GarbageIsCorruptWithAdvice) {
  WriteRaw("\x01\x02 not json at all");
  ExpectError(Kind::kCorrupt, "delete it to start fresh");
}

TEST_F(StateFileTest, EmptyFileIsCorrupt) {
  WriteRaw("");
  ExpectError(Kind::kCorrupt, "not valid JSON");
}

TEST_F(StateFileTest, EveryTruncationIsAnErrorOrTheSameData) {
  ASSERT_FALSE(SaveStateFile(path_, kSample).has_value());
  const std::string full = ReadRaw();
  for (std::size_t n = 0; n < full.size(); ++n) {
    const LoadResult r = ParseStateFile(full.substr(0, n), path_);
    if (r.ok()) {
      EXPECT_EQ(r.positions(), kSample) << "prefix " << n;
    } else {
      EXPECT_EQ(r.error().kind, Kind::kCorrupt) << "prefix " << n;
    }
  }
}

TEST_F(StateFileTest, WrongVersion) {
  WriteRaw(R"({"version":2,"positions":{}})");
  ExpectError(Kind::kWrongVersion, "version 2 is not supported");
}

TEST_F(StateFileTest, WrongShapesAreCorrupt) {
  const char* cases[] = {
      R"([1,2,3])",
      R"({"positions":{}})",
      R"({"version":"1","positions":{}})",
      R"({"version":1})",
      R"({"version":1,"positions":[]})",
      R"({"version":1,"positions":{"a":5}})",
      R"({"version":1,"positions":{"a":{"count":1}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":"1","count":1}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":1.5,"count":1}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":-1,"count":1}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":1,"count":-1}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":18446744073709551615,"count":1}}})",
      R"({"version":1,"positions":{"":{"ts_ns":1,"count":1}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":5,"count":1,"since_ns":6}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":5,"count":1,"since_ns":1,"earlier":{}}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":5,"count":1,"since_ns":1,"earlier":[[0,1]]}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":5,"count":1,"since_ns":1,"earlier":[[5,1]]}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":5,"count":1,"since_ns":1,"earlier":[[3,1],[2,1]]}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":5,"count":1,"since_ns":1,"earlier":[[3,1],[3,1]]}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":5,"count":1,"since_ns":1,"earlier":[[3,0]]}}})",
      R"({"version":1,"positions":{"a":{"ts_ns":5,"count":1,"since_ns":1,"earlier":[[3]]}}})",
  };
  for (const char* text : cases) {
    const LoadResult r = ParseStateFile(text, path_);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().kind, Kind::kCorrupt) << text;
    EXPECT_NE(r.error().message.find(path_), std::string::npos);
  }
}

TEST_F(StateFileTest, UnknownExtraFieldsAreIgnored) {
  const LoadResult r = ParseStateFile(
      R"({"version":1,"written_by":"x","positions":{"a":{"ts_ns":5,"count":2,"note":1}}})",
      path_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.positions(), (PositionMap{{"a", Position{5, 2}}}));
}

TEST_F(StateFileTest, SaveIntoMissingDirectoryIsIoError) {
  const std::string bad = dir_ + "/no/such/dir/state.json";
  const auto err = SaveStateFile(bad, kSample);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, Kind::kIo);
  EXPECT_NE(err->message.find(bad), std::string::npos);
}

TEST_F(StateFileTest, LoadingADirectoryIsIoError) {
  const LoadResult r = LoadStateFile(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Kind::kIo);
}

}  // namespace
}  // namespace logcap
