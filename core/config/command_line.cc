#include "core/config/command_line.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/config/config_error.h"
#include "core/config/config_file.h"
#include "core/config/docker_host.h"
#include "common/echo_value.h"
#include "core/config/fault_kind.h"
#include "core/config/leak_kind.h"
#include "core/config/join_names.h"
#include "core/config/settings.h"
#include "core/config/sink_spec.h"
#include "core/config/validate_config.h"

#ifndef LOGCAP_VERSION
#define LOGCAP_VERSION "unknown"
#endif

namespace logcap {
namespace {

// A flag that sets one YAML key (a scalar or a repeatable list).
struct KeyFlag {
  std::string_view name;  // "--max-streams"
  std::string_view key;   // "docker.max_streams"
  std::string_view value_name;
  std::string_view help;
};

constexpr KeyFlag kKeyFlags[] = {
    {"--docker-host", "docker.host", "URL",
     "Docker daemon: unix:///ABSOLUTE/PATH or tcp://HOST:PORT (default: $DOCKER_HOST, "
     "else unix:///var/run/docker.sock)"},
    {"--rotation-interval", "docker.rotation_interval", "DURATION",
     "Reopen every follow stream after this long: 300s, 5m, 2.5s (default 5m)"},
    {"--rotation-jitter", "docker.rotation_jitter", "DURATION",
     "Spread rotations over this much before the interval, never after it (default 10s; at most a quarter "
     "of the interval)"},
    {"--stall-timeout", "docker.stall_timeout", "DURATION",
     "Reopen a stream silent for this long; 0 = never (default 0)"},
    {"--max-streams", "docker.max_streams", "N", "At most N follow streams at once (default 50)"},
    {"--max-opens-per-second", "docker.max_opens_per_second", "RATE",
     "Open follow streams at most RATE times a second on average, e.g. 100 or 2.5 (default 100)"},
    {"--stream-buffer-bytes", "docker.stream_buffer_bytes", "N",
     "Receive buffer per follow stream, 1024..524288 bytes (default 4096)"},
    {"--max-line-bytes", "docker.max_line_bytes", "N",
     "Longest line kept whole, 1024..268435456 bytes (default 1048576)"},
    {"--long-lines", "docker.long_lines", "split|truncate",
     "What to do with longer lines (default split)"},
    {"--include-name", "docker.include_names", "PATTERN",
     "Follow only containers whose name matches this glob (repeatable)"},
    {"--exclude-name", "docker.exclude_names", "PATTERN",
     "Skip containers whose name matches this glob (repeatable)"},
    {"--include-label", "docker.include_labels", "LABEL[=VALUE]",
     "Follow only containers with this label (repeatable)"},
    {"--exclude-label", "docker.exclude_labels", "LABEL[=VALUE]",
     "Skip containers with this label (repeatable)"},
    {"--metrics-listen", "metrics.listen", "HOST:PORT",
     "Serve Prometheus /metrics here (IPv4 only); port 0 picks one, \"\" serves none (default "
     "127.0.0.1:9464)"},
    {"--sink-fsync-interval", "sink.file.fsync_interval", "DURATION",
     "File sink: acknowledge lines after an fdatasync at most this long after their write; 0 = "
     "on write, no fsync (default 1s)"},
    {"--sink-max-bytes", "sink.file.max_bytes", "N",
     "File sink: rotate to PATH.1 before the file passes N bytes; 0 = never (default 0)"},
    {"--sink-keep", "sink.file.keep", "N", "File sink: rotated files kept, 1..1000 (default 5)"},
    {"--sink-on-reject", "sink.on_reject", "retry|drop",
     "Loki sink: a batch Loki rejects with a 4xx (not 408/429) is retried or dropped (default "
     "retry)"},
    {"--state-file", "state.file", "PATH", "Keep read positions in this file across restarts"},
    {"--log-level", "log.level", "LEVEL",
     "trace, debug, info, warn, error, critical or off (default info)"},
};

constexpr std::string_view kSinkFlag = "--sink";
constexpr std::string_view kSinkKeys[] = {"sink.type", "sink.path", "sink.url"};

std::string ProgramName(int argc, const char* const argv[]) {
  if (argc < 1 || argv[0] == nullptr || argv[0][0] == '\0') return "log-capturer";
  const std::string_view path = argv[0];
  return std::string(path.substr(path.rfind('/') + 1));
}

// "Config file (YAML) keys, by section:\n  docker: host, rotation_interval, ...".
std::string ConfigKeysFooter() {
  std::string out = "Config file (YAML) keys, by section:";
  for (const std::string_view section : SettingSections()) {
    out += "\n  " + std::string(section) + ": " + JoinNames(SettingNamesIn(section));
  }
  return out;
}

// Collects the values of every flag; knows which were given.
class FlagSet {
 public:
  explicit FlagSet(CLI::App& app) : scalars_(std::size(kKeyFlags)), lists_(std::size(kKeyFlags)) {
    for (std::size_t i = 0; i < std::size(kKeyFlags); ++i) {
      const KeyFlag& flag = kKeyFlags[i];
      const Setting* setting = FindSetting(flag.key);
      CLI::Option* option =
          setting->shape == SettingShape::kList
              ? app.add_option(std::string(flag.name), lists_[i], std::string(flag.help))
                    ->expected(1)
                    ->allow_extra_args(false)
                    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
              : app.add_option(std::string(flag.name), scalars_[i], std::string(flag.help));
      option->type_name(std::string(flag.value_name));
      options_.push_back(option);
    }
    sink_ = app.add_option(std::string(kSinkFlag), sink_spec_,
                           "Where lines go: stdout, file:PATH (JSON lines) or loki:URL "
                           "(default stdout)")
                ->type_name("SPEC");
    leak_ = app.add_option("--inject-leak", leak_name_,
                           "Fault injection, for the harness: leak one kind on purpose: thread, "
                           "fd, memory, stream, series-rotation or series-container (default "
                           "none)")
                ->type_name("KIND");
    leak_every_ = app.add_option("--inject-leak-every", leak_every_value_,
                                 "With --inject-leak: leak once every N rotations (default 1)")
                      ->type_name("N");
    fault_ = app.add_option("--inject-fault", fault_specs_,
                            "Fault injection, for the harness's negative controls (repeatable, one "
                            "kind each): drop-line:N (one line in N never written, its position "
                            "passed), duplicate-on-reopen (reopen 3 s before the last line, "
                            "no de-duplication), skip-container:N (one container in N never followed), "
                            "error-lines:N (one error log line every N rotations), "
                            "threads-at-start:N (N idle threads for the whole run, 1..10000), "
                            "late-since:S (reopen S seconds after the last line, 1..86400); N from 1 "
                            "to 1000000000 unless said (default none)")
                 ->type_name("KIND[:N]")
                 ->expected(1)
                 ->allow_extra_args(false)
                 ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  }

  // Applies every given flag to `config`. Throws std::invalid_argument with
  // "--flag: what was expected".
  void Apply(Config& config) const {
    for (std::size_t i = 0; i < std::size(kKeyFlags); ++i) {
      if (options_[i]->count() == 0) continue;
      const Setting* setting = FindSetting(kKeyFlags[i].key);
      Prefixed(kKeyFlags[i].name, [&] {
        if (setting->shape == SettingShape::kList) {
          setting->set_list(config, lists_[i]);
        } else {
          setting->set_scalar(config, scalars_[i]);
        }
      });
    }
    if (sink_->count() > 0) Prefixed(kSinkFlag, [&] { ApplySinkSpec(sink_spec_, config.sink); });
    if (leak_->count() > 0) Prefixed("--inject-leak", [&] { config.leak = ParseLeakKind(leak_name_); });
    if (fault_->count() > 0) Prefixed("--inject-fault", [&] { config.faults = ParseFaultSpecs(fault_specs_); });
    if (leak_every_->count() > 0) {
      Prefixed("--inject-leak-every", [&] {
        if (leak_every_value_ < 1 || leak_every_value_ > 1'000'000'000) {
          throw std::invalid_argument("expected a number of rotations from 1 to 1000000000, got " +
                                      std::to_string(leak_every_value_));
        }
        config.leak_every = static_cast<std::uint32_t>(leak_every_value_);
      });
    }
  }

  // The flag that was given for `key`, or "".
  std::string_view FlagFor(std::string_view key) const {
    for (std::size_t i = 0; i < std::size(kKeyFlags); ++i) {
      if (kKeyFlags[i].key == key && options_[i]->count() > 0) return kKeyFlags[i].name;
    }
    const bool sink_key = std::find(std::begin(kSinkKeys), std::end(kSinkKeys), key) !=
                          std::end(kSinkKeys);
    if (sink_key && sink_->count() > 0) return kSinkFlag;
    return {};
  }

 private:
  template <typename Fn>
  static void Prefixed(std::string_view flag, Fn fn) {
    try {
      fn();
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(flag) + ": " + e.what());
    }
  }

  std::vector<std::string> scalars_;
  std::vector<std::vector<std::string>> lists_;
  std::vector<CLI::Option*> options_;
  std::string sink_spec_;
  std::string leak_name_;
  long long leak_every_value_ = 1;
  std::vector<std::string> fault_specs_;
  CLI::Option* sink_ = nullptr;
  CLI::Option* leak_ = nullptr;
  CLI::Option* leak_every_ = nullptr;
  CLI::Option* fault_ = nullptr;
};

// Names where the value behind `problem` came from: a flag, $DOCKER_HOST, or
// (for anything else) its key.
std::string Attribute(const ConfigProblem& problem, const FlagSet& flags, bool host_from_env) {
  for (const std::string& key : problem.keys) {
    const std::string_view flag = flags.FlagFor(key);
    if (flag.empty()) continue;
    return std::string(flag) + ": " +
           (key == problem.keys.front() ? problem.message : problem.ToString());
  }
  if (host_from_env && !problem.keys.empty() && problem.keys.front() == "docker.host") {
    return std::string(kDockerHostEnv) + ": " + problem.message;
  }
  return problem.ToString();
}

}  // namespace

CommandLineResult ParseCommandLine(int argc, const char* const argv[], const EnvLookup& env) {
  const std::string program = ProgramName(argc, argv);
  const auto error = [&](const std::string& what) {
    return CommandLineResult{std::nullopt, 2, program + ": " + what + "; run with --help for usage"};
  };

  CLI::App app(
      "Follows every container's logs through the Docker Engine API, rotating each follow "
      "stream and capping how many are open at once, and ships the lines to a sink. Settings: "
      "built-in defaults, then $DOCKER_HOST, then the --config file, then these flags.",
      program);
  app.option_defaults()->take_last();
  app.set_help_flag("-h,--help", "Print this help and exit");
  bool version = false;
  app.add_flag("--version", version, "Print the version and exit");
  std::string config_path;
  CLI::Option* config_option =
      app.add_option("--config", config_path, "YAML config file (keys below)")->type_name("FILE");
  FlagSet flags(app);
  app.footer(ConfigKeysFooter());

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return CommandLineResult{std::nullopt, 0, app.help()};
  } catch (const CLI::ParseError& e) {
    return error(leakbench::CutValue(e.what()));  // CLI11 echoes the offending argument
  }
  if (version) return CommandLineResult{std::nullopt, 0, program + " " + LOGCAP_VERSION + "\n"};

  Config config;
  const std::optional<std::string> env_host = DockerHostFromEnv(env);
  config.docker.host = env_host.value_or(std::string(kDefaultDockerHost));
  try {
    if (config_option->count() > 0) config = LoadConfigFile(config_path, std::move(config));
    flags.Apply(config);
  } catch (const ConfigError& e) {
    return error(e.what());
  } catch (const std::invalid_argument& e) {
    return error(e.what());
  }
  const std::vector<ConfigProblem> problems = FindConfigProblems(config);
  const bool host_from_env =
      env_host && config.docker.host == *env_host && flags.FlagFor("docker.host").empty();
  if (!problems.empty()) return error(Attribute(problems.front(), flags, host_from_env));
  return CommandLineResult{std::move(config), 0, ""};
}

}  // namespace logcap
