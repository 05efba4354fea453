// One captured log line on its way from the engine to a sink. Views point
// into the engine's buffers and are valid only during Sink::TryWrite.
#pragma once

#include <cstdint>
#include <string_view>

namespace logcap {

enum class RecordStream : std::uint8_t { kStdout, kStderr };

// "stdout" / "stderr", the spelling of the sink's `stream` field.
constexpr std::string_view RecordStreamName(RecordStream s) {
  return s == RecordStream::kStdout ? "stdout" : "stderr";
}

struct LogRecord {
  std::int64_t ts_ns = 0;             // daemon timestamp, Unix ns
  std::string_view container_id;      // full 64-hex id
  std::string_view container_name;    // without the leading '/'
  RecordStream stream = RecordStream::kStdout;
  std::string_view line;              // without its newline; any bytes
  // ts_ns as the daemon spelled it, when that is the canonical RFC3339Nano
  // spelling (30 bytes, "2026-11-28T14:43:59.860773509Z", exactly what
  // common/rfc3339_nano.h makes of ts_ns); empty: the sink formats ts_ns.
  std::string_view ts_text = {};
};

}  // namespace logcap
