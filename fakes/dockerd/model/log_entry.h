// One log line a synthetic container wrote, as the fake stores it. The text
// itself is not stored: it is a pure function of (container, seq, bytes), so
// a long history costs 24 bytes a line. Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fakes/dockerd/model/timestamp.h"

namespace fakedocker {

// Docker's stream ids in multiplexed frames.
enum class StreamId : uint8_t { kStdin = 0, kStdout = 1, kStderr = 2, kSystemError = 3 };

struct LogEntry {
  UnixNanos ts = 0;       // the daemon's timestamp; equal for lines of one burst
  uint64_t seq = 0;       // 1, 2, 3, ... per container, across stdout and stderr
  uint32_t bytes = 0;     // length of the line without its newline
  StreamId stream = StreamId::kStdout;
};

// The smallest line that still carries the whole cid/seq/stream prefix.
size_t MinimumLineBytes(uint64_t seq, StreamId stream);

// Appends the line's text (without newline) to *out:
// "cid=<cid12> seq=<seq> stream=<stdout|stderr> " then padding up to
// entry.bytes (never shorter than MinimumLineBytes).
void RenderLine(std::string_view cid12, const LogEntry& entry, std::string* out);

}  // namespace fakedocker
