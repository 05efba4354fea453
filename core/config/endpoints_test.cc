// HOST:PORT, --sink specs and --inject-leak names (Docker host URLs:
// docker_host_test.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/config/host_port.h"
#include "core/config/leak_kind.h"
#include "core/config/sink_spec.h"

namespace logcap {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(auto fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(HostPortTest, ParsesIpv4NamesAndBracketedIpv6) {
  HostPort hp = ParseHostPort("127.0.0.1:9464");
  EXPECT_EQ(hp.host, "127.0.0.1");
  EXPECT_EQ(hp.port, 9464);
  EXPECT_EQ(hp.ToString(), "127.0.0.1:9464");

  hp = ParseHostPort("localhost:0");
  EXPECT_EQ(hp.host, "localhost");
  EXPECT_EQ(hp.port, 0);

  hp = ParseHostPort("[::1]:65535");
  EXPECT_EQ(hp.host, "::1");
  EXPECT_EQ(hp.port, 65535);
  EXPECT_EQ(hp.ToString(), "[::1]:65535");
}

TEST(HostPortTest, RejectsMalformedText) {
  for (const char* bad : {"", "9464", "127.0.0.1", "127.0.0.1:", ":9464", "host:65536",
                          "host:123456", "host:-1", "host:80a", "::1:9464", "[::1:9464",
                          "[]:80", "a/b:80", "a b:80"}) {
    EXPECT_THROW(ParseHostPort(bad), std::invalid_argument) << bad;
  }
  EXPECT_THAT(ErrorOf([] { ParseHostPort("::1:80"); }), HasSubstr("brackets"));
  EXPECT_THAT(ErrorOf([] { ParseHostPort("h:99999"); }), HasSubstr("0..65535"));
}

TEST(HostPortTest, MetricsListenIsIpv4OrAName) {
  EXPECT_EQ(ParseMetricsListen("127.0.0.1:0").host, "127.0.0.1");
  EXPECT_EQ(ParseMetricsListen("0.0.0.0:9464").port, 9464);
  EXPECT_EQ(ParseMetricsListen("localhost:9464").host, "localhost");
  for (const char* v6 : {"[::1]:9464", "[::]:0", "[::ffff:127.0.0.1]:9464"}) {
    EXPECT_THAT(ErrorOf([v6] { ParseMetricsListen(v6); }),
                HasSubstr("': the metrics endpoint cannot listen on IPv6"))
        << v6;
  }
  EXPECT_THAT(ErrorOf([] { ParseMetricsListen("::1:9464"); }), HasSubstr("brackets"));
}

TEST(SinkSpecTest, ParsesEachKindAndKeepsOtherFields) {
  SinkConfig sink;
  sink.buffer_bytes = 12345;
  ApplySinkSpec("file:/tmp/out.jsonl", sink);
  EXPECT_EQ(sink.kind, SinkKind::kFile);
  EXPECT_EQ(sink.path, "/tmp/out.jsonl");
  EXPECT_EQ(sink.buffer_bytes, 12345u);

  ApplySinkSpec("loki:http://127.0.0.1:3100", sink);
  EXPECT_EQ(sink.kind, SinkKind::kLoki);
  EXPECT_EQ(sink.url, "http://127.0.0.1:3100");

  ApplySinkSpec("stdout", sink);
  EXPECT_EQ(sink.kind, SinkKind::kStdout);

  ApplySinkSpec("file:", sink);  // syntax only: ValidateConfig refuses the empty path
  EXPECT_EQ(sink.kind, SinkKind::kFile);
  EXPECT_EQ(sink.path, "");
}

TEST(SinkSpecTest, RejectsUnknownSpecs) {
  SinkConfig sink;
  for (const char* bad : {"", "stdout:x", "file", "loki", "kafka:x", "File:/x"}) {
    EXPECT_THAT(ErrorOf([&] { ApplySinkSpec(bad, sink); }),
                HasSubstr("expected stdout, file:PATH or loki:URL"))
        << bad;
  }
}

TEST(SinkSpecTest, KindNamesRoundTrip) {
  for (const SinkKind kind : {SinkKind::kStdout, SinkKind::kFile, SinkKind::kLoki}) {
    EXPECT_EQ(ParseSinkKind(SinkKindName(kind)), kind);
  }
  EXPECT_THROW(ParseSinkKind("syslog"), std::invalid_argument);
}

TEST(LeakKindTest, NamesRoundTrip) {
  EXPECT_EQ(ParseLeakKind("thread"), LeakKind::kThread);
  EXPECT_EQ(ParseLeakKind("fd"), LeakKind::kFd);
  EXPECT_EQ(ParseLeakKind("memory"), LeakKind::kMemory);
  EXPECT_EQ(ParseLeakKind("stream"), LeakKind::kStream);
  EXPECT_EQ(ParseLeakKind("series-rotation"), LeakKind::kSeriesRotation);
  EXPECT_EQ(ParseLeakKind("series-container"), LeakKind::kSeriesContainer);
  EXPECT_EQ(ParseLeakKind("none"), LeakKind::kNone);
  for (const LeakKind kind : {LeakKind::kNone, LeakKind::kThread, LeakKind::kFd,
                              LeakKind::kMemory, LeakKind::kStream, LeakKind::kSeriesRotation,
                              LeakKind::kSeriesContainer}) {
    EXPECT_EQ(ParseLeakKind(LeakKindName(kind)), kind);
  }
}

TEST(LeakKindTest, UnknownNameListsTheKnownOnes) {
  const std::string what = ErrorOf([] { ParseLeakKind("threads"); });
  EXPECT_THAT(what, HasSubstr("'threads'"));
  EXPECT_THAT(what, HasSubstr("series-container"));
}

}  // namespace
}  // namespace logcap
