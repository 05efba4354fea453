// Where captured lines go (JSON Lines on stdout or a file, Loki's push API).
// The engine's event loop hands lines over in batches (TryWriteBatch: what
// one read from the daemon completed, taken under one lock with one wake of
// the writer) or one at a time (TryWrite); a sink never blocks
// that thread: it takes the record into a bounded buffer that its own writer
// thread drains, or refuses it when the buffer is full. A refusal is the
// engine's backpressure signal: it pauses reading that stream (the daemon
// keeps the logs) and retries once the sink calls the writable callback.
// Thread-safety: TryWrite/SetWritableCallback from one thread (the loop);
// stats(), acknowledged(), Reopen(), fatal_error() and Close() from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/sink/log_record.h"

namespace logcap {

struct SinkStats {
  std::uint64_t records_accepted = 0;  // taken by TryWrite
  std::uint64_t records_written = 0;   // written / acknowledged downstream
  // Taken records whose fate is settled downstream, in TryWrite order:
  // written (and made durable where the sink does that) or dropped by an
  // explicit drop policy. Never counts records abandoned at Close.
  std::uint64_t records_acknowledged = 0;
  std::uint64_t bytes_written = 0;     // encoded bytes written downstream
  std::uint64_t refusals = 0;          // TryWrite returned false
  std::uint64_t write_errors = 0;      // failed writes / pushes (retried)
  std::uint64_t records_dropped = 0;   // given up after retries (Loki)
  std::uint64_t buffered_bytes = 0;    // encoded bytes waiting now
  std::uint64_t invalid_utf8 = 0;      // lines with bytes replaced by U+FFFD
  std::uint64_t downstream_writes = 0; // write(2)s / pushes that moved bytes downstream
  std::uint64_t writer_wakes = 0;      // times TryWrite/TryWriteBatch woke the writer
};

class Sink {
 public:
  virtual ~Sink() = default;

  // Takes the record, or returns false (record NOT taken) when the buffer is
  // full. Never blocks.
  virtual bool TryWrite(const LogRecord& record) = 0;

  // Takes records[0], records[1], ... in order until one is refused (buffer
  // full) and returns how many were taken: the same records, order and
  // refusal as that many TryWrite calls, which is what this default does.
  // BufferedSink takes the whole batch under one lock and wakes its writer
  // at most once. Never blocks.
  virtual std::size_t TryWriteBatch(std::span<const LogRecord> records) {
    std::size_t taken = 0;
    while (taken < records.size() && TryWrite(records[taken])) ++taken;
    return taken;
  }

  // Called (from the sink's writer thread) once after a refusal, when the
  // buffer has drained below its low-water mark. Must be cheap and must not
  // call back into the sink.
  virtual void SetWritableCallback(std::function<void()> callback) = 0;

  // Writes out everything taken so far, waiting at most `timeout`; then stops
  // the writer thread. Returns false if records were left unwritten (they
  // are counted in records_dropped) or the sink had a fatal error. Records
  // written but not yet acknowledged at the deadline stay unacknowledged.
  // Idempotent. The destructor calls it with
  // a short timeout.
  virtual bool Close(std::chrono::milliseconds timeout) = 0;

  virtual SinkStats stats() const = 0;

  // How many of the records taken by TryWrite, counted from the first, are
  // acknowledged (SinkStats::records_acknowledged): the engine commits a
  // container's position only once every record before it is acknowledged,
  // so what the buffer holds is read again after a restart, never lost.
  // Records are acknowledged in the order TryWrite took them. Any thread.
  virtual std::uint64_t acknowledged() const = 0;

  // A short description for logs: "stdout", "file:/x.jsonl", "loki:http://..".
  virtual std::string description() const = 0;

  // Asks the sink to reopen its destination before its next write (SIGHUP,
  // after logrotate moved the file away). Cheap, never blocks; a no-op for
  // sinks without a path (stdout, Loki). Any thread.
  virtual void Reopen() {}

  // Set once the sink hit a condition that retrying cannot fix (stdout is a
  // broken pipe, fsync failed): it then takes no more records and the owner
  // should stop the engine and exit with this message (what happened and
  // what to do). Records not yet acknowledged stay unacknowledged. Any thread.
  virtual std::optional<std::string> fatal_error() const { return std::nullopt; }
};

}  // namespace logcap
