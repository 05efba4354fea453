// LoadConfigFile / ParseConfigText: every key, duration forms, and errors
// that point at file:line:column.
#include "core/config/config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/config/temp_file_for_test.h"

namespace logcap {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Config Parse(const std::string& yaml, Config base = Config{}) {
  return ParseConfigText(yaml, "test.yaml", std::move(base));
}

// The ConfigError message for `yaml`, or "(no error)".
std::string ErrorOf(const std::string& yaml) {
  try {
    Parse(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigFileTest, ReadsEveryKey) {
  const Config c = Parse(R"(
docker:
  host: tcp://127.0.0.1:2375
  rotation_interval: 3s
  rotation_jitter: 500ms
  max_streams: 7
  oversubscribed_lease: 1s
  include_names: [web-*, api]
  exclude_names: ["*-debug"]
  include_labels: [logs=on]
  exclude_labels:
    - skip
  max_line_bytes: 4096
  stream_buffer_bytes: 16384
  long_lines: truncate
  backoff_base: 100ms
  backoff_cap: 5s
  request_timeout: 2s
  stall_timeout: 30s
sink:
  type: loki
  path: /tmp/ignored.jsonl
  url: http://127.0.0.1:3100
  buffer_bytes: 1048576
  batch_bytes: 65536
  batch_wait: 250ms
  labels: {job: capture, env: ci}
metrics:
  listen: 127.0.0.1:0
state:
  file: /var/lib/log-capturer/positions.json
  flush_interval: 2s
log:
  level: debug
)");
  EXPECT_EQ(c.docker.host, "tcp://127.0.0.1:2375");
  EXPECT_EQ(c.docker.rotation_interval, seconds(3));
  EXPECT_EQ(c.docker.rotation_jitter, milliseconds(500));
  EXPECT_EQ(c.docker.max_streams, 7u);
  EXPECT_EQ(c.docker.oversubscribed_lease, seconds(1));
  EXPECT_THAT(c.docker.include_names, ElementsAre("web-*", "api"));
  EXPECT_THAT(c.docker.exclude_names, ElementsAre("*-debug"));
  EXPECT_THAT(c.docker.include_labels, ElementsAre("logs=on"));
  EXPECT_THAT(c.docker.exclude_labels, ElementsAre("skip"));
  EXPECT_EQ(c.docker.max_line_bytes, 4096u);
  EXPECT_EQ(c.docker.stream_buffer_bytes, 16384u);
  EXPECT_TRUE(c.docker.truncate_long_lines);
  EXPECT_EQ(c.docker.backoff_base, milliseconds(100));
  EXPECT_EQ(c.docker.backoff_cap, seconds(5));
  EXPECT_EQ(c.docker.request_timeout, seconds(2));
  EXPECT_EQ(c.docker.stall_timeout, seconds(30));
  EXPECT_EQ(c.sink.kind, SinkKind::kLoki);
  EXPECT_EQ(c.sink.path, "/tmp/ignored.jsonl");
  EXPECT_EQ(c.sink.url, "http://127.0.0.1:3100");
  EXPECT_EQ(c.sink.buffer_bytes, 1048576u);
  EXPECT_EQ(c.sink.batch_bytes, 65536u);
  EXPECT_EQ(c.sink.batch_wait, milliseconds(250));
  EXPECT_EQ(c.sink.loki_labels,
            (std::map<std::string, std::string>{{"job", "capture"}, {"env", "ci"}}));
  EXPECT_EQ(c.metrics_listen, "127.0.0.1:0");
  EXPECT_EQ(c.state_file, "/var/lib/log-capturer/positions.json");
  EXPECT_EQ(c.state_flush_interval, seconds(2));
  EXPECT_EQ(c.log_level, "debug");
}

TEST(ConfigFileTest, SinkDurabilityKeysNestedOrDotted) {
  const Config c = Parse(R"(
sink:
  on_reject: drop
  file:
    fsync_interval: 250ms
    max_bytes: 104857600
    keep: 3
)");
  EXPECT_EQ(c.sink.on_reject, SinkRejectPolicy::kDrop);
  EXPECT_EQ(c.sink.fsync_interval, milliseconds(250));
  EXPECT_EQ(c.sink.max_bytes, 104857600u);
  EXPECT_EQ(c.sink.keep, 3u);
  EXPECT_EQ(Parse("sink:\n  file.keep: 7\n").sink.keep, 7u);
  const Config defaults = Parse("sink:\n  file:\n");
  EXPECT_EQ(defaults.sink.fsync_interval, seconds(1));
  EXPECT_EQ(defaults.sink.max_bytes, 0u);
  EXPECT_EQ(defaults.sink.keep, 5u);
  EXPECT_EQ(defaults.sink.on_reject, SinkRejectPolicy::kRetry);
  EXPECT_EQ(Parse("sink:\n  file:\n    fsync_interval: 0\n").sink.fsync_interval, seconds(0));
}

TEST(ConfigFileTest, SinkDurabilityKeyErrors) {
  EXPECT_THAT(ErrorOf("sink:\n  on_reject: ignore\n"),
              HasSubstr("test.yaml:2:14: sink.on_reject: expected retry or drop, got 'ignore'"));
  EXPECT_THAT(ErrorOf("sink:\n  file:\n    keepp: 3\n"),
              AllOf(StartsWith("test.yaml:3:5: sink.file.keepp: unknown key"),
                    HasSubstr("known keys of sink.file: fsync_interval, max_bytes, keep")));
  EXPECT_THAT(ErrorOf("sink:\n  file: 3\n"), HasSubstr("sink.file: expected a map, got '3'"));
  EXPECT_THAT(ErrorOf("sink:\n  file:\n    keep: 0\n"),
              HasSubstr("test.yaml:3:11: sink.file.keep: must be between 1 and 1000, got 0"));
  EXPECT_THAT(ErrorOf("sink:\n  file:\n    max_bytes: 10\n"),
              HasSubstr("sink.file.max_bytes: must be 0 (never rotate) or at least 4096, got 10"));
}

TEST(ConfigFileTest, KeysNotInTheFileKeepTheBase) {
  Config base;
  base.docker.host = "unix:///run/docker.sock";
  base.docker.max_streams = 9;
  const Config c = Parse("docker:\n  rotation_interval: 1m\n", base);
  EXPECT_EQ(c.docker.rotation_interval, minutes(1));
  EXPECT_EQ(c.docker.host, "unix:///run/docker.sock");
  EXPECT_EQ(c.docker.max_streams, 9u);
  EXPECT_EQ(c.log_level, "info");
}

TEST(ConfigFileTest, EmptyFileAndEmptySectionsChangeNothing) {
  EXPECT_EQ(Parse("").docker.max_streams, 50u);
  EXPECT_EQ(Parse("# only a comment\n").docker.max_streams, 50u);
  EXPECT_EQ(Parse("docker:\nsink:\n").docker.max_streams, 50u);
}

TEST(ConfigFileTest, DurationForms) {
  const auto interval = [](const std::string& value) {
    return Parse("docker:\n  rotation_interval: " + value + "\n").docker.rotation_interval;
  };
  EXPECT_EQ(interval("300s"), seconds(300));
  EXPECT_EQ(interval("5m"), minutes(5));
  EXPECT_EQ(interval("2.5s"), milliseconds(2500));
  EXPECT_EQ(interval("1h30m"), minutes(90));
  EXPECT_EQ(interval("300"), seconds(300));  // a plain number means seconds
  EXPECT_EQ(interval("\"45\""), seconds(45));
  // As in scenario files (common/seconds_or_duration.h); this reader used to refuse it.
  EXPECT_EQ(interval("2.5"), milliseconds(2500));
  EXPECT_THAT(ErrorOf("docker:\n  rotation_interval: 1e3\n"),
              HasSubstr("test.yaml:2:22: docker.rotation_interval: expected a duration such as 300s, 5m or 2.5s"));
  EXPECT_THAT(ErrorOf("docker:\n  rotation_interval: 5 min\n"), HasSubstr("got '5 min'"));
  EXPECT_THAT(ErrorOf("docker:\n  rotation_interval: -5s\n"), HasSubstr("got '-5s'"));
}

TEST(ConfigFileTest, UnknownKeyNamesTheKeyTheLineAndTheKnownKeys) {
  const std::string what = ErrorOf("docker:\n  rotation_interval: 5m\n  max_stream: 10\n");
  EXPECT_THAT(what, StartsWith("test.yaml:3:3: docker.max_stream: unknown key (known keys of docker: "));
  EXPECT_THAT(what, HasSubstr("max_streams"));
  EXPECT_THAT(what, HasSubstr("rotation_interval"));

  EXPECT_THAT(ErrorOf("dockr:\n  max_streams: 1\n"),
              StartsWith("test.yaml:1:1: dockr: unknown key (known keys: docker, sink, "
                         "metrics, state, log)"));
  EXPECT_THAT(ErrorOf("log:\n  level: info\n  format: json\n"), HasSubstr("known keys of log: level"));
}

TEST(ConfigFileTest, DuplicateKeysAreErrors) {
  EXPECT_THAT(ErrorOf("docker:\n  max_streams: 1\n  max_streams: 2\n"),
              StartsWith("test.yaml:3:3: docker.max_streams: duplicate key (first at line 2)"));
  EXPECT_THAT(ErrorOf("log: {level: info}\nlog: {level: debug}\n"), HasSubstr("log: duplicate key"));
}

// common/yaml_value.h's rule: only true/false are booleans, and a boolean is
// never read as text.
TEST(ConfigFileTest, OffIsTextAndBooleansAreNot) {
  EXPECT_EQ(Parse("log:\n  level: off\n").log_level, "off");
  EXPECT_EQ(Parse("state:\n  file: \"true\"\n").state_file, "true");
  EXPECT_EQ(ErrorOf("state:\n  file: true\n"),
            "test.yaml:2:9: state.file: expected a string, got the boolean true (quote it if you mean the text: "
            "\"true\")");
  EXPECT_THAT(ErrorOf("docker:\n  long_lines: False\n"),
              HasSubstr("test.yaml:2:15: docker.long_lines: expected split or truncate, got the boolean False"));
}

struct BadFile {
  const char* yaml;
  const char* error;  // a part of the message
};

// Values of the wrong kind, with where they are and what was expected.
constexpr BadFile kWrongKinds[] = {
    {"docker:\n  max_streams: many\n",
     "test.yaml:2:16: docker.max_streams: expected a non-negative integer, got 'many'"},
    {"docker:\n  max_streams: -1\n", "got '-1'"},
    {"docker:\n  max_streams: 1.5\n", "got '1.5'"},
    {"docker:\n  max_streams: 99999999999999999999999\n", "too large"},
    {"docker:\n  max_streams:\n", "docker.max_streams: expected a non-negative integer, got nothing"},
    {"docker:\n  max_streams: [1]\n", "got a list"},
    {"docker:\n  include_names: web\n",
     "docker.include_names: expected a list of strings, got 'web'"},
    {"docker:\n  include_names: [[a]]\n", "test.yaml:2:19: docker.include_names"},
    {"docker:\n  long_lines: wrap\n", "expected split or truncate"},
    {"docker:\n  host: \"\"\n", "test.yaml:2:9: docker.host: expected unix:///PATH"},
    {"sink:\n  type: kafka\n", "expected stdout, file or loki"},
    {"sink:\n  labels: [a]\n", "expected a map of strings"},
    {"sink:\n  labels: {a: {b: c}}\n", "got a map"},
    {"docker: 5\n", "docker: expected a map, got '5'"},
    {"just text\n", "expected a map with the sections"},
    {"- a\n- b\n", "got a list"},
};

// Values ValidateConfig() refuses, pointed at the line that set them.
constexpr BadFile kRangeProblems[] = {
    {"log:\n  level: info\ndocker:\n  max_streams: 0\n",
     "test.yaml:4:16: docker.max_streams: must be at least 1, got 0"},
    {"docker:\n  rotation_interval: 0s\n",
     "test.yaml:2:22: docker.rotation_interval: must be at least 1s"},
    {"docker:\n  rotation_interval: 500ms\n",
     "test.yaml:2:22: docker.rotation_interval: must be at least 1s (each reopen costs the daemon "
     "a container lookup"},
    {"docker:\n  max_opens_per_second: 0\n",
     "test.yaml:2:25: docker.max_opens_per_second: must be a finite number above 0"},
    {"docker:\n  max_line_bytes: 100\n", "docker.max_line_bytes: must be between 1024 and"},
    {"docker:\n  host: unix://docker.sock\n", "absolute"},
    {"log:\n  level: loud\n", "test.yaml:2:10: log.level: expected one of"},
    {"metrics:\n  listen: 9464\n", "is not HOST:PORT"},
    // A rule between two keys points at whichever of them the file sets.
    {"docker:\n  backoff_base: 1m\n", "test.yaml:2:17: docker.backoff_cap: must not be shorter"},
    {"sink:\n  type: file\n", "test.yaml:2:9: sink.path:"},
};

TEST(ConfigFileTest, WrongKindsOfValue) {
  for (const BadFile& bad : kWrongKinds) EXPECT_THAT(ErrorOf(bad.yaml), HasSubstr(bad.error));
}

TEST(ConfigFileTest, RangeProblemsPointAtTheLineThatSetThem) {
  for (const BadFile& bad : kRangeProblems) EXPECT_THAT(ErrorOf(bad.yaml), HasSubstr(bad.error));
}

TEST(ConfigFileTest, ProblemsOnlyInTheBaseAreLeftToTheCaller) {
  Config base;
  base.docker.host = "bogus";
  EXPECT_EQ(Parse("docker:\n  max_streams: 3\n", base).docker.max_streams, 3u);
}

TEST(ConfigFileTest, YamlSyntaxErrorsCarryTheirPosition) {
  EXPECT_THAT(ErrorOf("docker:\n  max_streams: [1, 2\n"), StartsWith("test.yaml:"));
  EXPECT_THAT(ErrorOf("docker:\n  max_streams: [1, 2\n"), HasSubstr("not valid YAML"));
}

TEST(ConfigFileTest, LoadsFromDisk) {
  const TempFile file("docker:\n  max_streams: 12\n");
  EXPECT_EQ(LoadConfigFile(file.path(), Config{}).docker.max_streams, 12u);
}

TEST(ConfigFileTest, FileErrorsNameThePath) {
  const TempFile file("docker:\n  max_streams: x\n");
  try {
    LoadConfigFile(file.path(), Config{});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), StartsWith(file.path() + ":2:16: "));
  }
  try {
    LoadConfigFile("/nonexistent/log-capturer.yaml", Config{});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "cannot read config file '/nonexistent/log-capturer.yaml': No such file or "
                 "directory");
  }
}

}  // namespace
}  // namespace logcap
