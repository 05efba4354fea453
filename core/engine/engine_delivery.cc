// Lines to the sink and positions to the state file: a container's
// position moves only at a frame boundary and is committed only once the
// sink acknowledged every record before it (at least once, never lost).
#include <spdlog/spdlog.h>

#include <utility>

#include "core/engine/engine_impl.h"
#include "core/engine/time_units.h"

namespace logcap {
namespace {

// Positions waiting for the sink's acknowledgement, per container. Past
// this, the newest one is replaced instead of appended: its commit then
// waits for a later record, which costs duplicates after a crash, never a
// lost line.
constexpr std::size_t kMaxUncommitted = 64;

}  // namespace

bool Engine::Impl::Deliver(Container& c) {
  StreamReader& reader = *c.reader;
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
  bool all = true;
  while (reader.HasReady()) {
    const QueuedLine& line = reader.Front();
    // --inject-fault drop-line: not written, yet counted in the position.
    const bool drop = faults_.drops_lines() && faults_.DropsNextLine();
    if (!drop) {
      LogRecord record{line.ts_ns == kNoTimestamp ? WallNowNs() : line.ts_ns, c.id, c.name,
                       line.stream == StreamType::kStderr ? RecordStream::kStderr : RecordStream::kStdout, line.text};
      if (!sink_.TryWrite(record)) {
        metrics_.AddSinkRefusal();
        all = false;
        break;
      }
      ++sink_taken_;
      ++lines;
      bytes += line.text.size();
    }
    if (faults_.drops_lines()) faults_.CountLine(drop);
    if (line.ts_ns != kNoTimestamp && line.frames > 0) c.unsettled.emplace_back(line.ts_ns, line.frames);
    if (line.ts_ns != kNoTimestamp) c.last_ts = line.ts_ns;
    reader.PopFront();
    // The position moves only at a prefix of the stream's frames. If the
    // stream is closed mid-group (sink full, then rotation), the group's
    // delivered lines come again after the reopen: a duplicate, never a loss.
    if (reader.AtBoundary() && !c.unsettled.empty()) {
      for (const auto& [ts, frames] : c.unsettled) c.position.Advance(ts, frames);
      c.unsettled.clear();
      // Committed once the sink acknowledges this record and all before it.
      if (!c.uncommitted.empty() && c.uncommitted.size() >= kMaxUncommitted) {
        c.uncommitted.back() = {sink_taken_, c.position.position()};
      } else {
        c.uncommitted.emplace_back(sink_taken_, c.position.position());
      }
    }
  }
  if (lines > 0) {
    c.lines_this_stream += lines;
    counters_.lines += lines;
    counters_.bytes += bytes;
    state_dirty_ = true;
    metrics_.AddCaptured(ShortId(c.id), c.name, lines, bytes);
    metrics_.SetCaptureLag(ShortId(c.id), c.name, static_cast<double>(WallNowNs() - c.last_ts) / 1e9);
  }
  return all;
}

void Engine::Impl::CommitAcknowledged() {
  const std::uint64_t acknowledged = sink_.acknowledged();
  for (auto& [id, c] : containers_) {
    auto& pending = c.uncommitted;
    std::size_t done = 0;
    while (done < pending.size() && pending[done].first <= acknowledged) ++done;
    if (done == 0) continue;
    c.committed = std::move(pending[done - 1].second);
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(done));
    state_dirty_ = true;
  }
}

void Engine::Impl::SaveState() {
  if (config_.state_file.empty()) return;
  // Only acknowledged positions: what the sink still buffers is read
  // again from the daemon after a restart (at least once, never lost).
  CommitAcknowledged();
  for (const auto& [id, c] : containers_) {
    if (!c.committed.empty()) positions_[id] = c.committed;
  }
  if (auto error = SaveStateFile(config_.state_file, positions_)) {
    metrics_.AddError(ErrorType::kStateFile);
    spdlog::error("state: {}", error->message);
  }
  last_state_save_ = Clock::now();
  state_dirty_ = false;
}

void Engine::Impl::SaveFinalState() {
  if (config_.state_file.empty()) return;
  SaveState();
  std::size_t behind = 0;
  for (const auto& [id, c] : containers_) behind += c.uncommitted.empty() ? 0 : 1;
  if (behind > 0) {
    spdlog::warn("state: {} containers' positions stay before records the sink did not acknowledge; "
                 "those records are read again from the daemon at the next start",
                 behind);
  }
}

}  // namespace logcap
