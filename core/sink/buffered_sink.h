// The machinery every sink shares: BufferedSink takes encoded records into a
// bounded byte buffer on the engine's loop thread and hands them to a
// SinkTransport (JSON Lines to an fd, Loki pushes) on a writer thread of its
// own. TryWrite/TryWriteBatch encode into the buffer under a mutex (once per
// batch) and never block on I/O; the writer is woken once per batch, and only
// when it may be waiting for records; when the bytes held (buffered + being written) would exceed
// buffer_bytes it refuses, and once the held bytes drain to half of that it
// calls the writable callback, once per refusal episode. The writer swaps the
// whole buffer out under the lock and delivers it outside the lock; a
// transport reports progress through DeliveryContext, so the held bytes
// (and the memory: the buffer and the chunk in delivery, two strings of at
// most ~buffer_bytes each) shrink as data reaches downstream. Records are
// dropped only when Close's deadline passes, when the transport reports a
// fatal error (DeliveryContext::Fatal), or when a transport's explicit drop
// policy gives them up (Loki's sink.on_reject: drop).
// Acknowledgement (Sink::acknowledged) follows TryWrite order: a record is
// acknowledged when it is Written, Dropped, or WrittenNotDurable and then
// covered by Durable(), and only once every record before it is. The writer
// calls SinkTransport::Sync when SyncDue() comes even if no records arrive,
// and once more when Close drains the buffer.
// Ownership: BufferedSink owns its transport and its writer thread; the
// thread is joined by Close, which the destructor calls. Thread-safety: as
// Sink; the transport's Encode runs on the TryWrite thread (under the lock),
// Deliver/SyncDue/Sync on the writer thread, Abort on the thread that calls
// Close, Reopen on any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/sink/sink.h"

namespace logcap {

// What a transport sees while it delivers a chunk (writer thread only).
class DeliveryContext {
 public:
  virtual ~DeliveryContext() = default;
  // `encoded_bytes` of the chunk, completing `records` records, reached
  // downstream as `downstream_bytes` bytes, and are settled there (stdout, a
  // pipe, a Loki 2xx): acknowledged once the records before them are.
  virtual void Written(std::size_t encoded_bytes, std::uint64_t records,
                       std::uint64_t downstream_bytes) = 0;
  // As Written (the buffer space is freed), but the records are not durable
  // yet (write(2) to a regular file before fdatasync): they are acknowledged
  // by the next Durable().
  virtual void WrittenNotDurable(std::size_t encoded_bytes, std::uint64_t records,
                                 std::uint64_t downstream_bytes) = 0;
  // Everything reported written so far is durable (an fdatasync covering it
  // succeeded): acknowledges it.
  virtual void Durable() = 0;
  // `encoded_bytes` of the chunk (`records` records) were given up for good.
  virtual void Dropped(std::size_t encoded_bytes, std::uint64_t records) = 0;
  // One failed write or push that will be retried (SinkStats::write_errors).
  virtual void Failed() = 0;
  // Sleeps for `delay` before a retry. Returns false, at once, when Close's
  // deadline has passed: the transport must stop delivering and return.
  virtual bool WaitFor(std::chrono::nanoseconds delay) = 0;
  // A condition retrying cannot fix (EPIPE on stdout, a failed fsync):
  // `message` says what happened and what to do (Sink::fatal_error). The
  // sink stops: aborted() becomes true, what is undelivered is counted
  // dropped and never acknowledged, TryWrite refuses. The first call wins.
  virtual void Fatal(std::string message) = 0;
  // Close's deadline has passed, or Fatal was called (also readable from
  // transport callbacks).
  virtual bool aborted() const = 0;
};

// The part that differs between sinks: the encoding and the I/O.
class SinkTransport {
 public:
  virtual ~SinkTransport() = default;
  // Appends the encoding of `record` to `out`; returns true if ill-formed
  // UTF-8 was replaced. Runs on the TryWrite thread under the sink's lock:
  // pure and cheap, no I/O.
  virtual bool Encode(const LogRecord& record, std::string& out) = 0;
  // Delivers `chunk` (`records` whole encoded records) downstream, reporting
  // progress through `context`. Returns when all of it is written or
  // dropped, or when context.aborted(); whatever it did not report is then
  // counted dropped.
  virtual void Deliver(std::string_view chunk, std::uint64_t records, DeliveryContext& context) = 0;
  // Called from Close's thread after the deadline (context.aborted() is
  // already true): make a blocking call in Deliver return soon.
  virtual void Abort() {}
  // When the writer must call Sync although no records arrive (an fsync due
  // fsync_interval after a write); time_point::max(): not needed. Writer
  // thread; cheap (it is read under the sink's lock).
  virtual std::chrono::steady_clock::time_point SyncDue() const {
    return std::chrono::steady_clock::time_point::max();
  }
  // Makes what was written durable and reports it (context.Durable()).
  // Writer thread: when SyncDue() has come and no chunk waits, and once when
  // Close has drained the buffer.
  virtual void Sync(DeliveryContext& /*context*/) {}
  // Sink::Reopen: reopen the destination before the next write. Any thread;
  // must only set a flag.
  virtual void Reopen() {}
  virtual std::string description() const = 0;
};

struct BufferedSinkOptions {
  std::size_t buffer_bytes = 8 << 20;  // SinkConfig::buffer_bytes
  // Batching: the writer waits until batch_bytes are buffered or batch_wait
  // has passed since the first buffered record. 0: deliver at once.
  std::size_t batch_bytes = 0;
  std::chrono::nanoseconds batch_wait{0};
};

class BufferedSink final : public Sink, private DeliveryContext {
 public:
  // Starts the writer thread.
  BufferedSink(std::unique_ptr<SinkTransport> transport, BufferedSinkOptions options);
  ~BufferedSink() override;
  BufferedSink(const BufferedSink&) = delete;
  BufferedSink& operator=(const BufferedSink&) = delete;

  bool TryWrite(const LogRecord& record) override;
  std::size_t TryWriteBatch(std::span<const LogRecord> records) override;
  void SetWritableCallback(std::function<void()> callback) override;
  bool Close(std::chrono::milliseconds timeout) override;
  SinkStats stats() const override;
  std::uint64_t acknowledged() const override;
  std::string description() const override { return description_; }
  void Reopen() override { transport_->Reopen(); }
  std::optional<std::string> fatal_error() const override;

  // What the destructor gives Close when the owner did not call it.
  static constexpr std::chrono::milliseconds kDestructorCloseTimeout{250};

 private:
  // DeliveryContext, for the transport on the writer thread.
  void Written(std::size_t encoded_bytes, std::uint64_t records,
               std::uint64_t downstream_bytes) override;
  void WrittenNotDurable(std::size_t encoded_bytes, std::uint64_t records,
                         std::uint64_t downstream_bytes) override;
  void Durable() override;
  void Dropped(std::size_t encoded_bytes, std::uint64_t records) override;
  void Failed() override;
  void Fatal(std::string message) override;
  bool WaitFor(std::chrono::nanoseconds delay) override;
  bool aborted() const override { return aborted_.load(std::memory_order_acquire); }

  void Run();  // the writer thread
  bool Refuse();
  std::size_t HeldBytesLocked() const { return pending_.size() + in_flight_bytes_; }
  // After held bytes shrank: the callback to call (outside the lock) if a
  // refusal is waiting for the low-water mark.
  std::function<void()> TakeWritableCallbackLocked();
  // Written or Dropped: frees the held bytes, acknowledges `records` (behind
  // any written-not-durable ones), fires the writable callback if due.
  void Settled(std::size_t encoded_bytes, std::uint64_t records, bool durable);
  // Calls transport_->Sync with the lock released.
  void SyncUnlocked(std::unique_lock<std::mutex>& lock);

  const std::unique_ptr<SinkTransport> transport_;
  const BufferedSinkOptions options_;
  const std::size_t low_water_bytes_;
  const std::string description_;

  mutable std::mutex mu_;
  std::condition_variable wake_writer_;  // only the writer thread waits on it
  std::condition_variable writer_done_cv_;
  std::string pending_;  // encoded records not yet handed to the transport
  std::uint64_t pending_records_ = 0;
  std::chrono::steady_clock::time_point first_pending_;  // batch_wait start
  std::size_t in_flight_bytes_ = 0;  // of the chunk in delivery, not yet reported
  std::uint64_t in_flight_records_ = 0;
  // Reported written (or dropped) but waiting for Durable() before they are
  // acknowledged, in order.
  std::uint64_t not_durable_records_ = 0;
  std::optional<std::string> fatal_error_;
  bool refused_ = false;  // a refusal waits for the low-water mark
  bool closing_ = false;
  bool writer_done_ = false;
  std::atomic<bool> aborted_{false};  // written under mu_
  std::function<void()> writable_callback_;
  SinkStats stats_;

  std::string writing_;  // the chunk in delivery (writer thread only)

  std::mutex close_mu_;  // serializes Close calls
  bool closed_ = false;
  bool close_result_ = false;
  std::thread writer_;  // last: started when everything above exists
};

}  // namespace logcap
