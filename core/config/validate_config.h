// Judges a whole Config: every range and every rule between two settings
// (backoff_base <= backoff_cap, a file sink has a path, ...). Shared by the
// YAML reader and the command line so both refuse the same values; each
// problem names the YAML keys involved so a caller can point at the file
// line or the flag that set them. Pure functions; thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/config/config_error.h"

namespace logcap {

// The accepted log.level / --log-level values.
inline constexpr std::array<std::string_view, 7> kLogLevels = {
    "trace", "debug", "info", "warn", "error", "critical", "off"};

// Bounds on docker.max_line_bytes.
inline constexpr std::size_t kMinLineBytes = 1024;
inline constexpr std::size_t kMaxLineBytes = std::size_t{256} << 20;

struct ConfigProblem {
  // YAML keys ("docker.max_streams") involved; the first is the one to blame.
  std::vector<std::string> keys;
  std::string message;  // what is expected and what was found

  // "docker.max_streams: must be at least 1, got 0"
  std::string ToString() const;
};

// Every problem, in the order of the keys in config.h; empty when valid.
std::vector<ConfigProblem> FindConfigProblems(const Config& config);

// Throws ConfigError with the first problem.
void ValidateConfig(const Config& config);

}  // namespace logcap
