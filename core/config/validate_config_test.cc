// ValidateConfig / FindConfigProblems: every rule, and the keys each
// problem names.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/config/validate_config.h"

namespace logcap {
namespace {

using std::chrono::seconds;

// The keys of the first problem, or {} when the config is valid.
std::vector<std::string> FirstKeys(const Config& config) {
  const std::vector<ConfigProblem> problems = FindConfigProblems(config);
  return problems.empty() ? std::vector<std::string>{} : problems.front().keys;
}

// One change to the defaults and the keys of the problem it must cause
// ({} for none).
struct Case {
  const char* what;
  std::function<void(Config&)> change;
  std::vector<std::string> keys;
};

void ExpectFirstKeys(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    Config config;
    c.change(config);
    EXPECT_EQ(FirstKeys(config), c.keys) << c.what;
  }
}

TEST(ValidateConfigTest, DefaultsAreValid) {
  EXPECT_TRUE(FindConfigProblems(Config{}).empty());
  Config c;
  c.docker.host = "unix:///var/run/docker.sock";
  EXPECT_NO_THROW(ValidateConfig(c));
}

TEST(ValidateConfigTest, DockerRanges) {
  ExpectFirstKeys({
      {"relative socket", [](Config& c) { c.docker.host = "unix://rel"; }, {"docker.host"}},
      {"zero interval", [](Config& c) { c.docker.rotation_interval = seconds(0); },
       {"docker.rotation_interval"}},
      {"negative interval", [](Config& c) { c.docker.rotation_interval = seconds(-1); },
       {"docker.rotation_interval"}},
      {"interval under 1 s",
       [](Config& c) { c.docker.rotation_interval = std::chrono::milliseconds(999); },
       {"docker.rotation_interval"}},
      {"interval of 1 s",
       [](Config& c) { c.docker.rotation_interval = kMinRotationInterval; }, {}},
      {"negative jitter", [](Config& c) { c.docker.rotation_jitter = seconds(-1); },
       {"docker.rotation_jitter"}},
      {"no streams", [](Config& c) { c.docker.max_streams = 0; }, {"docker.max_streams"}},
      {"lease over interval",
       [](Config& c) { c.docker.oversubscribed_lease = std::chrono::minutes(6); },
       {"docker.oversubscribed_lease", "docker.rotation_interval"}},
      {"short lines", [](Config& c) { c.docker.max_line_bytes = kMinLineBytes - 1; },
       {"docker.max_line_bytes"}},
      {"shortest lines", [](Config& c) { c.docker.max_line_bytes = kMinLineBytes; }, {}},
      {"longest lines", [](Config& c) { c.docker.max_line_bytes = kMaxLineBytes; }, {}},
      {"long lines", [](Config& c) { c.docker.max_line_bytes = kMaxLineBytes + 1; },
       {"docker.max_line_bytes"}},
      {"tiny stream buffer",
       [](Config& c) { c.docker.stream_buffer_bytes = kMinStreamBufferBytes - 1; },
       {"docker.stream_buffer_bytes"}},
      {"smallest stream buffer", [](Config& c) { c.docker.stream_buffer_bytes = kMinStreamBufferBytes; }, {}},
      {"largest stream buffer", [](Config& c) { c.docker.stream_buffer_bytes = kMaxStreamBufferBytes; }, {}},
      {"huge stream buffer",
       [](Config& c) { c.docker.stream_buffer_bytes = kMaxStreamBufferBytes + 1; },
       {"docker.stream_buffer_bytes"}},
      {"zero backoff", [](Config& c) { c.docker.backoff_base = seconds(0); },
       {"docker.backoff_base"}},
      {"cap under base", [](Config& c) { c.docker.backoff_cap = std::chrono::milliseconds(100); },
       {"docker.backoff_cap", "docker.backoff_base"}},
      {"zero timeout", [](Config& c) { c.docker.request_timeout = seconds(0); },
       {"docker.request_timeout"}},
      {"negative stall", [](Config& c) { c.docker.stall_timeout = seconds(-5); },
       {"docker.stall_timeout"}},
      {"no opens", [](Config& c) { c.docker.max_opens_per_second = 0; },
       {"docker.max_opens_per_second"}},
      {"negative opens", [](Config& c) { c.docker.max_opens_per_second = -1; },
       {"docker.max_opens_per_second"}},
      {"NaN opens",
       [](Config& c) { c.docker.max_opens_per_second = std::numeric_limits<double>::quiet_NaN(); },
       {"docker.max_opens_per_second"}},
      {"infinite opens",
       [](Config& c) { c.docker.max_opens_per_second = std::numeric_limits<double>::infinity(); },
       {"docker.max_opens_per_second"}},
      {"slow opens", [](Config& c) { c.docker.max_opens_per_second = 0.01; }, {}},
  });
}

TEST(ValidateConfigTest, SelectionPatterns) {
  ExpectFirstKeys({
      {"empty include", [](Config& c) { c.docker.include_names = {"web-*", ""}; },
       {"docker.include_names"}},
      {"empty exclude", [](Config& c) { c.docker.exclude_names = {""}; }, {"docker.exclude_names"}},
      {"labels", [](Config& c) { c.docker.include_labels = {"app", "tier=web"}; }, {}},
      {"label without key", [](Config& c) { c.docker.include_labels = {"=web"}; },
       {"docker.include_labels"}},
      {"empty label", [](Config& c) { c.docker.exclude_labels = {""}; }, {"docker.exclude_labels"}},
  });
}

TEST(ValidateConfigTest, Sink) {
  std::vector<Case> cases = {
      {"file without path", [](Config& c) { c.sink.kind = SinkKind::kFile; },
       {"sink.path", "sink.type"}},
      {"file with path",
       [](Config& c) {
         c.sink.kind = SinkKind::kFile;
         c.sink.path = "/tmp/x";
       },
       {}},
      {"https loki",
       [](Config& c) {
         c.sink.kind = SinkKind::kLoki;
         c.sink.url = "https://loki.example:3100";
       },
       {}},
      {"small buffer", [](Config& c) { c.sink.buffer_bytes = 1000; }, {"sink.buffer_bytes"}},
      {"empty batch", [](Config& c) { c.sink.batch_bytes = 0; }, {"sink.batch_bytes"}},
      {"batch over buffer", [](Config& c) { c.sink.batch_bytes = c.sink.buffer_bytes + 1; },
       {"sink.batch_bytes", "sink.buffer_bytes"}},
      {"zero wait", [](Config& c) { c.sink.batch_wait = seconds(0); }, {"sink.batch_wait"}},
      {"bad label name", [](Config& c) { c.sink.loki_labels = {{"9job", "x"}}; }, {"sink.labels"}},
      {"empty label value", [](Config& c) { c.sink.loki_labels = {{"job", ""}}; }, {"sink.labels"}},
      {"good labels", [](Config& c) { c.sink.loki_labels = {{"job", "x"}, {"_env2", "prod"}}; }, {}},
      {"no fsync", [](Config& c) { c.sink.fsync_interval = seconds(0); }, {}},
      {"negative fsync", [](Config& c) { c.sink.fsync_interval = seconds(-1); },
       {"sink.file.fsync_interval"}},
      {"tiny max_bytes", [](Config& c) { c.sink.max_bytes = kMinSinkFileMaxBytes - 1; },
       {"sink.file.max_bytes"}},
      {"smallest max_bytes", [](Config& c) { c.sink.max_bytes = kMinSinkFileMaxBytes; }, {}},
      {"keep none", [](Config& c) { c.sink.keep = 0; }, {"sink.file.keep"}},
      {"keep most", [](Config& c) { c.sink.keep = kMaxSinkFileKeep; }, {}},
      {"keep too many", [](Config& c) { c.sink.keep = kMaxSinkFileKeep + 1; }, {"sink.file.keep"}},
  };
  for (const char* bad : {"", "127.0.0.1:3100", "http://", "ftp://x", "http:///x"}) {
    cases.push_back({bad,
                     [bad](Config& c) {
                       c.sink.kind = SinkKind::kLoki;
                       c.sink.url = bad;
                     },
                     {"sink.url", "sink.type"}});
  }
  ExpectFirstKeys(cases);
}

TEST(ValidateConfigTest, MetricsStateAndLog) {
  std::vector<Case> cases = {
      {"no endpoint", [](Config& c) { c.metrics_listen = ""; }, {}},
      {"no host", [](Config& c) { c.metrics_listen = "9464"; }, {"metrics.listen"}},
      {"zero flush", [](Config& c) { c.state_flush_interval = seconds(0); },
       {"state.flush_interval"}},
      {"unknown level", [](Config& c) { c.log_level = "verbose"; }, {"log.level"}},
  };
  for (const std::string_view level : kLogLevels) {
    cases.push_back({level.data(), [level](Config& c) { c.log_level = std::string(level); }, {}});
  }
  ExpectFirstKeys(cases);
}

TEST(ValidateConfigTest, MessagesSayWhatWasExpectedAndFound) {
  Config c;
  c.docker.max_streams = 0;
  try {
    ValidateConfig(c);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "docker.max_streams: must be at least 1, got 0");
  }
  c = Config{};
  c.docker.backoff_cap = std::chrono::milliseconds(100);
  EXPECT_EQ(FindConfigProblems(c).front().ToString(),
            "docker.backoff_cap: must not be shorter than docker.backoff_base (250ms), got 100ms");
}

TEST(ValidateConfigTest, RotationIntervalMinimumSaysWhy) {
  Config c;
  c.docker.rotation_interval = std::chrono::milliseconds(500);
  const std::vector<ConfigProblem> problems = FindConfigProblems(c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems.front().ToString(),
            "docker.rotation_interval: must be at least 1s (each reopen costs the daemon a "
            "container lookup and a log-file seek; more often, it spends more on reopening than "
            "on serving logs), got 500ms");
}

TEST(ValidateConfigTest, MaxOpensPerSecondMessageShowsTheValue) {
  Config c;
  c.docker.max_opens_per_second = std::numeric_limits<double>::infinity();
  const std::vector<ConfigProblem> problems = FindConfigProblems(c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems.front().ToString(),
            "docker.max_opens_per_second: must be a finite number above 0 (opens per second, "
            "e.g. 100), got inf");
}

TEST(ValidateConfigTest, ReportsEveryProblem) {
  Config c;
  c.docker.max_streams = 0;
  c.log_level = "loud";
  c.sink.batch_wait = seconds(0);
  EXPECT_EQ(FindConfigProblems(c).size(), 3u);
}

}  // namespace
}  // namespace logcap
