#include "core/sink/buffered_sink.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <utility>

namespace logcap {
namespace {

// A write to a pipe whose reader is gone raises SIGPIPE, which would kill
// the process; blocked in the writer thread, write() reports EPIPE instead
// (the transport consumes the pending signal).
void BlockSigpipeInThisThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

BufferedSink::BufferedSink(std::unique_ptr<SinkTransport> transport, BufferedSinkOptions options)
    : transport_(std::move(transport)),
      options_(options),
      low_water_bytes_(options.buffer_bytes / 2),
      description_(transport_->description()),
      writer_([this] { Run(); }) {}

BufferedSink::~BufferedSink() { Close(kDestructorCloseTimeout); }

bool BufferedSink::TryWrite(const LogRecord& record) {
  return TryWriteBatch(std::span<const LogRecord>(&record, 1)) == 1;
}

std::size_t BufferedSink::TryWriteBatch(std::span<const LogRecord> records) {
  std::unique_lock lock(mu_);
  if (closing_ || fatal_error_) return 0;
  const std::size_t pending_before = pending_.size();
  const bool was_empty = pending_records_ == 0;
  std::size_t taken = 0;
  for (const LogRecord& record : records) {
    const std::size_t held = HeldBytesLocked();
    if (held >= options_.buffer_bytes) {
      Refuse();
      break;
    }
    const std::size_t before = pending_.size();
    const bool replaced = transport_->Encode(record, pending_);
    // A record larger than the whole buffer is still taken when nothing else
    // is held, so that it cannot be refused forever.
    if (held > 0 && held + (pending_.size() - before) > options_.buffer_bytes) {
      pending_.resize(before);
      Refuse();
      break;
    }
    if (replaced) ++stats_.invalid_utf8;
    ++taken;
  }
  if (taken == 0) return 0;
  stats_.records_accepted += taken;
  pending_records_ += taken;
  // One wake per batch: when the writer may be waiting for records (there
  // were none), or when this batch filled the batch_bytes it waits for.
  bool wake = false;
  if (was_empty) {
    first_pending_ = std::chrono::steady_clock::now();
    wake = true;
  } else if (options_.batch_bytes > 0) {
    wake = pending_before < options_.batch_bytes && pending_.size() >= options_.batch_bytes;
  }
  if (wake) ++stats_.writer_wakes;
  lock.unlock();
  if (wake) wake_writer_.notify_one();
  return taken;
}

bool BufferedSink::Refuse() {
  ++stats_.refusals;
  refused_ = true;
  return false;
}

void BufferedSink::SetWritableCallback(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  writable_callback_ = std::move(callback);
}

SinkStats BufferedSink::stats() const {
  std::lock_guard lock(mu_);
  SinkStats stats = stats_;
  stats.buffered_bytes = HeldBytesLocked();
  return stats;
}

std::uint64_t BufferedSink::acknowledged() const {
  std::lock_guard lock(mu_);
  return stats_.records_acknowledged;
}

std::optional<std::string> BufferedSink::fatal_error() const {
  std::lock_guard lock(mu_);
  return fatal_error_;
}

bool BufferedSink::Close(std::chrono::milliseconds timeout) {
  std::lock_guard close_lock(close_mu_);
  if (closed_) return close_result_;
  // Bounded so that a huge timeout cannot overflow the clock.
  timeout = std::clamp(timeout, std::chrono::milliseconds(0), std::chrono::milliseconds(std::chrono::hours(24)));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  closing_ = true;
  wake_writer_.notify_all();
  if (!writer_done_cv_.wait_until(lock, deadline, [this] { return writer_done_; })) {
    aborted_.store(true, std::memory_order_release);
    wake_writer_.notify_all();
    lock.unlock();
    transport_->Abort();
  } else {
    lock.unlock();
  }
  writer_.join();
  lock.lock();
  closed_ = true;
  close_result_ = stats_.records_dropped == 0 && !fatal_error_;
  if (stats_.records_dropped > 0) {
    spdlog::warn("sink {}: closed with {} of {} records unwritten", description_,
                 stats_.records_dropped, stats_.records_accepted);
  }
  return close_result_;
}

void BufferedSink::Written(std::size_t encoded_bytes, std::uint64_t records,
                           std::uint64_t downstream_bytes) {
  {
    std::lock_guard lock(mu_);
    stats_.records_written += records;
    stats_.bytes_written += downstream_bytes;
    ++stats_.downstream_writes;
  }
  Settled(encoded_bytes, records, /*durable=*/true);
}

void BufferedSink::WrittenNotDurable(std::size_t encoded_bytes, std::uint64_t records,
                                     std::uint64_t downstream_bytes) {
  {
    std::lock_guard lock(mu_);
    stats_.records_written += records;
    stats_.bytes_written += downstream_bytes;
    ++stats_.downstream_writes;
  }
  Settled(encoded_bytes, records, /*durable=*/false);
}

void BufferedSink::Dropped(std::size_t encoded_bytes, std::uint64_t records) {
  {
    std::lock_guard lock(mu_);
    stats_.records_dropped += records;  // given up by the transport's policy
  }
  Settled(encoded_bytes, records, /*durable=*/true);
}

void BufferedSink::Settled(std::size_t encoded_bytes, std::uint64_t records, bool durable) {
  std::unique_lock lock(mu_);
  in_flight_bytes_ -= std::min(encoded_bytes, in_flight_bytes_);
  in_flight_records_ -= std::min(records, in_flight_records_);
  // In TryWrite order: nothing passes a record that still waits for Durable().
  if (durable && not_durable_records_ == 0) {
    stats_.records_acknowledged += records;
  } else {
    not_durable_records_ += records;
  }
  std::function<void()> callback = TakeWritableCallbackLocked();
  lock.unlock();
  if (callback) callback();
}

void BufferedSink::Durable() {
  std::lock_guard lock(mu_);
  stats_.records_acknowledged += not_durable_records_;
  not_durable_records_ = 0;
}

void BufferedSink::Fatal(std::string message) {
  std::unique_lock lock(mu_);
  if (fatal_error_) return;
  // Not logged here: the owner polls fatal_error() and says it once (main).
  fatal_error_ = std::move(message);
  aborted_.store(true, std::memory_order_release);
  lock.unlock();
  wake_writer_.notify_all();
}

void BufferedSink::Failed() {
  std::lock_guard lock(mu_);
  ++stats_.write_errors;
}

bool BufferedSink::WaitFor(std::chrono::nanoseconds delay) {
  std::unique_lock lock(mu_);
  return !wake_writer_.wait_for(lock, delay, [this] { return aborted(); });
}

std::function<void()> BufferedSink::TakeWritableCallbackLocked() {
  if (!refused_ || HeldBytesLocked() > low_water_bytes_ || closing_) return nullptr;
  refused_ = false;
  return writable_callback_;
}

void BufferedSink::SyncUnlocked(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  transport_->Sync(*this);
  lock.lock();
}

void BufferedSink::Run() {
  BlockSigpipeInThisThread();
  std::unique_lock lock(mu_);
  while (!aborted()) {
    if (pending_records_ == 0) {
      if (closing_) {
        SyncUnlocked(lock);  // drained: make it durable before stopping
        break;
      }
      const auto sync_due = transport_->SyncDue();
      if (sync_due == std::chrono::steady_clock::time_point::max()) {
        wake_writer_.wait(lock);
      } else if (std::chrono::steady_clock::now() >= sync_due) {
        SyncUnlocked(lock);
      } else {
        wake_writer_.wait_until(lock, sync_due);
      }
      continue;
    }
    if (!closing_ && pending_.size() < options_.batch_bytes) {
      const auto due = first_pending_ + options_.batch_wait;
      if (std::chrono::steady_clock::now() < due) {
        wake_writer_.wait_until(lock, due);
        continue;
      }
    }
    writing_.swap(pending_);  // pending_ gets the previous chunk's capacity
    in_flight_bytes_ = writing_.size();
    in_flight_records_ = pending_records_;
    const std::uint64_t records = pending_records_;
    pending_records_ = 0;
    lock.unlock();
    transport_->Deliver(writing_, records, *this);
    writing_.clear();
    lock.lock();
    if (in_flight_records_ > 0) {
      // Only after an abort; anything else is a transport bug.
      if (!aborted()) {
        spdlog::error("sink {}: transport left {} records undelivered", description_,
                      in_flight_records_);
      }
      stats_.records_dropped += in_flight_records_;
    }
    in_flight_bytes_ = 0;
    in_flight_records_ = 0;
  }
  stats_.records_dropped += pending_records_;  // aborted: left unwritten
  pending_records_ = 0;
  pending_.clear();
  writer_done_ = true;
  writer_done_cv_.notify_all();
}

}  // namespace logcap
