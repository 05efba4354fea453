// A Sink for tests that keeps what it receives: for each container (by the
// `cid=` the fake stamps in every line) the sequence numbers seen, how often,
// the names and streams. It can imitate a slow sink: with a capacity, it
// refuses records while `capacity` are undrained, and the test drains them.
// Thread-safe: the engine's loop writes, the test thread reads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/sink/sink.h"

namespace logcap::testing {

struct ContainerCapture {
  std::map<std::uint64_t, std::uint32_t> seq_count;  // seq -> times delivered
  std::set<std::string> names;
  std::uint64_t records = 0;
  std::uint64_t stderr_records = 0;
  std::uint64_t max_line_bytes = 0;
  std::uint64_t unparsed = 0;  // lines without the fake's stamp
  std::int64_t last_ts = 0;
  std::uint64_t ts_regressions = 0;  // ts lower than the previous one
};

struct CaptureSummary {
  std::uint64_t records = 0;
  std::uint64_t duplicates = 0;  // deliveries beyond the first of a seq
  std::uint64_t unparsed = 0;
};

class MemorySink : public Sink {
 public:
  // capacity 0: never refuses.
  explicit MemorySink(std::size_t capacity = 0) : capacity_(capacity) {}

  bool TryWrite(const LogRecord& record) override;
  void SetWritableCallback(std::function<void()> callback) override;
  bool Close(std::chrono::milliseconds) override { return true; }
  SinkStats stats() const override;
  // Every record taken and drained (never refused ones): in slow-sink mode
  // the undrained records are the ones not yet acknowledged.
  std::uint64_t acknowledged() const override;
  std::string description() const override { return "memory"; }

  // Slow-sink mode: forget up to `n` undrained records; fires the writable
  // callback if a refusal happened since the last one.
  void Drain(std::size_t n);
  std::size_t undrained() const;
  std::uint64_t refusals() const;

  // Copies of what was captured, keyed by the 12-hex cid.
  std::map<std::string, ContainerCapture> Snapshot() const;
  CaptureSummary Summary() const;
  // Records delivered for one cid (distinct seqs).
  std::size_t Distinct(const std::string& cid) const;

 private:
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::size_t undrained_ = 0;
  bool refused_since_callback_ = false;
  std::uint64_t refusals_ = 0;
  std::uint64_t records_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t unparsed_ = 0;
  std::function<void()> writable_;
  std::map<std::string, ContainerCapture> by_cid_;
};

// Parses "cid=<12hex> seq=<N> " at the start of a fake line.
bool ParseFakeStamp(std::string_view line, std::string* cid, std::uint64_t* seq);

}  // namespace logcap::testing
