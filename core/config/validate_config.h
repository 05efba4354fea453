// Judges a whole Config: every range and every rule between two settings
// (backoff_base <= backoff_cap, a file sink has a path, ...). Shared by the
// YAML reader and the command line so both refuse the same values; each
// problem names the YAML keys involved so a caller can point at the file
// line or the flag that set them. Pure functions; thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/config/config_error.h"

namespace logcap {

// The accepted log.level / --log-level values.
inline constexpr std::array<std::string_view, 7> kLogLevels = {
    "trace", "debug", "info", "warn", "error", "critical", "off"};

// The shortest docker.rotation_interval. Every open of a follow stream costs
// the daemon a container lookup and a seek in the log file; below 1 s a
// daemon following many containers spends more on reopening than on serving
// lines. Time-compressed tests and scenarios use 1-5 s.
inline constexpr std::chrono::seconds kMinRotationInterval{1};

// Bounds on docker.max_line_bytes.
inline constexpr std::size_t kMinLineBytes = 1024;
inline constexpr std::size_t kMaxLineBytes = std::size_t{256} << 20;
// docker.stream_buffer_bytes: libcurl's CURL_MIN_BUFFERSIZE and
// CURL_MAX_READ_SIZE.
inline constexpr std::size_t kMinStreamBufferBytes = 1024;
inline constexpr std::size_t kMaxStreamBufferBytes = std::size_t{512} << 10;

// sink.file.max_bytes: 0 or at least this (smaller would make a file per
// record); sink.file.keep: 1 .. this many rotated files.
inline constexpr std::size_t kMinSinkFileMaxBytes = 4096;
inline constexpr std::size_t kMaxSinkFileKeep = 1000;

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
