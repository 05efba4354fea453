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

// What the Loki sink does with a batch Loki rejects with a 4xx other than
// 408/429 (a bad URL, credentials, tenant, or data Loki refuses).
enum class SinkRejectPolicy {
  kRetry,  // keep it, log, retry with capped backoff: nothing lost silently
  kDrop,   // give it up: counted (records_dropped) and logged with its range
};

struct DockerConfig {
  // unix:///path or tcp://host:port. Default: $DOCKER_HOST, else
  // unix:///var/run/docker.sock.
  std::string host;
  // At least 1 s (kMinRotationInterval in validate_config.h): each open of a
  // follow stream costs the daemon a container lookup and a log-file seek.
  std::chrono::nanoseconds rotation_interval = std::chrono::minutes(5);
  // Each stream's lease is drawn uniformly from [rotation_interval - j,
  // rotation_interval] with j = min(rotation_jitter, rotation_interval / 4):
  // rotations spread out, and none is ever later than rotation_interval.
  std::chrono::nanoseconds rotation_jitter = std::chrono::seconds(10);
  std::size_t max_streams = 50;
  // When containers wait for a slot, a stream's lease is shortened to this
  // (fair turns); 0 = rotation_interval / 4. Never shorter than
  // max_streams / max_opens_per_second (the pool cannot turn over faster
  // than streams may open); a lease runs from its stream's open.
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
  // Timeout for non-streaming requests (ping, list, inspect), connects, and
  // a follow request's answer (its response headers): one unanswered at its
  // lease end is waited for until then, not rotated away.
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(10);
  // A follow stream with no byte for this long is reopened (0 = never).
  std::chrono::nanoseconds stall_timeout = std::chrono::nanoseconds(0);
  // Follow-stream opens toward the daemon, at most this many a second on
  // average (a burst of one second's worth); delayed opens are counted in
  // log_capturer_stream_opens_delayed_total. <= 0: no limit (only for a
  // Config built in code; the flag and the YAML key must be > 0 and finite).
  // Default 100, sized for a real dockerd: each open is an API request, a
  // container lookup and a log-file seek (estimated at a millisecond or
  // more of daemon time, not measured here), so 100/s costs the daemon
  // about a tenth of a core for opening alone.
  // It never slows the steady state of the defaults (50 streams every 5 m =
  // 0.17 opens/s) nor 50 streams at the 1 s minimum rotation (50/s); it
  // spreads the bursts: the first start with many containers and the
  // reopen of every stream after a daemon restart.
  double max_opens_per_second = 100;
  // Receive buffer of each follow stream, the most one read takes
  // (CURLOPT_BUFFERSIZE, kMinStreamBufferBytes .. kMaxStreamBufferBytes).
  // Memory follows open streams, not traffic: with libcurl's 16 KiB an
  // open stream cost 24.4 KiB of RSS, with 4 KiB 22.6 KiB (10,000 open
  // streams, core/bench/stream_cpu.sh). A stream busier than 4 KiB per
  // read just reads more often.
  std::size_t stream_buffer_bytes = 4096;
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
  SinkRejectPolicy on_reject = SinkRejectPolicy::kRetry;  // sink.on_reject
  // File sink (sink.file.*): records are acknowledged after an fdatasync at
  // most fsync_interval after their write (0: on write, never synced);
  // rotation before the file would pass max_bytes (0: never), keeping
  // path.1 .. path.<keep>.
  std::chrono::nanoseconds fsync_interval = std::chrono::seconds(1);
  std::size_t max_bytes = 0;
  std::size_t keep = 5;
};

// Deliberate faults (--inject-fault KIND[:N], repeatable; no YAML key, like
// --inject-leak), so that leakbench can show each of its criteria failing.
// Each is off at 0 / false, the default. What they do: fault_injector.h.
struct FaultConfig {
  std::uint32_t drop_line_every = 0;       // drop-line:N, one line in N not written
  bool duplicate_on_reopen = false;        // duplicate-on-reopen
  std::uint32_t skip_container_every = 0;  // skip-container:N, one container in N never followed
  std::uint32_t error_lines_every = 0;     // error-lines:N, one error line every N rotations
  std::uint32_t threads_at_start = 0;      // threads-at-start:N, N idle threads for the run
  std::uint32_t late_since_seconds = 0;    // late-since:S, reopen S seconds after the position

  bool any() const {
    return drop_line_every != 0 || duplicate_on_reopen || skip_container_every != 0 || error_lines_every != 0 ||
           threads_at_start != 0 || late_since_seconds != 0;
  }
  friend bool operator==(const FaultConfig&, const FaultConfig&) = default;
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
  FaultConfig faults;  // --inject-fault
};

}  // namespace logcap
