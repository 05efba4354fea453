// Where captured lines go (JSON Lines on stdout or a file, Loki's push API).
// The engine's event loop calls TryWrite for every line; a sink never blocks
// that thread: it takes the record into a bounded buffer that its own writer
// thread drains, or refuses it when the buffer is full. A refusal is the
// engine's backpressure signal: it pauses reading that stream (the daemon
// keeps the logs) and retries once the sink calls the writable callback.
// Thread-safety: TryWrite/SetWritableCallback from one thread (the loop);
// stats() and Close() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/sink/log_record.h"

namespace logcap {

struct SinkStats {
  std::uint64_t records_accepted = 0;  // taken by TryWrite
  std::uint64_t records_written = 0;   // written / acknowledged downstream
  std::uint64_t bytes_written = 0;     // encoded bytes written downstream
  std::uint64_t refusals = 0;          // TryWrite returned false
  std::uint64_t write_errors = 0;      // failed writes / pushes (retried)
  std::uint64_t records_dropped = 0;   // given up after retries (Loki)
  std::uint64_t buffered_bytes = 0;    // encoded bytes waiting now
  std::uint64_t invalid_utf8 = 0;      // lines with bytes replaced by U+FFFD
};

class Sink {
 public:
  virtual ~Sink() = default;

  // Takes the record, or returns false (record NOT taken) when the buffer is
  // full. Never blocks.
  virtual bool TryWrite(const LogRecord& record) = 0;

  // Called (from the sink's writer thread) once after a refusal, when the
  // buffer has drained below its low-water mark. Must be cheap and must not
  // call back into the sink.
  virtual void SetWritableCallback(std::function<void()> callback) = 0;

  // Writes out everything taken so far, waiting at most `timeout`; then stops
  // the writer thread. Returns false if records were left unwritten (they
  // are counted in records_dropped). Idempotent. The destructor calls it with
  // a short timeout.
  virtual bool Close(std::chrono::milliseconds timeout) = 0;

  virtual SinkStats stats() const = 0;

  // A short description for logs: "stdout", "file:/x.jsonl", "loki:http://..".
  virtual std::string description() const = 0;
};

}  // namespace logcap
