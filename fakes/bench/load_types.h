// follow-load's settings, the containers it follows and its running counters, shared by its parts.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace followload {

using Clock = std::chrono::steady_clock;

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The command line, parsed.
struct Config {
  std::string socket;
  std::string control_socket;
  size_t streams = 1000;
  double duration_s = 30;
  size_t ramp_batch = 500;
  double ramp_interval_s = 0.1;
  double ramp_timeout_s = 120;
  double sample_interval_s = 1;
  int fake_pid = 0;
  size_t max_containers = 0;
  std::string tail;
  bool timestamps = false;
  std::string api_prefix;
  bool quiet = false;
  size_t max_connect_attempts = 100;
};

// One followed container, shared by the streams that follow it.
struct Target {
  std::string id;
  std::string cid12;
  bool tty = false;
  std::string request;  // the stream's request, shared by its streams
  uint64_t emitted_start = 0, emitted_end = 0, last_seq_end = 0;
  bool have_start = false, have_end = false;
};

// What all streams received so far.
struct Totals {
  uint64_t lines = 0;
  uint64_t payload_bytes = 0;  // log text including newlines (and stamps), error frames excluded
  uint64_t wire_bytes = 0;     // everything read from the stream sockets
  uint64_t gaps = 0;
  uint64_t missing = 0;
  uint64_t dups = 0;
  uint64_t foreign = 0;
  uint64_t unparsable = 0;
  uint64_t error_frames = 0;
  uint64_t protocol_errors = 0;
};

}  // namespace followload
