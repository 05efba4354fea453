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

void Engine::Impl::Settle(Container& c) {
  // The hot path reads the cached lookback: the clock is read only for a
  // frame out of order, and Housekeeping refreshes the cache as it decays.
  c.position.set_lookback(current_lookback_);
  for (const auto& [ts, frames] : c.unsettled) {
    if (c.position.Advance(ts, frames) != PositionTracker::AdvanceResult::kOutOfOrder) continue;
    metrics_.AddOutOfOrder();
    const Clock::time_point now = Clock::now();
    if (lookback_.Observe(nanoseconds(c.position.last_inversion_ns()), now)) {
      const nanoseconds before = current_lookback_;
      const nanoseconds after = lookback_.Current(now);
      current_lookback_ = after;
      c.position.set_lookback(after);
      metrics_.SetReopenLookback(after);
      // Worth a line only when it at least doubles: a stall grows it in steps.
      if (after >= 2 * before) {
        spdlog::warn("container {}: a line stamped {:.3f} s before a line delivered ahead of it (dockerd stamps "
                     "stdout and stderr apart; a starved daemon falls seconds behind): streams now reopen {:.3f} s "
                     "before their position so that since does not filter such lines out",
                     ShortId(c.id), std::chrono::duration<double>(nanoseconds(c.position.last_inversion_ns())).count(),
                     std::chrono::duration<double>(after).count());
      }
    }
  }
  c.unsettled.clear();
}

bool Engine::Impl::Deliver(Container& c) {
  StreamReader& reader = *c.reader;
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
  bool all = true;
  // The last frame boundary reached (see below): the position is copied into
  // c.uncommitted once per call, with the ticket of the record before it,
  // not once per boundary.
  bool boundary = false;
  std::uint64_t boundary_ticket = 0;
  while (const std::size_t ready = reader.ReadyCount()) {
    // Hand the ready lines to the sink in one batch (one lock, one wake);
    // --inject-fault drop-line decides line by line, so it goes one by one.
    const std::size_t batch = faults_.drops_lines() ? 1 : ready;
    batch_.clear();
    std::size_t dropped = 0;  // 0 or 1: only with drop-line
    for (std::size_t i = 0; i < batch; ++i) {
      const QueuedLine& line = reader.Peek(i);
      // --inject-fault drop-line: not written, yet counted in the position.
      if (faults_.drops_lines() && faults_.DropsNextLine()) {
        dropped = 1;
        continue;
      }
      batch_.push_back(LogRecord{.ts_ns = line.ts_ns == kNoTimestamp ? WallNowNs() : line.ts_ns,
                                 .container_id = c.id,
                                 .container_name = c.name,
                                 .stream = line.stream == StreamType::kStderr ? RecordStream::kStderr
                                                                              : RecordStream::kStdout,
                                 .line = line.text,
                                 .ts_text = line.ts_text()});
    }
    const std::size_t taken = batch_.empty() ? 0 : sink_.TryWriteBatch(batch_);
    const std::size_t popped = dropped + taken;
    for (std::size_t i = 0; i < popped; ++i) {
      const QueuedLine& line = reader.Front();
      if (dropped == 0) {
        ++sink_taken_;
        ++lines;
        bytes += line.text.size();
      }
      if (faults_.drops_lines()) faults_.CountLine(dropped != 0);
      if (line.ts_ns != kNoTimestamp && line.frames > 0) c.unsettled.emplace_back(line.ts_ns, line.frames);
      if (line.ts_ns != kNoTimestamp) c.last_ts = line.ts_ns;
      reader.PopFront();
      // The position moves only at a prefix of the stream's frames. If the
      // stream is closed mid-group (sink full, then rotation), the group's
      // delivered lines come again after the reopen: a duplicate, never a loss.
      if (reader.AtBoundary() && !c.unsettled.empty()) {
        Settle(c);
        boundary = true;
        boundary_ticket = sink_taken_;
      }
    }
    if (taken < batch_.size()) {
      metrics_.AddSinkRefusal();
      all = false;
      break;
    }
  }
  if (boundary) {
    // Committed once the sink acknowledges this record and all before it.
    if (!c.uncommitted.empty() && c.uncommitted.size() >= kMaxUncommitted) {
      c.uncommitted.back().first = boundary_ticket;
      c.uncommitted.back().second = c.position.position();  // reuses its buffer
    } else {
      c.uncommitted.emplace_back(boundary_ticket, c.position.position());
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
