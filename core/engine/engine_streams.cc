// One container's stream lifecycle, driven by the state machine of
// container_state.h: slot granted -> inspect (once, for the tty) -> open
// (maybe held by the open rate) -> read -> end, failure, stall or rotation
// -> back in the queue, or idle once stopped and read to the end, or dropped.
#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <utility>

#include "common/log_escape.h"
#include "core/engine/engine_impl.h"
#include "core/engine/time_units.h"

namespace logcap {

using std::chrono::nanoseconds;

void Engine::Impl::Enter(Container& c, StreamEvent event) {
  const std::optional<ContainerState> next = Next(c.state, event);
  if (!next) {
    spdlog::error("container {} ({}): stream event {} is illegal in state {}; the state stays (an engine bug)",
                  ShortId(c.id), leakbench::EscapeForLog(c.name), ToString(event), ToString(c.state));
    return;
  }
  const bool waited = WaitsForSink(c.state);
  c.state = *next;
  if (WaitsForSink(c.state) && !waited) {
    paused_.insert(c.id);
  } else if (!WaitsForSink(c.state) && waited) {
    paused_.erase(c.id);
  }
}

Engine::Impl::Container* Engine::Impl::Current(const std::string& id, std::uint64_t serial) {
  auto it = containers_.find(id);
  return it == containers_.end() || it->second.serial != serial ? nullptr : &it->second;
}

void Engine::Impl::Grant(const StreamScheduler::Grant& grant) {
  Container& c = containers_.at(grant.id);
  metrics_.ObserveSlotWait(grant.waited);
  if (c.inspected) {
    OpenStream(c);
    return;
  }
  Enter(c, StreamEvent::kInspectSent);
  SendInspect(c, &Impl::OnInspected);
}

void Engine::Impl::SendInspect(Container& c, InspectHandler then) {
  const std::uint64_t serial = c.serial = next_serial_++;
  c.transfer = client_.Inspect(c.id, [this, id = c.id, serial, then](const TransferResult& r,
                                                                     std::optional<ContainerInfo> info) {
    Container* current = Current(id, serial);
    if (current == nullptr || !AwaitsInspect(current->state)) return;
    current->transfer = 0;
    (this->*then)(*current, r, std::move(info));
  });
}

void Engine::Impl::OnInspected(Container& c, const TransferResult& r, std::optional<ContainerInfo> info) {
  if (r.kind == TransferResult::Kind::kHttpError && r.http_status == 404) {
    Drop(c.id, "no such container");
    return;
  }
  if (!info) {
    Failed(c, r.kind == TransferResult::Kind::kHttpError && r.http_status >= 500 ? ErrorType::kHttp5xx
                                                                                : ErrorType::kInspect,
           "inspect: " + r.message + (r.error_body.empty() ? "" : " " + ErrorMessageFromBody(r.error_body)));
    return;
  }
  c.inspected = true;
  c.tty = info->tty;
  if (!info->name.empty()) c.name = info->name;
  c.labels = info->labels;
  if (!c.filtered) {
    c.filtered = true;
    if (!filter_.Accepts(c.name, c.labels)) {
      excluded_.insert(c.id);
      Drop(c.id, "excluded by the include/exclude rules");
      return;
    }
  }
  OpenStream(c);
}

void Engine::Impl::OpenStream(Container& c) {
  const auto now = Clock::now();
  const auto at = open_limiter_.Reserve(now);
  if (at <= now) {
    StartStream(c);
    return;
  }
  // The slot stays held; a rotation or a drop in the meantime changes the
  // serial and the timer does nothing.
  metrics_.AddOpenDelayed();
  Enter(c, StreamEvent::kOpenHeld);
  const std::uint64_t serial = c.serial = next_serial_++;
  loop_.At(at, [this, id = c.id, serial] {
    Container* current = Current(id, serial);
    if (stopping_ || current == nullptr || current->state != ContainerState::kOpenDelayed) return;
    StartStream(*current);
  });
}

void Engine::Impl::StartStream(Container& c) {
  Enter(c, StreamEvent::kOpened);
  // The turn starts now, not at the grant: the lease may now end sooner
  // than the tick that was armed for it.
  scheduler_.Opened(c.id, Clock::now());
  if (auto lease_end = scheduler_.LeaseEnd(c.id)) ArmTick(*lease_end);
  Position resume_from = c.position.position();
  std::string since = c.position.SinceParam();
  if (faults_.moves_since() && !resume_from.empty()) {
    // --inject-fault duplicate-on-reopen / late-since: another since, and
    // nothing dropped as already delivered (a reader without a position).
    since = FormatSince(faults_.ReopenSinceNs(resume_from.ts_ns));
    resume_from = Position{};
  }
  c.reader = std::make_unique<StreamReader>(
      StreamReaderOptions{.mode = c.tty ? FrameMode::kRaw : FrameMode::kMultiplexed,
                          .max_line_bytes = config_.docker.max_line_bytes,
                          .overlong = config_.docker.truncate_long_lines ? OverlongPolicy::kTruncate
                                                                         : OverlongPolicy::kSplit},
      std::move(resume_from));
  c.opened = c.last_data = Clock::now();
  c.lines_this_stream = 0;
  c.decode_error.clear();
  const std::uint64_t serial = c.serial = next_serial_++;
  c.answered = false;
  c.transfer = client_.FollowLogs(
      c.id, since, [this, id = c.id, serial](std::string_view d) { return OnStreamData(id, serial, d); },
      [this, id = c.id, serial](const TransferResult& r) { OnStreamDone(id, serial, r); },
      [this, id = c.id, serial] { OnStreamAnswered(id, serial); });
  ++counters_.streams_opened;
  ++counters_.streams_open;
}

void Engine::Impl::OnStreamAnswered(const std::string& id, std::uint64_t serial) {
  Container* current = Current(id, serial);
  if (current == nullptr || !StreamOpen(current->state) || current->answered) return;
  current->answered = true;
  ++counters_.streams_answered;
  metrics_.SetStreamsActive(counters_.streams_answered);
  // The lease runs from the answer: a daemon slow to answer has the stream
  // for a whole lease once it does.
  scheduler_.Answered(id, Clock::now());
}

void Engine::Impl::CountStreamEnded(Container& c) {
  metrics_.ObserveStreamAge(Clock::now() - c.opened);
  --counters_.streams_open;
  if (c.answered) {
    c.answered = false;
    --counters_.streams_answered;
    metrics_.SetStreamsActive(counters_.streams_answered);
  }
}

DataResult Engine::Impl::OnStreamData(const std::string& id, std::uint64_t serial, std::string_view data) {
  Container* current = Current(id, serial);
  // Paused, or a stream the engine no longer reads (kept open on purpose by
  // --inject-leak=stream): never consume, so it just sits there.
  if (current == nullptr || current->state != ContainerState::kStreaming) return DataResult::kPause;
  Container& c = *current;
  c.last_data = Clock::now();
  const DecodeStatus status = c.reader->Feed(data);
  for (const std::string& e : c.reader->TakeSystemErrors()) {
    metrics_.AddError(ErrorType::kDaemonError);
    spdlog::warn("container {} ({}): the daemon reported in-band: {}", ShortId(id), leakbench::EscapeForLog(c.name),
                 leakbench::EscapeForLog(e));
  }
  const bool delivered_all = Deliver(c);
  if (!status.ok()) {
    c.decode_error = status.detail;
    return DataResult::kAbort;
  }
  if (!delivered_all) Enter(c, StreamEvent::kSinkFull);
  return DataResult::kConsumed;
}

void Engine::Impl::OnStreamDone(const std::string& id, std::uint64_t serial, const TransferResult& r) {
  Container* current = Current(id, serial);
  if (current == nullptr || !StreamOpen(current->state)) return;
  Container& c = *current;
  c.transfer = 0;
  if (stopping_) return;
  if (r.kind == TransferResult::Kind::kComplete) {
    // The daemon ended the body: the container stopped (or the daemon is
    // going away). What it sent is complete; deliver it all.
    const DecodeStatus status = c.reader->Finish();
    if (!status.ok()) {
      spdlog::debug("container {}: stream ended inside a frame ({})", ShortId(id), leakbench::EscapeForLog(status.detail));
    }
    CountStreamEnded(c);
    Enter(c, StreamEvent::kDaemonEnded);
    if (!Deliver(c)) return;  // ResumePaused finishes it
    EndOfStream(c);
    return;
  }
  if (r.kind == TransferResult::Kind::kHttpError && (r.http_status == 404 || r.http_status == 409)) {
    const std::string msg = ErrorMessageFromBody(r.error_body);
    metrics_.AddError(r.http_status == 404 ? ErrorType::kNotFound : ErrorType::kConflict);
    spdlog::info("container {} ({}): {} ({}); no longer followed", ShortId(id), leakbench::EscapeForLog(c.name),
                 leakbench::EscapeForLog(msg), r.http_status);
    CloseStream(c);
    Drop(id, "gone");
    return;
  }
  ErrorType type = ErrorType::kReset;
  std::string message = r.message;
  if (r.kind == TransferResult::Kind::kHttpError) {
    type = r.http_status >= 500 ? ErrorType::kHttp5xx : ErrorType::kHttp4xx;
    message += " " + ErrorMessageFromBody(r.error_body);
  } else if (r.kind == TransferResult::Kind::kAborted) {
    type = ErrorType::kDecode;
    message = "malformed stream: " + c.decode_error;
  } else if (r.connect_failed) {
    type = ErrorType::kConnect;
  } else if (r.curl_code == CURLE_OPERATION_TIMEDOUT) {
    type = ErrorType::kTimeout;
  }
  Failed(c, type, message);
}

void Engine::Impl::Failed(Container& c, ErrorType type, const std::string& message) {
  metrics_.AddError(type);
  ++counters_.stream_errors;
  if (c.lines_this_stream > 0) c.backoff.Reset();
  const nanoseconds delay = c.backoff.NextDelay();
  // While the daemon is unreachable every container fails at once; the
  // connection itself is reported once (Discovery).
  if (discovery_.connected() && type != ErrorType::kConnect) {
    spdlog::warn("container {} ({}): stream failed ({}: {}); retrying in {} ms from its position", ShortId(c.id),
                 leakbench::EscapeForLog(c.name), ToString(type), leakbench::EscapeForLog(message), Ms(delay).count());
  } else {
    spdlog::debug("container {} ({}): {} ({}); retrying in {} ms", ShortId(c.id), leakbench::EscapeForLog(c.name),
                  ToString(type), leakbench::EscapeForLog(message), Ms(delay).count());
  }
  CloseStream(c);
  if (c.destroyed) {
    Drop(c.id, "destroyed");
    return;
  }
  Enter(c, StreamEvent::kFailed);
  scheduler_.Enqueue(c.id, Clock::now(), Clock::now() + delay);
  Kick();
}

void Engine::Impl::EndOfStream(Container& c) {
  const bool quiet_end = c.lines_this_stream == 0 && Clock::now() - c.opened < std::chrono::seconds(1);
  CloseStream(c);
  Kick();
  if (c.destroyed) {
    Drop(c.id, "destroyed");
    return;
  }
  // Stopped, or still running (the daemon may end streams on its own)?
  Enter(c, StreamEvent::kDrained);
  if (quiet_end) c.backoff.NextDelay();  // an empty stream that ends at once must not spin
  SendInspect(c, &Impl::OnEndChecked);
}

void Engine::Impl::OnEndChecked(Container& c, const TransferResult& r, std::optional<ContainerInfo> info) {
  if (r.kind == TransferResult::Kind::kHttpError && r.http_status == 404) {
    Drop(c.id, "no such container");
    return;
  }
  const auto now = Clock::now();
  if (!info) {
    Enter(c, StreamEvent::kFailed);
    scheduler_.Enqueue(c.id, now, now + c.backoff.NextDelay());
  } else {
    // A start event that came meanwhile (kCheckingWanted) wants it back.
    Enter(c, info->running ? StreamEvent::kFoundRunning : StreamEvent::kFoundStopped);
    if (c.state == ContainerState::kWaiting) {
      const nanoseconds delay = c.backoff.failures() > 0 ? c.backoff.NextDelay() : nanoseconds(0);
      scheduler_.Enqueue(c.id, now, now + delay);
    } else {
      spdlog::debug("container {} ({}) stopped; its log is read to the end", ShortId(c.id),
                    leakbench::EscapeForLog(c.name));
    }
  }
  Kick();
}

void Engine::Impl::Rotate(Container& c) {
  if (c.state == ContainerState::kStreaming && !c.answered && c.transfer != 0) {
    // A request the daemon has not answered yet is not rotated away: closed
    // and sent again, it would only queue one more request on a daemon too
    // slow to answer the first (a starved dockerd, opening ~100 a second
    // that way, grew from 600 to 4,000 fds and never answered again). It
    // waits for the answer up to docker.request_timeout, then fails and
    // backs off.
    const Clock::time_point deadline = c.opened + config_.docker.request_timeout;
    if (Clock::now() < deadline) {
      scheduler_.HoldUntil(c.id, deadline);
      ArmTick(deadline);
      return;
    }
    Failed(c, ErrorType::kTimeout,
           "no answer to the follow request in " + std::to_string(Ms(config_.docker.request_timeout).count()) +
               " ms (docker.request_timeout): the daemon is overloaded or stuck");
    return;
  }
  const bool open = StreamOpen(c.state);
  if (open) {
    metrics_.AddRotation();
    ++counters_.rotations;
    leak_.OnRotation();
    if (faults_.logs_errors()) faults_.OnRotation();
    c.backoff.Reset();  // a whole lease without an error
  }
  CloseStream(c, open && leak_.keep_rotated_streams());
  if (c.destroyed) {
    Drop(c.id, "destroyed");
    return;
  }
  Enter(c, StreamEvent::kLeaseEnded);
  scheduler_.Enqueue(c.id, Clock::now(), Clock::now());
}

void Engine::Impl::Stalled(Container& c) {
  metrics_.AddError(ErrorType::kStall);
  spdlog::info("container {} ({}): no data for {} ms; reopening", ShortId(c.id), leakbench::EscapeForLog(c.name),
               Ms(config_.docker.stall_timeout).count());
  CloseStream(c);
  Enter(c, StreamEvent::kStalled);
  const auto now = Clock::now();
  scheduler_.Enqueue(c.id, now, now);
}

void Engine::Impl::CloseStream(Container& c, bool keep_open) {
  // The slot's stream or request ends here, whatever it was.
  const bool open = StreamOpen(c.state);
  if (c.transfer != 0) {
    if (open && keep_open) {
      leaked_transfers_.push_back(c.transfer);  // left open on purpose
    } else {
      loop_.Cancel(c.transfer);
    }
    c.transfer = 0;
  }
  if (open) CountStreamEnded(c);
  c.unsettled.clear();
  if (c.reader) {
    counters_.replayed_dropped += c.reader->filter().replayed_dropped();
    counters_.short_replays += c.reader->filter().short_replays();
    counters_.reorders += c.reader->reorders();
    if (c.reader->filter().replayed_dropped() > 0) {
      metrics_.AddLinesDropped(DropReason::kReplayed, c.reader->filter().replayed_dropped());
    }
    c.reader.reset();
  }
  paused_.erase(c.id);  // nothing waits for the sink any more
  ++c.serial;           // late callbacks of what was closed are ignored
  scheduler_.Release(c.id);
}

void Engine::Impl::Drop(std::string id, std::string_view why) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  Container& c = it->second;
  if (c.transfer != 0 || c.reader) CloseStream(c);
  Enter(c, StreamEvent::kRemoved);
  scheduler_.Remove(id);
  metrics_.ContainerRemoved(ShortId(id));
  positions_.erase(id);
  state_dirty_ = true;
  spdlog::debug("container {} ({}) dropped: {}", ShortId(id), leakbench::EscapeForLog(c.name), why);
  containers_.erase(it);
  Kick();
}

void Engine::Impl::ResumePaused() {
  if (stopping_) return;
  const std::vector<std::string> ids(paused_.begin(), paused_.end());
  for (const std::string& id : ids) {
    auto it = containers_.find(id);
    if (it == containers_.end() || !WaitsForSink(it->second.state)) continue;
    Container& c = it->second;
    if (!Deliver(c)) break;  // full again: wait for the next callback
    if (c.state == ContainerState::kFinishing) {
      EndOfStream(c);
      continue;
    }
    Enter(c, StreamEvent::kSinkWritable);
    if (c.transfer != 0) loop_.Resume(c.transfer);  // may deliver the held bytes right away
  }
}

}  // namespace logcap
