#include "core/engine/engine.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/log_escape.h"
#include "core/config/docker_host.h"
#include "core/engine/engine_impl.h"
#include "core/engine/time_units.h"

namespace logcap {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr milliseconds kHousekeeping{500};

}  // namespace

Engine::Impl::Impl(const Config& config, Sink& sink, EngineMetrics& metrics)
    : config_(config),
      sink_(sink),
      metrics_(metrics),
      client_(loop_, DockerClientOptions{ParseDockerHost(ResolveDockerHost(config.docker.host)),
                                         Ms(config.docker.request_timeout),
                                         std::min(Ms(config.docker.request_timeout), milliseconds(5000)),
                                         config.docker.stream_buffer_bytes}),
      filter_(config.docker.include_names, config.docker.exclude_names, config.docker.include_labels,
              config.docker.exclude_labels),
      rng_(std::random_device{}()),
      scheduler_(StreamScheduler::Options{.max_streams = config.docker.max_streams,
                                          .rotation = config.docker.rotation_interval,
                                          .jitter = config.docker.rotation_jitter,
                                          .oversubscribed_lease = config.docker.oversubscribed_lease,
                                          .max_opens_per_second = config.docker.max_opens_per_second,
                                          .lease_starts_at_open = true},
                 [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }),
      leak_(config.leak, metrics, config.leak_every),
      faults_(config.faults),
      open_limiter_(config.docker.max_opens_per_second),
      discovery_(loop_, client_, metrics,
                 Discovery::Handlers{
                     .listed = [this](std::vector<ContainerSummary> list) { OnListed(std::move(list)); },
                     .container_event = [this](const ContainerEvent& event) { OnContainerEvent(event); },
                     .events_lease = [this] { return scheduler_.DrawLease(); },
                 }) {
  const auto configured_lease = config_.docker.oversubscribed_lease > nanoseconds(0)
                                    ? config_.docker.oversubscribed_lease
                                    : config_.docker.rotation_interval / 4;
  if (scheduler_.options().oversubscribed_lease > configured_lease) {
    spdlog::info("oversubscribed lease {:.3g} s, not {:.3g} s: {} streams opened at most {:.6g} a second turn over "
                 "no faster",
                 Seconds(scheduler_.options().oversubscribed_lease), Seconds(configured_lease),
                 config_.docker.max_streams, config_.docker.max_opens_per_second);
  }
  if (!config_.state_file.empty()) {
    LoadResult loaded = LoadStateFileOrSetAside(config_.state_file);
    if (loaded.ok()) {
      positions_ = loaded.take_positions();
      spdlog::info("state: resuming {} container positions from {}", positions_.size(), config_.state_file);
    } else if (loaded.error().kind == StateFileError::Kind::kNotFound) {
      spdlog::info("state: {} does not exist yet; starting from the beginning of every log", config_.state_file);
    } else {
      spdlog::warn("state: {}; starting without saved positions", loaded.error().message);
    }
  }
  sink_.SetWritableCallback([this] { loop_.Post([this] { ResumePaused(); }); });
}

Engine::Impl::~Impl() { sink_.SetWritableCallback([] {}); }

void Engine::Impl::Run() {
  loop_.Post([this] {
    if (stopping_) return;
    discovery_.Start();
    housekeeping_timer_ = loop_.After(kHousekeeping, [this] { Housekeeping(); });
  });
  loop_.Run();
  PublishStats();
}

// --- what discovery finds ----------------------------------------------------

void Engine::Impl::OnListed(std::vector<ContainerSummary> list) {
  const auto now = Clock::now();
  for (auto& s : list) {
    if (excluded_.count(s.id) != 0) continue;
    auto it = containers_.find(s.id);
    if (it == containers_.end()) {
      if (!filter_.Accepts(s.name, s.labels)) {
        excluded_.insert(s.id);
        continue;
      }
      if (faults_.skips_containers() && SkippedByFault(s.id)) continue;
      Container& c = Track(s.id);
      c.name = s.name;
      c.labels = s.labels;
      c.filtered = true;
      WantStream(c, now);
    } else {
      Container& c = it->second;
      // Back after a reconnect: whatever backoff it was in, try now.
      c.backoff.Reset();
      WantStream(c, now);
    }
  }
  Kick();
}

void Engine::Impl::OnContainerEvent(const ContainerEvent& ev) {
  const auto now = Clock::now();
  auto it = containers_.find(ev.id);
  if (ev.action == "start") {
    if (excluded_.count(ev.id) != 0) return;
    if (it == containers_.end()) {
      if (faults_.skips_containers() && SkippedByFault(ev.id)) return;
      Container& c = Track(ev.id);
      c.name = ev.name;
      spdlog::debug("container {} ({}) started", leakbench::EscapeForLog(ShortId(ev.id)),
                    leakbench::EscapeForLog(ev.name));
      WantStream(c, now);
    } else {
      it->second.backoff.Reset();
      WantStream(it->second, now);
    }
    Kick();
  } else if (ev.action == "destroy") {
    excluded_.erase(ev.id);
    if (it == containers_.end()) return;
    Container& c = it->second;
    c.destroyed = true;
    // A stream still open may be delivering the last buffered lines: let it
    // end by itself (its end drops the container).
    if (!StreamOpen(c.state) && c.state != ContainerState::kFinishing) Drop(ev.id, "destroyed");
  } else if (ev.action == "rename") {
    if (it == containers_.end() || ev.name.empty()) return;
    metrics_.ContainerRemoved(ShortId(ev.id));
    it->second.name = ev.name;
  }
  // die, stop, kill, ...: the daemon ends the follow stream itself; its end
  // (EndOfStream) decides what follows.
}

// --- containers and the slot loop --------------------------------------------

Engine::Impl::Container& Engine::Impl::Track(const std::string& id) {
  auto [it, inserted] = containers_.try_emplace(id);
  Container& c = it->second;
  if (inserted) {
    c.id = id;
    // The key views `id` (the caller's string): make it view c.id, the one
    // copy. The node (and c in it) stays where it is.
    auto node = containers_.extract(it);
    node.key() = IdKey(c.id);
    containers_.insert(std::move(node));
    Position start;
    if (auto p = positions_.find(id); p != positions_.end()) start = p->second;
    c.committed = start;
    // Reopening at since = position - lookback replays the frames of the
    // last lookback, so that a line dockerd stored out of time order is not
    // filtered out by the reopen (core/position/adaptive_lookback.h).
    c.position = PositionTracker(start, current_lookback_);
    // One random source for every container (the engine's), so the state
    // of a waiting container stays small; the lambda fits std::function's
    // small buffer, so nothing is allocated for it either.
    c.backoff = leakbench::Backoff(
        leakbench::Backoff::Options{.base = config_.docker.backoff_base, .cap = config_.docker.backoff_cap},
        [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); });
  }
  return c;
}

bool Engine::Impl::SkippedByFault(const std::string& id) {
  if (!faults_.SkipNextContainer()) return false;
  excluded_.insert(id);
  spdlog::info("injected fault (--inject-fault skip-container:{}): container {} is never followed",
               config_.faults.skip_container_every, ShortId(id));
  return true;
}

void Engine::Impl::WantStream(Container& c, Clock::time_point not_before) {
  Enter(c, StreamEvent::kWanted);  // kChecking remembers it; a slot keeps it
  if (c.state == ContainerState::kWaiting) scheduler_.Enqueue(c.id, Clock::now(), not_before);
}

void Engine::Impl::Kick() {
  if (kick_pending_ || stopping_) return;
  kick_pending_ = true;
  loop_.Post([this] {
    kick_pending_ = false;
    Tick();
  });
}

void Engine::Impl::Tick() {
  if (stopping_) return;
  const auto now = Clock::now();
  for (const std::string& id : scheduler_.Expired(now)) Rotate(containers_.at(id));
  if (discovery_.connected()) {
    for (const auto& grant : scheduler_.GrantSlots(now)) Grant(grant);
  }
  loop_.CancelTimer(tick_timer_);
  tick_timer_ = 0;
  if (auto next = scheduler_.NextDeadline()) ArmTick(std::max(*next, now + milliseconds(1)));
}

void Engine::Impl::ArmTick(Clock::time_point at) {
  if (tick_timer_ != 0) {
    if (tick_at_ <= at) return;
    loop_.CancelTimer(tick_timer_);
  }
  tick_at_ = at;
  tick_timer_ = loop_.At(at, [this] {
    tick_timer_ = 0;
    Tick();
  });
}

// --- housekeeping, stats, shutdown -------------------------------------------

void Engine::Impl::Housekeeping() {
  housekeeping_timer_ = 0;
  if (stopping_) return;
  const auto now = Clock::now();
  if (config_.docker.stall_timeout > nanoseconds(0)) {
    std::vector<std::string> stalled;
    for (auto& [id, c] : containers_) {
      if (c.state == ContainerState::kStreaming && now - c.last_data > config_.docker.stall_timeout) {
        stalled.push_back(id);
      }
    }
    for (const auto& id : stalled) Stalled(containers_.at(id));
    if (!stalled.empty()) Kick();
  }
  // A writable callback that raced with a refusal must not leave streams
  // paused for good.
  if (!paused_.empty()) ResumePaused();
  CommitAcknowledged();
  const SinkStats sink = sink_.stats();
  metrics_.SetSinkBufferedBytes(sink.buffered_bytes);
  metrics_.SetSinkRecordsDropped(sink.records_dropped);
  metrics_.SetStreamsActive(counters_.streams_answered);
  metrics_.SetContainersWaiting(scheduler_.waiting());
  metrics_.SetContainersMonitored(containers_.size());
  metrics_.SetStreamsPaused(paused_.size());
  current_lookback_ = lookback_.Current(now);
  metrics_.SetReopenLookback(current_lookback_);
  if (!config_.state_file.empty() && state_dirty_ && now - last_state_save_ >= config_.state_flush_interval) {
    SaveState();
  }
  PublishStats();
  housekeeping_timer_ = loop_.After(kHousekeeping, [this] { Housekeeping(); });
}

void Engine::Impl::PublishStats() {
  counters_.containers = containers_.size();
  counters_.paused = paused_.size();
  counters_.connected = discovery_.connected();
  counters_.events_connects = discovery_.events_connects();
  counters_.injected_dropped_lines = faults_.dropped_lines();
  counters_.injected_skipped_containers = faults_.skipped_containers();
  counters_.injected_error_lines = faults_.error_lines();
  std::lock_guard lock(stats_mutex_);
  published_ = counters_;
  // counters_ counts the streams' errors, discovery its own.
  published_.stream_errors += discovery_.errors();
}

void Engine::Impl::Shutdown() {
  if (stopping_) return;
  stopping_ = true;
  for (TimerId t : {tick_timer_, housekeeping_timer_}) loop_.CancelTimer(t);
  discovery_.Stop();
  std::size_t closed = 0;
  for (auto& [id, c] : containers_) {
    if (c.transfer != 0 || c.reader) {
      closed += StreamOpen(c.state) ? 1 : 0;
      CloseStream(c);
    }
  }
  for (TransferId t : leaked_transfers_) loop_.Cancel(t);
  leaked_transfers_.clear();
  metrics_.SetStreamsActive(0);
  SaveState();
  spdlog::info("stopping: closed {} streams; {} lines captured", closed, counters_.lines);
  PublishStats();
  loop_.Stop();
}

// --- Engine ------------------------------------------------------------------

Engine::Engine(const Config& config, Sink& sink, EngineMetrics& metrics)
    : impl_(std::make_unique<Impl>(config, sink, metrics)) {}
Engine::~Engine() = default;
void Engine::Run() { impl_->Run(); }
void Engine::Stop() { impl_->Stop(); }
void Engine::SaveFinalState() { impl_->SaveFinalState(); }
EngineStats Engine::stats() const { return impl_->stats(); }

}  // namespace logcap
