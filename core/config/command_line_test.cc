// ParseCommandLine: each flag, precedence (flag > file > $DOCKER_HOST >
// default), --help/--version, and exit code 2 with a one-line message for
// every bad value.
#include "core/config/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/config/temp_file_for_test.h"

namespace logcap {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using Env = std::map<std::string, std::string>;

CommandLineResult Parse(std::vector<std::string> args, const Env& env = {}) {
  args.insert(args.begin(), "/usr/bin/log-capturer");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data(),
                          [&env](const std::string& name) -> std::optional<std::string> {
                            const auto it = env.find(name);
                            if (it == env.end()) return std::nullopt;
                            return it->second;
                          });
}

// The config of a successful run (fails the test otherwise).
Config Ok(std::vector<std::string> args, const Env& env = {}) {
  CommandLineResult r = Parse(std::move(args), env);
  EXPECT_EQ(r.exit_code, 0) << r.message;
  EXPECT_TRUE(r.config.has_value()) << r.message;
  return r.config.value_or(Config{});
}

// The message of a run that must fail with exit code 2.
std::string Bad(std::vector<std::string> args, const Env& env = {}) {
  const CommandLineResult r = Parse(std::move(args), env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.config.has_value());
  EXPECT_THAT(r.message, StartsWith("log-capturer: "));
  EXPECT_THAT(r.message, HasSubstr("run with --help"));
  EXPECT_EQ(r.message.find('\n'), std::string::npos) << "one line: " << r.message;
  return r.message;
}

TEST(CommandLineTest, NoFlagsGiveTheDefaults) {
  const Config c = Ok({});
  EXPECT_EQ(c.docker.host, "unix:///var/run/docker.sock");
  EXPECT_EQ(c.docker.rotation_interval, minutes(5));
  EXPECT_EQ(c.docker.max_streams, 50u);
  EXPECT_EQ(c.sink.kind, SinkKind::kStdout);
  EXPECT_EQ(c.metrics_listen, "127.0.0.1:9464");
  EXPECT_EQ(c.leak, LeakKind::kNone);
  EXPECT_FALSE(c.faults.any());
}

TEST(CommandLineTest, EachFlag) {
  const Config c = Ok({"--docker-host", "tcp://127.0.0.1:2375", "--rotation-interval", "2.5s",
                       "--rotation-jitter", "100ms", "--stall-timeout", "20s", "--max-streams",
                       "3", "--max-line-bytes", "2048", "--stream-buffer-bytes", "8192", "--long-lines", "truncate",
                       "--include-name", "web-*", "--include-name", "api", "--exclude-name",
                       "*-debug", "--include-label", "logs=on", "--exclude-label", "skip",
                       "--exclude-label", "tier=db", "--sink", "file:/tmp/out.jsonl",
                       "--metrics-listen", "127.0.0.1:0", "--state-file", "/tmp/state.json",
                       "--log-level", "warn", "--inject-leak", "series-container"});
  EXPECT_EQ(c.docker.host, "tcp://127.0.0.1:2375");
  EXPECT_EQ(c.docker.rotation_interval, milliseconds(2500));
  EXPECT_EQ(c.docker.rotation_jitter, milliseconds(100));
  EXPECT_EQ(c.docker.stall_timeout, seconds(20));
  EXPECT_EQ(c.docker.max_streams, 3u);
  EXPECT_EQ(c.docker.max_line_bytes, 2048u);
  EXPECT_EQ(c.docker.stream_buffer_bytes, 8192u);
  EXPECT_TRUE(c.docker.truncate_long_lines);
  EXPECT_THAT(c.docker.include_names, ElementsAre("web-*", "api"));
  EXPECT_THAT(c.docker.exclude_names, ElementsAre("*-debug"));
  EXPECT_THAT(c.docker.include_labels, ElementsAre("logs=on"));
  EXPECT_THAT(c.docker.exclude_labels, ElementsAre("skip", "tier=db"));
  EXPECT_EQ(c.sink.kind, SinkKind::kFile);
  EXPECT_EQ(c.sink.path, "/tmp/out.jsonl");
  EXPECT_EQ(c.metrics_listen, "127.0.0.1:0");
  EXPECT_EQ(c.state_file, "/tmp/state.json");
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.leak, LeakKind::kSeriesContainer);
}

TEST(CommandLineTest, EqualsFormAndLastValueWins) {
  const Config c = Ok({"--max-streams=4", "--max-streams", "6", "--rotation-interval=300"});
  EXPECT_EQ(c.docker.max_streams, 6u);
  EXPECT_EQ(c.docker.rotation_interval, seconds(300));
}

TEST(CommandLineTest, EmptyMetricsListenMeansNoEndpoint) {
  EXPECT_EQ(Ok({"--metrics-listen", ""}).metrics_listen, "");
}

TEST(CommandLineTest, DurationForms) {
  EXPECT_EQ(Ok({"--rotation-interval", "300s"}).docker.rotation_interval, seconds(300));
  EXPECT_EQ(Ok({"--rotation-interval", "5m"}).docker.rotation_interval, minutes(5));
  EXPECT_EQ(Ok({"--rotation-interval", "2.5s"}).docker.rotation_interval, milliseconds(2500));
}

TEST(CommandLineTest, SinkSpecs) {
  EXPECT_EQ(Ok({"--sink", "stdout"}).sink.kind, SinkKind::kStdout);
  const Config loki = Ok({"--sink", "loki:http://127.0.0.1:3100"});
  EXPECT_EQ(loki.sink.kind, SinkKind::kLoki);
  EXPECT_EQ(loki.sink.url, "http://127.0.0.1:3100");
  EXPECT_THAT(Bad({"--sink", "kafka:x"}),
              HasSubstr("--sink: expected stdout, file:PATH or loki:URL, got 'kafka:x'"));
  EXPECT_THAT(Bad({"--sink", "file:"}), HasSubstr("--sink: a file sink needs a path"));
  EXPECT_THAT(Bad({"--sink", "loki:127.0.0.1:3100"}), HasSubstr("--sink: a loki sink needs"));
}

TEST(CommandLineTest, SinkDurabilityFlags) {
  const Config defaults = Ok({});
  EXPECT_EQ(defaults.sink.fsync_interval, seconds(1));
  EXPECT_EQ(defaults.sink.max_bytes, 0u);
  EXPECT_EQ(defaults.sink.keep, 5u);
  EXPECT_EQ(defaults.sink.on_reject, SinkRejectPolicy::kRetry);
  const Config c = Ok({"--sink", "file:/tmp/x.jsonl", "--sink-fsync-interval", "0",
                       "--sink-max-bytes", "1048576", "--sink-keep", "9", "--sink-on-reject",
                       "drop"});
  EXPECT_EQ(c.sink.fsync_interval, seconds(0));
  EXPECT_EQ(c.sink.max_bytes, 1048576u);
  EXPECT_EQ(c.sink.keep, 9u);
  EXPECT_EQ(c.sink.on_reject, SinkRejectPolicy::kDrop);
  const TempFile file("sink:\n  file:\n    keep: 2\n");
  EXPECT_EQ(Ok({"--config", file.path()}).sink.keep, 2u);
  EXPECT_EQ(Ok({"--config", file.path(), "--sink-keep", "4"}).sink.keep, 4u);
  EXPECT_THAT(Bad({"--sink-on-reject", "ignore"}),
              HasSubstr("--sink-on-reject: expected retry or drop, got 'ignore'"));
  EXPECT_THAT(Bad({"--sink-keep", "0"}), HasSubstr("--sink-keep: must be between 1 and 1000"));
  EXPECT_THAT(Bad({"--sink-max-bytes", "100"}), HasSubstr("--sink-max-bytes: must be 0"));
  EXPECT_THAT(Bad({"--sink-fsync-interval", "soon"}), HasSubstr("--sink-fsync-interval: expected a duration"));
}

TEST(CommandLineTest, InjectLeakKinds) {
  EXPECT_EQ(Ok({"--inject-leak", "thread"}).leak, LeakKind::kThread);
  EXPECT_EQ(Ok({"--inject-leak", "fd"}).leak, LeakKind::kFd);
  EXPECT_EQ(Ok({"--inject-leak", "memory"}).leak, LeakKind::kMemory);
  EXPECT_EQ(Ok({"--inject-leak", "stream"}).leak, LeakKind::kStream);
  EXPECT_EQ(Ok({"--inject-leak", "series-rotation"}).leak, LeakKind::kSeriesRotation);
  EXPECT_EQ(Ok({"--inject-leak", "series-container"}).leak, LeakKind::kSeriesContainer);
  EXPECT_THAT(Bad({"--inject-leak", "cpu"}), HasSubstr("--inject-leak: expected one of none, thread"));
  EXPECT_EQ(Ok({"--inject-leak", "fd", "--inject-leak-every", "50"}).leak_every, 50u);
  EXPECT_EQ(Ok({"--inject-leak", "fd"}).leak_every, 1u);
  EXPECT_THAT(Bad({"--inject-leak-every", "0"}), HasSubstr("--inject-leak-every: expected a number of rotations"));
}

TEST(CommandLineTest, InjectFaultIsRepeatable) {
  const Config c = Ok({"--inject-fault", "drop-line:10", "--inject-fault", "error-lines:3", "--inject-fault",
                       "threads-at-start:150", "--inject-fault", "skip-container:4", "--inject-fault",
                       "late-since:2"});
  EXPECT_EQ(c.faults.drop_line_every, 10u);
  EXPECT_EQ(c.faults.error_lines_every, 3u);
  EXPECT_EQ(c.faults.threads_at_start, 150u);
  EXPECT_EQ(c.faults.skip_container_every, 4u);
  EXPECT_EQ(c.faults.late_since_seconds, 2u);
  EXPECT_FALSE(c.faults.duplicate_on_reopen);
  EXPECT_TRUE(Ok({"--inject-fault", "duplicate-on-reopen"}).faults.duplicate_on_reopen);
  EXPECT_EQ(Ok({"--inject-fault=drop-line:2"}).faults.drop_line_every, 2u);
  // With a leak: independent.
  const Config both = Ok({"--inject-leak", "fd", "--inject-fault", "drop-line:5"});
  EXPECT_EQ(both.leak, LeakKind::kFd);
  EXPECT_EQ(both.faults.drop_line_every, 5u);
}

TEST(CommandLineTest, BadInjectFaultExitsTwoSayingWhatIsAccepted) {
  EXPECT_THAT(Bad({"--inject-fault", "melt"}),
              HasSubstr("--inject-fault: expected drop-line:N, duplicate-on-reopen, skip-container:N, error-lines:N, "
                        "threads-at-start:N or late-since:S; N from 1 to 1000000000"));
  EXPECT_THAT(Bad({"--inject-fault", "melt"}), HasSubstr("S from 1 to 86400 (late-since); got 'melt'"));
  EXPECT_THAT(Bad({"--inject-fault", "drop-line:0"}),
              HasSubstr("--inject-fault: expected drop-line:N with N from 1 to 1000000000"));
  EXPECT_THAT(Bad({"--inject-fault", "drop-line:x"}), HasSubstr("got 'drop-line:x'"));
  EXPECT_THAT(Bad({"--inject-fault", "threads-at-start"}),
              HasSubstr("--inject-fault: threads-at-start needs a value: expected threads-at-start:N with N from 1 "
                        "to 10000"));
  EXPECT_THAT(Bad({"--inject-fault", "late-since:2", "--inject-fault", "late-since:3"}),
              HasSubstr("--inject-fault: late-since given twice"));
  EXPECT_THAT(Bad({"--inject-fault"}), HasSubstr("--inject-fault"));
}

TEST(CommandLineTest, DockerHostComesFromFlagThenFileThenEnvThenDefault) {
  const Env env = {{"DOCKER_HOST", "tcp://10.0.0.1:2375"}};
  EXPECT_EQ(Ok({}, env).docker.host, "tcp://10.0.0.1:2375");
  EXPECT_EQ(Ok({}, {{"DOCKER_HOST", ""}}).docker.host, "unix:///var/run/docker.sock");

  const TempFile file("docker:\n  host: unix:///from/file.sock\n");
  EXPECT_EQ(Ok({"--config", file.path()}, env).docker.host, "unix:///from/file.sock");
  EXPECT_EQ(Ok({"--config", file.path(), "--docker-host", "unix:///from/flag.sock"}, env)
                .docker.host,
            "unix:///from/flag.sock");
}

TEST(CommandLineTest, FlagsOverrideTheFileWhichOverridesDefaults) {
  const TempFile file(
      "docker:\n  max_streams: 10\n  rotation_interval: 1m\n  include_names: [a, b]\n"
      "sink:\n  type: file\n  path: /tmp/from-file\n  batch_wait: 3s\n");
  Config c = Ok({"--config", file.path()});
  EXPECT_EQ(c.docker.max_streams, 10u);
  EXPECT_EQ(c.docker.rotation_interval, minutes(1));
  EXPECT_EQ(c.sink.path, "/tmp/from-file");
  EXPECT_EQ(c.docker.backoff_cap, seconds(30));  // default

  c = Ok({"--config", file.path(), "--max-streams", "20", "--include-name", "c", "--sink",
          "stdout"});
  EXPECT_EQ(c.docker.max_streams, 20u);
  EXPECT_EQ(c.docker.rotation_interval, minutes(1));
  EXPECT_THAT(c.docker.include_names, ElementsAre("c"));  // replaced, not appended
  EXPECT_EQ(c.sink.kind, SinkKind::kStdout);
  EXPECT_EQ(c.sink.batch_wait, seconds(3));  // the rest of the file's sink is kept
}

TEST(CommandLineTest, FlagsCanRepairWhatTheFileCombinesBadly) {
  // The file's lease is fine with its own interval; the flag makes it too long.
  const TempFile file("docker:\n  oversubscribed_lease: 1m\n");
  EXPECT_THAT(Bad({"--config", file.path(), "--rotation-interval", "30s"}),
              HasSubstr("--rotation-interval: docker.oversubscribed_lease: must not be longer "
                        "than docker.rotation_interval (30s), got 1m"));
}

struct BadFlag {
  std::vector<std::string> args;
  const char* error;  // a part of the message
};

TEST(CommandLineTest, BadValuesExitTwoNamingTheFlag) {
  const BadFlag cases[] = {
      {{"--max-streams", "0"}, "--max-streams: must be at least 1, got 0"},
      {{"--max-streams", "abc"}, "--max-streams: expected a non-negative integer, got 'abc'"},
      {{"--max-streams", "-3"}, "--max-streams"},
      {{"--rotation-interval", "5 minutes"},
       "--rotation-interval: expected a duration such as 300s, 5m or 2.5s"},
      {{"--rotation-interval", "0s"}, "--rotation-interval: must be at least 1s"},
      {{"--rotation-interval", "999ms"},
       "--rotation-interval: must be at least 1s (each reopen costs the daemon a container lookup "
       "and a log-file seek; more often, it spends more on reopening than on serving logs), got "
       "999ms"},
      {{"--max-opens-per-second", "0"},
       "--max-opens-per-second: must be a finite number above 0 (opens per second, e.g. 100), "
       "got 0"},
      {{"--max-opens-per-second", "-1"},
       "--max-opens-per-second: expected a decimal number such as 100 or 2.5, got '-1'"},
      {{"--max-opens-per-second", "inf"}, "--max-opens-per-second: expected a decimal number"},
      {{"--max-opens-per-second", "nan"}, "--max-opens-per-second: expected a decimal number"},
      {{"--max-opens-per-second", "1e3"}, "--max-opens-per-second: expected a decimal number"},
      {{"--max-opens-per-second", ".5"}, "--max-opens-per-second: expected a decimal number"},
      {{"--max-opens-per-second", "5."}, "--max-opens-per-second: expected a decimal number"},
      {{"--rotation-jitter", "soon"}, "--rotation-jitter: expected a duration"},
      {{"--stall-timeout", "x"}, "--stall-timeout: expected a duration"},
      {{"--max-line-bytes", "10"}, "--max-line-bytes: must be between 1024"},
      {{"--long-lines", "wrap"}, "--long-lines: expected split or truncate"},
      {{"--docker-host", "unix://docker.sock"},
       "--docker-host: 'unix://docker.sock': the socket path must be absolute"},
      {{"--docker-host", "http://h:1"}, "--docker-host: 'http://h:1': unsupported scheme"},
      {{"--metrics-listen", "localhost"}, "--metrics-listen: 'localhost' is not HOST:PORT"},
      {{"--metrics-listen", "[::1]:9464"},
       "--metrics-listen: '[::1]:9464': the metrics endpoint cannot listen on IPv6 (its HTTP "
       "server, civetweb, is built without IPv6 support); use 127.0.0.1:PORT"},
      {{"--log-level", "loud"}, "--log-level: expected one of trace, debug"},
      {{"--include-label", "=x"}, "--include-label: expected LABEL or LABEL=VALUE"},
      {{"--exclude-name", ""}, "--exclude-name: patterns must not be empty"},
      {{"--docker-host", ""}, "--docker-host: expected unix:///PATH or tcp://HOST:PORT, got ''"},
  };
  for (const BadFlag& bad : cases) EXPECT_THAT(Bad(bad.args), HasSubstr(bad.error));
}

TEST(CommandLineTest, RotationIntervalOfOneSecondIsTheMinimum) {
  EXPECT_EQ(Ok({"--rotation-interval", "1s"}).docker.rotation_interval, seconds(1));
  EXPECT_EQ(Ok({"--rotation-interval", "1000ms"}).docker.rotation_interval, seconds(1));
}

TEST(CommandLineTest, MaxOpensPerSecond) {
  EXPECT_EQ(Ok({}).docker.max_opens_per_second, 100.0);
  EXPECT_EQ(Ok({"--max-opens-per-second", "2.5"}).docker.max_opens_per_second, 2.5);
  EXPECT_EQ(Ok({"--max-opens-per-second=1000"}).docker.max_opens_per_second, 1000.0);
  EXPECT_EQ(Ok({"--max-opens-per-second", "0.01"}).docker.max_opens_per_second, 0.01);
  const TempFile file("docker:\n  max_opens_per_second: 20\n");
  EXPECT_EQ(Ok({"--config", file.path()}).docker.max_opens_per_second, 20.0);
  EXPECT_EQ(Ok({"--config", file.path(), "--max-opens-per-second", "30"})
                .docker.max_opens_per_second,
            30.0);
}

TEST(CommandLineTest, CommandLineMistakesExitTwo) {
  EXPECT_THAT(Bad({"--max-stream", "3"}), HasSubstr("--max-stream"));
  EXPECT_THAT(Bad({"extra"}), HasSubstr("extra"));
  EXPECT_THAT(Bad({"--max-streams"}), HasSubstr("--max-streams"));
  // A repeatable flag takes one value per use.
  EXPECT_THAT(Bad({"--include-name", "a", "b"}), HasSubstr("not expected: b"));
}

TEST(CommandLineTest, BadDockerHostFromTheEnvironmentNamesIt) {
  EXPECT_THAT(Bad({}, {{"DOCKER_HOST", "npipe:////./pipe/docker"}}),
              HasSubstr("DOCKER_HOST: 'npipe:////./pipe/docker': unsupported scheme"));
  // A flag replaces it, so it no longer matters.
  EXPECT_EQ(Ok({"--docker-host", "unix:///x.sock"}, {{"DOCKER_HOST", "bad"}}).docker.host,
            "unix:///x.sock");
}

TEST(CommandLineTest, ConfigFileErrorsExitTwoWithTheirPosition) {
  const TempFile file("docker:\n  max_streams: 0\n");
  EXPECT_THAT(Bad({"--config", file.path()}),
              HasSubstr(file.path() + ":2:16: docker.max_streams: must be at least 1, got 0"));
  EXPECT_THAT(Bad({"--config", "/nonexistent.yaml"}),
              HasSubstr("cannot read config file '/nonexistent.yaml'"));
  // The flag is applied after the file is read: the file's error still wins.
  EXPECT_THAT(Bad({"--config", file.path(), "--max-streams", "5"}), HasSubstr(":2:16:"));
}

TEST(CommandLineTest, HelpExitsZeroWithEveryFlag) {
  for (const char* flag : {"--help", "-h"}) {
    const CommandLineResult r = Parse({flag});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_FALSE(r.config.has_value());
    for (const char* name :
         {"--docker-host", "--config", "--rotation-interval", "--rotation-jitter",
          "--stall-timeout", "--max-streams", "--max-line-bytes", "--long-lines",
          "--include-name", "--exclude-name", "--include-label", "--exclude-label", "--sink",
          "--metrics-listen", "--state-file", "--log-level", "--inject-leak", "--inject-fault",
          "drop-line:N", "late-since:S", "--version",
          "--max-opens-per-second", "rotation_interval", "max_opens_per_second", "labels"}) {
      EXPECT_THAT(r.message, HasSubstr(name));
    }
  }
  // --help wins over bad values given with it.
  EXPECT_EQ(Parse({"--max-streams", "0", "--help"}).exit_code, 0);
}

TEST(CommandLineTest, VersionExitsZero) {
  const CommandLineResult r = Parse({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.config.has_value());
  EXPECT_THAT(r.message, StartsWith("log-capturer "));
  EXPECT_THAT(r.message, Not(HasSubstr("unknown")));
}

}  // namespace
}  // namespace logcap
