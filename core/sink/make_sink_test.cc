#include "core/sink/make_sink.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "core/sink/sink_test_util.h"

namespace logcap {
namespace {

using std::chrono::milliseconds;
using testing_util::UniqueTempPath;

// The message MakeSink throws for `config` ("" if it does not throw).
std::string ErrorOf(const SinkConfig& config) {
  try {
    MakeSink(config);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

SinkConfig Config(SinkKind kind) {
  SinkConfig config;
  config.kind = kind;
  return config;
}

TEST(MakeSinkTest, StdoutSink) {
  auto sink = MakeSink(Config(SinkKind::kStdout));
  EXPECT_EQ(sink->description(), "stdout");
  EXPECT_TRUE(sink->Close(milliseconds(1000)));
}

TEST(MakeSinkTest, FileSink) {
  SinkConfig config = Config(SinkKind::kFile);
  config.path = UniqueTempPath("make") + ".jsonl";
  auto sink = MakeSink(config);
  EXPECT_EQ(sink->description(), "file:" + config.path);
  EXPECT_TRUE(sink->Close(milliseconds(1000)));
  EXPECT_EQ(::unlink(config.path.c_str()), 0);  // it was created
}

TEST(MakeSinkTest, FileThatCannotBeOpenedSaysWhichAndWhy) {
  SinkConfig config = Config(SinkKind::kFile);
  config.path = "/nonexistent-logcap-dir/x.jsonl";
  const std::string error = ErrorOf(config);
  EXPECT_NE(error.find("cannot open sink file /nonexistent-logcap-dir/x.jsonl: No such file or directory"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("check"), std::string::npos) << error;
}

TEST(MakeSinkTest, FileWithoutPermission) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
  const std::string dir = UniqueTempPath("readonly");
  ASSERT_EQ(::mkdir(dir.c_str(), 0500), 0);
  SinkConfig config = Config(SinkKind::kFile);
  config.path = dir + "/x.jsonl";
  const std::string error = ErrorOf(config);
  ::rmdir(dir.c_str());
  EXPECT_NE(error.find("Permission denied"), std::string::npos) << error;
}

TEST(MakeSinkTest, RejectsBadSettings) {
  EXPECT_NE(ErrorOf(Config(SinkKind::kFile)).find("needs a path"), std::string::npos);
  SinkConfig loki = Config(SinkKind::kLoki);
  loki.url = "127.0.0.1:3100";
  EXPECT_NE(ErrorOf(loki).find("not an http:// or https:// URL"), std::string::npos);
  loki.url = "http://127.0.0.1:3100";
  loki.loki_labels = {{"bad-name", "x"}};
  EXPECT_NE(ErrorOf(loki).find("label name 'bad-name'"), std::string::npos);
  loki.loki_labels = {{"9lives", "x"}};
  EXPECT_NE(ErrorOf(loki).find("label name '9lives'"), std::string::npos);
  SinkConfig empty = Config(SinkKind::kStdout);
  empty.buffer_bytes = 0;
  EXPECT_NE(ErrorOf(empty).find("buffer_bytes"), std::string::npos);
}

TEST(MakeSinkTest, LokiSink) {
  SinkConfig config = Config(SinkKind::kLoki);
  config.url = "http://127.0.0.1:3100";
  auto sink = MakeSink(config);
  EXPECT_EQ(sink->description(), "loki:http://127.0.0.1:3100");
  EXPECT_TRUE(sink->Close(milliseconds(1000)));  // nothing to send
}

}  // namespace
}  // namespace logcap
