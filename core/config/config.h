// The engine's settings: defaults, then a YAML file (--config), then
// command-line flags, each overriding the one before. A plain value, copied
// into the engine at start; thread-safe as any const value.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace logcap {

enum class LeakKind {
  kNone,
  kThread,           // one parked thread per rotation
  kFd,               // one fd (pipe end) per rotation
  kMemory,           // 64 KiB kept per rotation
  kStream,           // a follow stream left open (never read) per rotation
  kSeriesRotation,   // one new metric series per rotation
  kSeriesContainer,  // per-container series never deleted on removal
};

enum class SinkKind { kStdout, kFile, kLoki };

struct DockerConfig {
  // unix:///path or tcp://host:port. Default: $DOCKER_HOST, else
  // unix:///var/run/docker.sock.
  std::string host;
  std::chrono::nanoseconds rotation_interval = std::chrono::minutes(5);
  // Rotations are spread uniformly within +-rotation_jitter (never later than
  // rotation_interval + jitter; clamped to rotation_interval / 4).
  std::chrono::nanoseconds rotation_jitter = std::chrono::seconds(10);
  std::size_t max_streams = 50;
  // When containers wait for a slot, a stream's lease is shortened to this
  // (fair turns); 0 = rotation_interval / 4.
  std::chrono::nanoseconds oversubscribed_lease = std::chrono::nanoseconds(0);
  // Container selection: glob patterns on names ('*', '?'); labels as
  // "key" (present) or "key=value". Exclusion wins.
  std::vector<std::string> include_names;
  std::vector<std::string> exclude_names;
  std::vector<std::string> include_labels;
  std::vector<std::string> exclude_labels;
  // Decoding bounds.
  std::size_t max_line_bytes = 1 << 20;
  bool truncate_long_lines = false;  // false: split into parts
  // Reconnect backoff after 5xx / refused / reset.
  std::chrono::nanoseconds backoff_base = std::chrono::milliseconds(250);
  std::chrono::nanoseconds backoff_cap = std::chrono::seconds(30);
  // Timeout for non-streaming requests (ping, list, inspect) and connects.
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(10);
  // A follow stream with no byte for this long is reopened (0 = never).
  std::chrono::nanoseconds stall_timeout = std::chrono::nanoseconds(0);
};

struct SinkConfig {
  SinkKind kind = SinkKind::kStdout;
  std::string path;  // kFile
  std::string url;   // kLoki: base URL, e.g. http://127.0.0.1:3100
  std::size_t buffer_bytes = 8 << 20;  // backpressure threshold
  // Loki batching.
  std::size_t batch_bytes = 1 << 20;
  std::chrono::nanoseconds batch_wait = std::chrono::seconds(1);
  std::map<std::string, std::string> loki_labels = {{"job", "log-capturer"}};
};

struct Config {
  DockerConfig docker;
  SinkConfig sink;
  std::string metrics_listen = "127.0.0.1:9464";  // "" = no metrics endpoint
  std::string state_file;                          // "" = no persistence
  std::chrono::nanoseconds state_flush_interval = std::chrono::seconds(5);
  std::string log_level = "info";  // trace debug info warn error critical off
  LeakKind leak = LeakKind::kNone;
  // Leak once every this many rotations (1 = every rotation), so the harness
  // can find the smallest leak rate each criterion catches.
  std::uint32_t leak_every = 1;
};

}  // namespace logcap
