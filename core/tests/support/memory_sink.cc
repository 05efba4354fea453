#include "core/tests/support/memory_sink.h"

#include <charconv>

namespace logcap::testing {

bool ParseFakeStamp(std::string_view line, std::string* cid, std::uint64_t* seq) {
  if (!line.starts_with("cid=") || line.size() < 4 + 12 + 5) return false;
  *cid = std::string(line.substr(4, 12));
  std::string_view rest = line.substr(16);
  if (!rest.starts_with(" seq=")) return false;
  rest.remove_prefix(5);
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), *seq);
  return ec == std::errc() && ptr != rest.data();
}

bool MemorySink::TryWrite(const LogRecord& record) {
  std::lock_guard lock(mutex_);
  if (capacity_ != 0 && undrained_ >= capacity_) {
    ++refusals_;
    refused_since_callback_ = true;
    return false;
  }
  ++undrained_;
  ++records_;
  std::string cid;
  std::uint64_t seq = 0;
  if (!ParseFakeStamp(record.line, &cid, &seq)) {
    ++unparsed_;
    ++by_cid_[std::string(record.container_id.substr(0, 12))].unparsed;
    return true;
  }
  ContainerCapture& c = by_cid_[cid];
  if (++c.seq_count[seq] > 1) ++duplicates_;
  c.names.emplace(record.container_name);
  ++c.records;
  if (record.stream == RecordStream::kStderr) ++c.stderr_records;
  c.max_line_bytes = std::max<std::uint64_t>(c.max_line_bytes, record.line.size());
  if (record.ts_ns < c.last_ts) ++c.ts_regressions;
  c.last_ts = std::max(c.last_ts, record.ts_ns);
  return true;
}

void MemorySink::SetWritableCallback(std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  writable_ = std::move(callback);
}

SinkStats MemorySink::stats() const {
  std::lock_guard lock(mutex_);
  SinkStats s;
  s.records_accepted = s.records_written = records_;
  s.records_acknowledged = capacity_ == 0 ? records_ : records_ - undrained_;
  s.refusals = refusals_;
  s.buffered_bytes = undrained_;
  return s;
}

std::uint64_t MemorySink::acknowledged() const {
  std::lock_guard lock(mutex_);
  return capacity_ == 0 ? records_ : records_ - undrained_;
}

void MemorySink::Drain(std::size_t n) {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    undrained_ -= std::min(n, undrained_);
    if (refused_since_callback_ && undrained_ < capacity_) {
      refused_since_callback_ = false;
      callback = writable_;
    }
  }
  if (callback) callback();
}

std::size_t MemorySink::undrained() const {
  std::lock_guard lock(mutex_);
  return undrained_;
}

std::uint64_t MemorySink::refusals() const {
  std::lock_guard lock(mutex_);
  return refusals_;
}

std::map<std::string, ContainerCapture> MemorySink::Snapshot() const {
  std::lock_guard lock(mutex_);
  return by_cid_;
}

CaptureSummary MemorySink::Summary() const {
  std::lock_guard lock(mutex_);
  return {records_, duplicates_, unparsed_};
}

std::size_t MemorySink::Distinct(const std::string& cid) const {
  std::lock_guard lock(mutex_);
  auto it = by_cid_.find(cid);
  return it == by_cid_.end() ? 0 : it->second.seq_count.size();
}

}  // namespace logcap::testing
