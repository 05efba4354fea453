// The log-capturer engine: discovers containers (list, then /events), gives
// each a follow stream through the pool (StreamScheduler: at most
// max_streams open, rotated before rotation_interval, fair turns when
// oversubscribed), decodes the streams (StreamReader), hands lines to the
// sink, keeps every container's position exact across rotations, errors and
// daemon restarts, backs off on failures, pauses reading when the sink is
// full, and reports metrics.
//
// Threads: Run() is the event loop (one thread for every stream, whatever
// the number of containers); Stop() and stats() may be called from any
// thread. The engine does not own the sink or the metrics; they must
// outlive it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "core/config/config.h"
#include "core/metrics/engine_metrics.h"
#include "core/sink/sink.h"

namespace logcap {

// Counters for tests and the final log line; readable from any thread.
struct EngineStats {
  std::uint64_t lines = 0;            // handed to the sink
  std::uint64_t bytes = 0;
  std::uint64_t streams_opened = 0;
  std::uint64_t rotations = 0;
  std::uint64_t stream_errors = 0;
  std::uint64_t replayed_dropped = 0; // frames dropped as already delivered
  std::uint64_t short_replays = 0;    // reopens whose replay was shorter than expected
  std::uint64_t reorders = 0;
  std::uint64_t containers = 0;       // followed now
  std::uint64_t streams_open = 0;     // requested and not ended (each holds a slot)
  // Of those, the ones the daemon answered: log_capturer_container_streams_active.
  std::uint64_t streams_answered = 0;
  std::uint64_t paused = 0;
  std::uint64_t events_connects = 0;
  bool connected = false;             // the daemon answered and the list was read
  // What --inject-fault did on purpose (0 without it).
  std::uint64_t injected_dropped_lines = 0;       // drop-line: not written, position passed
  std::uint64_t injected_skipped_containers = 0;  // skip-container
  std::uint64_t injected_error_lines = 0;         // error-lines
};

class Engine {
 public:
  // Throws std::invalid_argument for a bad docker host.
  Engine(const Config& config, Sink& sink, EngineMetrics& metrics);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs until Stop(): returns when every stream is closed and the state
  // file (if any) is saved. Throws on an unrecoverable libcurl failure.
  void Run();
  // Any thread, any number of times.
  void Stop();
  // After Run() returned and the sink was closed (Sink::Close): saves the
  // state file with every container's position advanced exactly as far as
  // the sink acknowledged. Records the sink did not deliver are then read
  // again from the daemon at the next start. Not thread-safe with Run().
  void SaveFinalState();
  EngineStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logcap
