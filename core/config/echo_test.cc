// Every config reader echoes a huge value cut (common/echo_value.h): flags,
// YAML keys and values, endpoints, the sink spec, leak kinds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/echo_value.h"
#include "core/config/command_line.h"
#include "core/config/config_error.h"
#include "core/config/config_file.h"
#include "core/config/docker_host.h"
#include "core/config/host_port.h"
#include "core/config/leak_kind.h"
#include "core/config/settings.h"
#include "core/config/sink_spec.h"
#include "core/config/validate_config.h"

namespace logcap {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kHuge = 64 * 1024;

// The message of whatever `fn` throws.
std::string MessageOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

std::string CommandLineMessage(std::vector<std::string> args,
                               std::optional<std::string> docker_host = std::nullopt) {
  args.insert(args.begin(), "log-capturer");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  const CommandLineResult r = ParseCommandLine(
      static_cast<int>(argv.size()), argv.data(),
      [&](const std::string&) -> std::optional<std::string> { return docker_host; });
  return r.exit_code == 2 ? r.message : "(no error)";
}

TEST(EchoTest, EveryReaderCutsWhatItEchoes) {
  const std::string huge(kHuge, 'q');
  const std::string marker = "\xE2\x80\xA6(cut, ";
  const auto validate = [](const std::function<void(Config&)>& change) {
    Config c;
    change(c);
    ValidateConfig(c);
  };
  const std::vector<std::pair<const char*, std::string>> messages = {
      {"host:port", MessageOf([&] { ParseHostPort(huge); })},
      {"docker host", MessageOf([&] { ParseDockerHost("ftp://" + huge); })},
      {"tcp docker host", MessageOf([&] { ParseDockerHost("tcp://" + huge); })},
      {"sink kind", MessageOf([&] { ParseSinkKind(huge); })},
      {"sink spec", MessageOf([&] {
         SinkConfig s;
         ApplySinkSpec(huge, s);
       })},
      {"leak kind", MessageOf([&] { ParseLeakKind(huge); })},
      {"duration", MessageOf([&] { ParseDurationValue(huge); })},
      {"too many seconds", MessageOf([&] { ParseDurationValue(std::string(kHuge, '9')); })},
      {"count", MessageOf([&] { ParseCountValue(huge); })},
      {"too large count", MessageOf([&] { ParseCountValue(std::string(kHuge, '9')); })},
      {"number", MessageOf([&] { ParseNumberValue(huge); })},
      {"long_lines", MessageOf([&] {
         Config c;
         FindSetting("docker.long_lines")->set_scalar(c, huge);
       })},
      {"label", MessageOf([&] { validate([&](Config& c) { c.docker.include_labels = {"=" + huge}; }); })},
      {"loki url", MessageOf([&] {
         validate([&](Config& c) {
           c.sink.kind = SinkKind::kLoki;
           c.sink.url = huge;
         });
       })},
      {"loki label name",
       MessageOf([&] { validate([&](Config& c) { c.sink.loki_labels = {{"-" + huge, "v"}}; }); })},
      {"loki label value",
       MessageOf([&] { validate([&](Config& c) { c.sink.loki_labels = {{huge, ""}}; }); })},
      {"log level", MessageOf([&] { validate([&](Config& c) { c.log_level = huge; }); })},
      {"metrics listen", MessageOf([&] { validate([&](Config& c) { c.metrics_listen = huge; }); })},
      {"yaml value", MessageOf([&] { ParseConfigText("docker:\n  max_streams: " + huge + "\n", "f", {}); })},
      // Explicit keys ("? KEY"): an implicit YAML key is at most 1024 characters.
      {"yaml unknown key",
       MessageOf([&] { ParseConfigText("docker:\n  ? " + huge + "\n  : 1\n", "f", {}); })},
      {"yaml duplicate key",
       MessageOf([&] {
         ParseConfigText("sink:\n  labels:\n    ? " + huge + "\n    : a\n    ? " + huge + "\n    : b\n",
                         "f", {});
       })},
      {"yaml file name", MessageOf([&] { ParseConfigText("docker:\n  max_streams: x\n", huge, {}); })},
      {"config path", MessageOf([&] { LoadConfigFile("/" + huge, {}); })},
      {"flag value", CommandLineMessage({"--metrics-listen", huge})},
      {"unknown flag", CommandLineMessage({"--" + huge})},
      {"extra argument", CommandLineMessage({huge})},
      {"$DOCKER_HOST", CommandLineMessage({}, "unix://" + huge)},
  };
  for (const auto& [what, message] : messages) {
    EXPECT_THAT(message, HasSubstr(marker)) << what;
    // Some messages name the value twice (the docker host and its HOST:PORT).
    EXPECT_LT(message.size(), 3 * leakbench::kMaxEchoedBytes + 400) << what << ": " << message.substr(0, 500);
  }
}

}  // namespace
}  // namespace logcap
