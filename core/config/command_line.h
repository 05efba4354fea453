// The log-capturer command line (CLI11). Settings are layered, each over the
// one before: built-in defaults, then $DOCKER_HOST, then the --config YAML
// file, then the flags. The environment is read through an injected lookup so
// tests need no setenv(). The result is a validated Config, or what to print
// and the exit code (0 for --help/--version, 2 for any bad flag or value).
// Pure apart from reading the --config file; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "core/config/config.h"
#include "core/config/env_lookup.h"

namespace logcap {

struct CommandLineResult {
  // Set when the engine should run; then exit_code is 0 and message empty.
  std::optional<Config> config;
  // 0: run (config set) or --help/--version (message for stdout);
  // 2: bad command line or config (message, one line, for stderr).
  int exit_code = 0;
  std::string message;
};

// Flags: --docker-host URL, --config FILE, --rotation-interval DURATION,
// --rotation-jitter DURATION, --stall-timeout DURATION, --max-streams N,
// --max-opens-per-second RATE,
// --max-line-bytes N, --long-lines split|truncate, --include-name PATTERN,
// --exclude-name PATTERN, --include-label LABEL[=VALUE], --exclude-label
// LABEL[=VALUE] (the four repeatable; given at least once, they replace the
// file's list), --sink stdout|file:PATH|loki:URL, --metrics-listen HOST:PORT
// ("" for none), --state-file PATH, --log-level LEVEL, --inject-leak KIND,
// --inject-fault KIND[:N] (repeatable, one kind each; fault_kind.h),
// --version, -h/--help. A flag given twice keeps its last value.
CommandLineResult ParseCommandLine(int argc, const char* const argv[],
                                   const EnvLookup& env = GetProcessEnv);

}  // namespace logcap
