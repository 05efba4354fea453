#include "core/engine/engine.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/log_escape.h"
#include "core/docker/curl_loop.h"
#include "core/docker/docker_client.h"
#include "core/docker/docker_host.h"
#include "core/engine/container_filter.h"
#include "core/engine/event_lines.h"
#include "core/engine/fault_injector.h"
#include "core/engine/leak_injector.h"
#include "core/engine/open_rate_limiter.h"
#include "core/engine/stream_reader.h"
#include "core/engine/stream_scheduler.h"
#include "core/position/backoff.h"
#include "core/position/position.h"
#include "core/position/state_file.h"

namespace logcap {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Reopening at since = position - kLookback replays the few frames of the
// last 10 ms, so that a line dockerd stored slightly out of time order
// (stdout and stderr are copied by separate goroutines; measured up to
// 4 ms) is not skipped by the reopen (see core/position/position.h).
constexpr nanoseconds kLookback = milliseconds(10);
constexpr milliseconds kHousekeeping{500};
// Positions waiting for the sink's acknowledgement, per container. Past
// this, the newest one is replaced instead of appended: its commit then
// waits for a later record, which costs duplicates after a crash, never a
// lost line.
constexpr std::size_t kMaxUncommitted = 64;

std::int64_t WallNowNs() {
  return std::chrono::duration_cast<nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string_view Short(std::string_view id) { return id.substr(0, 12); }

milliseconds Ms(nanoseconds d) { return std::chrono::duration_cast<milliseconds>(d); }

}  // namespace

class Engine::Impl {
 public:
  Impl(const Config& config, Sink& sink, EngineMetrics& metrics);
  ~Impl();

  void Run();
  void Stop() {
    loop_.Post([this] { Shutdown(); });
  }
  EngineStats stats() const {
    std::lock_guard lock(stats_mutex_);
    return published_;
  }

 private:
  enum class Phase {
    kIdle,        // no stream wanted (stopped and drained)
    kWaiting,     // in the scheduler's queue
    kInspecting,  // holds a slot; inspect in flight
    kOpenDelayed, // holds a slot; the open waits for docker.max_opens_per_second
    kStreaming,   // holds a slot; logs stream open
    kFinishing,   // holds a slot; the daemon ended the stream, lines wait for the sink
    kChecking,    // no slot; inspect after the daemon ended the stream
  };

  struct Container {
    std::string id;
    std::string name;
    Labels labels;
    bool filtered = false;   // include/exclude rules applied
    bool inspected = false;  // tty known
    bool tty = false;
    bool destroyed = false;
    bool want_again = false;  // a start event came while kChecking
    Phase phase = Phase::kIdle;
    PositionTracker position;
    Backoff backoff{Backoff::Options{}, Backoff::SeededUniform(0)};  // replaced in Track
    TransferId transfer = 0;
    std::uint64_t serial = 0;  // identifies the current stream/request
    std::unique_ptr<StreamReader> reader;
    Clock::time_point opened{};
    Clock::time_point last_data{};
    std::uint64_t lines_this_stream = 0;
    bool paused = false;
    std::string decode_error;
    std::int64_t last_ts = 0;
    // Delivered lines not yet counted in the position (see Deliver).
    std::vector<std::pair<std::int64_t, std::uint32_t>> unsettled;
    // The position the state file may hold: every record before it is
    // acknowledged by the sink. `position` runs ahead of it by what the
    // sink still buffers; `uncommitted` holds (sink ticket of the last
    // record, position after it) in ticket order.
    Position committed;
    std::deque<std::pair<std::uint64_t, Position>> uncommitted;
  };

  // Connection, discovery and events.
  void Connect();
  void RetryConnect(const std::string& why);
  void OnList(const TransferResult& result, std::vector<ContainerSummary> list);
  void StartEvents();
  DataResult OnEventsData(std::uint64_t serial, std::string_view data);
  void OnEventsDone(std::uint64_t serial, const TransferResult& result);
  void RotateEvents();
  void HandleEvent(const ContainerEvent& event);

  // Containers and streams.
  Container& Track(const std::string& id);
  // --inject-fault skip-container: for a container seen for the first time;
  // true (and the container excluded for good) when the fault skips it.
  bool SkippedByFault(const std::string& id);
  void WantStream(Container& c, Clock::time_point not_before);
  void Kick();
  void Tick();
  void Grant(const StreamScheduler::Grant& grant);
  void OnInspected(const std::string& id, std::uint64_t serial, const TransferResult& result,
                   std::optional<ContainerInfo> info);
  // Opens the follow stream now, or when the open rate allows it.
  void OpenStream(Container& c);
  void StartStream(Container& c);
  DataResult OnStreamData(const std::string& id, std::uint64_t serial, std::string_view data);
  void OnStreamDone(const std::string& id, std::uint64_t serial, const TransferResult& result);
  bool Deliver(Container& c);
  void EndOfStream(Container& c);
  void OnEndChecked(const std::string& id, std::uint64_t serial, const TransferResult& result,
                    std::optional<ContainerInfo> info);
  void Rotate(Container& c);
  // keep_open: leave the transfer open and unread (--inject-leak stream).
  void CloseStream(Container& c, bool keep_open = false);
  void Failed(Container& c, std::string_view error_type, const std::string& message);
  void Drop(const std::string& id, std::string_view why);
  void ResumePaused();
  void Housekeeping();
  void PublishStats();
  // Moves every container's committed position up to what the sink has
  // acknowledged.
  void CommitAcknowledged();
  void SaveState();
  void Shutdown();

 public:
  // After Run() returned and the sink was closed: commits what the sink
  // acknowledged and saves the state file.
  void SaveFinalState();

 private:
  Config config_;
  Sink& sink_;
  EngineMetrics& metrics_;
  CurlLoop loop_;
  DockerClient client_;
  ContainerFilter filter_;
  std::mt19937_64 rng_;
  StreamScheduler scheduler_;
  LeakInjector leak_;
  FaultInjector faults_;  // --inject-fault; every use is behind one of its bools
  OpenRateLimiter open_limiter_;

  std::unordered_map<std::string, Container> containers_;
  std::unordered_set<std::string> excluded_;
  std::set<std::string> paused_;
  PositionMap positions_;  // loaded from / saved to the state file
  std::vector<TransferId> leaked_transfers_;

  bool stopping_ = false;
  bool connected_ = false;
  bool kick_pending_ = false;
  TimerId tick_timer_ = 0;
  TimerId connect_timer_ = 0;
  TimerId housekeeping_timer_ = 0;
  Backoff daemon_backoff_;
  std::uint64_t next_serial_ = 1;

  TransferId events_transfer_ = 0;
  std::uint64_t events_serial_ = 0;
  TimerId events_rotate_timer_ = 0;
  EventLines events_lines_;
  std::vector<ContainerEvent> events_pending_;
  bool events_posted_ = false;
  std::int64_t last_event_ns_ = 0;
  std::int64_t list_started_ns_ = 0;
  bool events_failing_ = false;

  Clock::time_point last_state_save_ = Clock::now();
  bool state_dirty_ = false;
  // Records the sink took from this engine (its tickets: the n-th record
  // taken is acknowledged once sink_.acknowledged() >= n).
  std::uint64_t sink_taken_ = 0;

  EngineStats counters_;
  mutable std::mutex stats_mutex_;
  EngineStats published_;
};

Engine::Impl::Impl(const Config& config, Sink& sink, EngineMetrics& metrics)
    : config_(config),
      sink_(sink),
      metrics_(metrics),
      client_(loop_, DockerClientOptions{DockerHost::Parse(config.docker.host.empty()
                                                               ? DockerHost::DefaultText(std::getenv("DOCKER_HOST"))
                                                               : config.docker.host),
                                         Ms(config.docker.request_timeout),
                                         std::min(Ms(config.docker.request_timeout), milliseconds(5000))}),
      filter_(config.docker.include_names, config.docker.exclude_names, config.docker.include_labels,
              config.docker.exclude_labels),
      rng_(std::random_device{}()),
      scheduler_(StreamScheduler::Options{config.docker.max_streams, config.docker.rotation_interval,
                                          config.docker.rotation_jitter, config.docker.oversubscribed_lease},
                 [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }),
      leak_(config.leak, metrics, config.leak_every),
      faults_(config.faults),
      open_limiter_(config.docker.max_opens_per_second),
      daemon_backoff_(Backoff::Options{.base = milliseconds(100), .cap = std::chrono::seconds(5)},
                      Backoff::SeededUniform(std::random_device{}())) {
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
    Connect();
    housekeeping_timer_ = loop_.After(kHousekeeping, [this] { Housekeeping(); });
  });
  loop_.Run();
  PublishStats();
}

// --- connection and discovery ------------------------------------------------

void Engine::Impl::Connect() {
  connect_timer_ = 0;
  if (stopping_) return;
  client_.Ping([this](const TransferResult& r) {
    if (stopping_) return;
    if (r.kind != TransferResult::Kind::kComplete) {
      RetryConnect("ping " + client_.host().text + ": " + r.message);
      return;
    }
    list_started_ns_ = WallNowNs();
    client_.ListContainers(
        [this](const TransferResult& lr, std::vector<ContainerSummary> list) { OnList(lr, std::move(list)); });
  });
}

void Engine::Impl::RetryConnect(const std::string& why) {
  metrics_.AddError("connect");
  ++counters_.stream_errors;
  const nanoseconds delay = daemon_backoff_.NextDelay();
  // One warning when the daemon goes away, then quieter while it stays away.
  if (daemon_backoff_.failures() == 1) {
    spdlog::warn("docker daemon unreachable ({}); retrying with backoff (is dockerd running? check --docker-host)",
                 leakbench::EscapeForLog(why));
  } else {
    spdlog::debug("docker daemon still unreachable ({}); next try in {} ms", leakbench::EscapeForLog(why), Ms(delay).count());
  }
  connected_ = false;
  connect_timer_ = loop_.After(delay, [this] { Connect(); });
}

void Engine::Impl::OnList(const TransferResult& r, std::vector<ContainerSummary> list) {
  if (stopping_) return;
  if (r.kind != TransferResult::Kind::kComplete) {
    RetryConnect("list containers: " + r.message + (r.error_body.empty() ? "" : " " + ErrorMessageFromBody(r.error_body)));
    return;
  }
  if (daemon_backoff_.failures() > 0) spdlog::info("docker daemon reachable again at {}", client_.host().text);
  daemon_backoff_.Reset();
  connected_ = true;
  spdlog::info("connected to {} (API {}): {} running containers", client_.host().text, client_.api_version(),
               list.size());
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
  StartEvents();
  Kick();
}

void Engine::Impl::StartEvents() {
  if (stopping_) return;
  if (events_transfer_ != 0) loop_.Cancel(events_transfer_);
  events_lines_.Reset();
  const std::uint64_t serial = ++events_serial_;
  const std::int64_t since = last_event_ns_ != 0 ? last_event_ns_ : list_started_ns_;
  events_transfer_ = client_.FollowEvents(
      FormatSince(since), [this, serial](std::string_view d) { return OnEventsData(serial, d); },
      [this, serial](const TransferResult& r) { OnEventsDone(serial, r); });
  ++counters_.events_connects;
  // The events stream is rotated like any other follow stream.
  loop_.CancelTimer(events_rotate_timer_);
  const auto lease = config_.docker.rotation_interval -
                     std::chrono::duration_cast<nanoseconds>(
                         std::min(config_.docker.rotation_jitter, config_.docker.rotation_interval / 4) *
                         std::uniform_real_distribution<double>(0.0, 1.0)(rng_));
  events_rotate_timer_ = loop_.After(lease, [this] { RotateEvents(); });
}

void Engine::Impl::RotateEvents() {
  events_rotate_timer_ = 0;
  if (stopping_) return;
  spdlog::debug("events: rotating the stream");
  StartEvents();
}

DataResult Engine::Impl::OnEventsData(std::uint64_t serial, std::string_view data) {
  if (serial != events_serial_) return DataResult::kAbort;
  std::string error;
  // Handled after this callback returns: reacting to an event may cancel
  // transfers, which libcurl forbids from inside its callbacks.
  const bool ok = events_lines_.Feed(data, [this](std::string_view line) {
    try {
      events_pending_.push_back(ParseEvent(line));
    } catch (const DockerJsonError& e) {
      metrics_.AddError("events");
      spdlog::warn("events: skipping an event the engine cannot read: {}", leakbench::EscapeForLog(e.what()));
    }
  });
  if (!events_pending_.empty() && !events_posted_) {
    events_posted_ = true;
    loop_.Post([this] {
      events_posted_ = false;
      std::vector<ContainerEvent> events = std::exchange(events_pending_, {});
      if (stopping_) return;
      for (const ContainerEvent& ev : events) HandleEvent(ev);
    });
  }
  if (!ok) {
    metrics_.AddError("events");
    spdlog::warn("events: an event longer than {} bytes; reconnecting", EventLines::kMaxLine);
    return DataResult::kAbort;
  }
  return DataResult::kConsumed;
}

void Engine::Impl::OnEventsDone(std::uint64_t serial, const TransferResult& r) {
  if (serial != events_serial_) return;
  events_transfer_ = 0;
  if (stopping_) return;
  loop_.CancelTimer(events_rotate_timer_);
  events_rotate_timer_ = 0;
  // Any end of the events stream is a reconnect: ping, list again (resync),
  // then follow events from the last one seen.
  const std::string why = r.kind == TransferResult::Kind::kComplete ? std::string("the daemon ended the stream")
                                                                      : r.message;
  spdlog::info("events: stream ended ({}); resyncing", leakbench::EscapeForLog(why));
  metrics_.AddError("events");
  ++counters_.stream_errors;
  // Log streams keep their turns meanwhile: only a failed ping or list
  // (RetryConnect) means the daemon itself is gone.
  const nanoseconds delay = daemon_backoff_.NextDelay();
  connect_timer_ = loop_.After(delay, [this] { Connect(); });
}

void Engine::Impl::HandleEvent(const ContainerEvent& ev) {
  if (ev.time_nano > last_event_ns_) last_event_ns_ = ev.time_nano;
  if (ev.type != "container" || ev.id.empty()) return;
  const auto now = Clock::now();
  auto it = containers_.find(ev.id);
  if (ev.action == "start") {
    if (excluded_.count(ev.id) != 0) return;
    if (it == containers_.end()) {
      if (faults_.skips_containers() && SkippedByFault(ev.id)) return;
      Container& c = Track(ev.id);
      c.name = ev.name;
      spdlog::debug("container {} ({}) started", leakbench::EscapeForLog(Short(ev.id)), leakbench::EscapeForLog(ev.name));
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
    if (c.phase != Phase::kStreaming && c.phase != Phase::kFinishing) Drop(ev.id, "destroyed");
  } else if (ev.action == "rename") {
    if (it == containers_.end() || ev.name.empty()) return;
    metrics_.ContainerRemoved(Short(ev.id));
    it->second.name = ev.name;
  }
  // die, stop, kill, ...: the daemon ends the follow stream itself; its end
  // (EndOfStream) decides what follows.
}

// --- containers and streams --------------------------------------------------

Engine::Impl::Container& Engine::Impl::Track(const std::string& id) {
  auto [it, inserted] = containers_.try_emplace(id);
  Container& c = it->second;
  if (inserted) {
    c.id = id;
    Position start;
    if (auto p = positions_.find(id); p != positions_.end()) start = p->second;
    c.committed = start;
    c.position = PositionTracker(start, kLookback);
    c.backoff = Backoff(Backoff::Options{.base = config_.docker.backoff_base, .cap = config_.docker.backoff_cap},
                        Backoff::SeededUniform(rng_()));
  }
  return c;
}

bool Engine::Impl::SkippedByFault(const std::string& id) {
  if (!faults_.SkipNextContainer()) return false;
  excluded_.insert(id);
  spdlog::info("injected fault (--inject-fault skip-container:{}): container {} is never followed",
               config_.faults.skip_container_every, Short(id));
  return true;
}

void Engine::Impl::WantStream(Container& c, Clock::time_point not_before) {
  switch (c.phase) {
    case Phase::kIdle:
    case Phase::kWaiting:
      c.phase = Phase::kWaiting;
      scheduler_.Enqueue(c.id, Clock::now(), not_before);
      break;
    case Phase::kChecking:
      c.want_again = true;
      break;
    default:
      break;  // it has a slot already
  }
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
  if (connected_) {
    for (const auto& grant : scheduler_.GrantSlots(now)) Grant(grant);
  }
  loop_.CancelTimer(tick_timer_);
  tick_timer_ = 0;
  if (auto next = scheduler_.NextDeadline()) {
    tick_timer_ = loop_.At(std::max(*next, now + milliseconds(1)), [this] {
      tick_timer_ = 0;
      Tick();
    });
  }
}

void Engine::Impl::Grant(const StreamScheduler::Grant& grant) {
  Container& c = containers_.at(grant.id);
  metrics_.ObserveSlotWait(grant.waited);
  if (c.inspected) {
    OpenStream(c);
    return;
  }
  c.phase = Phase::kInspecting;
  const std::uint64_t serial = c.serial = next_serial_++;
  c.transfer = client_.Inspect(c.id, [this, id = c.id, serial](const TransferResult& r,
                                                               std::optional<ContainerInfo> info) {
    OnInspected(id, serial, r, std::move(info));
  });
}

void Engine::Impl::OnInspected(const std::string& id, std::uint64_t serial, const TransferResult& r,
                               std::optional<ContainerInfo> info) {
  auto it = containers_.find(id);
  if (it == containers_.end() || it->second.serial != serial || it->second.phase != Phase::kInspecting) return;
  Container& c = it->second;
  c.transfer = 0;
  if (r.kind == TransferResult::Kind::kHttpError && r.http_status == 404) {
    Drop(id, "no such container");
    return;
  }
  if (!info) {
    Failed(c, r.kind == TransferResult::Kind::kHttpError && r.http_status >= 500 ? "http_5xx" : "inspect",
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
      excluded_.insert(id);
      Drop(id, "excluded by the include/exclude rules");
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
  c.phase = Phase::kOpenDelayed;
  const std::uint64_t serial = c.serial = next_serial_++;
  loop_.At(at, [this, id = c.id, serial] {
    auto it = containers_.find(id);
    if (stopping_ || it == containers_.end() || it->second.serial != serial ||
        it->second.phase != Phase::kOpenDelayed) {
      return;
    }
    StartStream(it->second);
  });
}

void Engine::Impl::StartStream(Container& c) {
  c.phase = Phase::kStreaming;
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
  c.paused = false;
  c.decode_error.clear();
  const std::uint64_t serial = c.serial = next_serial_++;
  c.transfer = client_.FollowLogs(
      c.id, since,
      [this, id = c.id, serial](std::string_view d) { return OnStreamData(id, serial, d); },
      [this, id = c.id, serial](const TransferResult& r) { OnStreamDone(id, serial, r); });
  ++counters_.streams_opened;
  ++counters_.streams_open;
  metrics_.SetStreamsActive(counters_.streams_open);
}

DataResult Engine::Impl::OnStreamData(const std::string& id, std::uint64_t serial, std::string_view data) {
  auto it = containers_.find(id);
  // A stream the engine no longer reads (kept open on purpose by
  // --inject-leak=stream): never consume, so it just sits there.
  if (it == containers_.end() || it->second.serial != serial || it->second.phase != Phase::kStreaming) {
    return DataResult::kPause;
  }
  Container& c = it->second;
  if (c.paused) return DataResult::kPause;
  c.last_data = Clock::now();
  const DecodeStatus status = c.reader->Feed(data);
  for (const std::string& e : c.reader->TakeSystemErrors()) {
    metrics_.AddError("daemon_error");
    spdlog::warn("container {} ({}): the daemon reported in-band: {}", Short(id), leakbench::EscapeForLog(c.name), leakbench::EscapeForLog(e));
  }
  const bool delivered_all = Deliver(c);
  if (!status.ok()) {
    c.decode_error = status.detail;
    return DataResult::kAbort;
  }
  if (!delivered_all) {
    c.paused = true;
    paused_.insert(id);
  }
  return DataResult::kConsumed;
}

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
    metrics_.AddCaptured(Short(c.id), c.name, lines, bytes);
    metrics_.SetCaptureLag(Short(c.id), c.name, static_cast<double>(WallNowNs() - c.last_ts) / 1e9);
  }
  return all;
}

void Engine::Impl::CloseStream(Container& c, bool keep_open) {
  // The slot's stream or request ends here, whatever it was.
  if (c.transfer != 0) {
    if (c.phase == Phase::kStreaming && keep_open) {
      leaked_transfers_.push_back(c.transfer);  // left open on purpose
    } else {
      loop_.Cancel(c.transfer);
    }
    c.transfer = 0;
  }
  if (c.phase == Phase::kStreaming) {
    metrics_.ObserveStreamAge(Clock::now() - c.opened);
    --counters_.streams_open;
    metrics_.SetStreamsActive(counters_.streams_open);
  }
  c.unsettled.clear();
  if (c.reader) {
    counters_.replayed_dropped += c.reader->filter().replayed_dropped();
    counters_.short_replays += c.reader->filter().short_replays();
    counters_.reorders += c.reader->reorders();
    if (c.reader->filter().replayed_dropped() > 0) {
      metrics_.AddLinesDropped("replayed", c.reader->filter().replayed_dropped());
    }
    c.reader.reset();
  }
  if (c.paused) {
    c.paused = false;
    paused_.erase(c.id);
  }
  ++c.serial;  // late callbacks of what was closed are ignored
  scheduler_.Release(c.id);
}

void Engine::Impl::Rotate(Container& c) {
  if (c.phase == Phase::kStreaming) {
    metrics_.AddRotation();
    ++counters_.rotations;
    leak_.OnRotation();
    if (faults_.logs_errors()) faults_.OnRotation();
    c.backoff.Reset();  // a whole lease without an error
  }
  CloseStream(c, c.phase == Phase::kStreaming && leak_.keep_rotated_streams());
  if (c.destroyed) {
    Drop(c.id, "destroyed");
    return;
  }
  c.phase = Phase::kWaiting;
  scheduler_.Enqueue(c.id, Clock::now(), Clock::now());
}

void Engine::Impl::OnStreamDone(const std::string& id, std::uint64_t serial, const TransferResult& r) {
  auto it = containers_.find(id);
  if (it == containers_.end() || it->second.serial != serial || it->second.phase != Phase::kStreaming) return;
  Container& c = it->second;
  c.transfer = 0;
  if (stopping_) return;
  if (r.kind == TransferResult::Kind::kComplete) {
    // The daemon ended the body: the container stopped (or the daemon is
    // going away). What it sent is complete; deliver it all.
    const DecodeStatus status = c.reader->Finish();
    if (!status.ok()) spdlog::debug("container {}: stream ended inside a frame ({})", Short(id), leakbench::EscapeForLog(status.detail));
    metrics_.ObserveStreamAge(Clock::now() - c.opened);
    --counters_.streams_open;
    metrics_.SetStreamsActive(counters_.streams_open);
    c.phase = Phase::kFinishing;
    if (!Deliver(c)) {
      c.paused = true;
      paused_.insert(id);
      return;  // ResumePaused finishes it
    }
    EndOfStream(c);
    return;
  }
  if (r.kind == TransferResult::Kind::kHttpError && (r.http_status == 404 || r.http_status == 409)) {
    const std::string msg = ErrorMessageFromBody(r.error_body);
    metrics_.AddError(r.http_status == 404 ? "not_found" : "conflict");
    spdlog::info("container {} ({}): {} ({}); no longer followed", Short(id), leakbench::EscapeForLog(c.name), leakbench::EscapeForLog(msg),
                 r.http_status);
    CloseStream(c);
    Drop(id, "gone");
    return;
  }
  std::string_view type = "reset";
  std::string message = r.message;
  if (r.kind == TransferResult::Kind::kHttpError) {
    type = r.http_status >= 500 ? "http_5xx" : "http_4xx";
    message += " " + ErrorMessageFromBody(r.error_body);
  } else if (r.kind == TransferResult::Kind::kAborted) {
    type = "decode";
    message = "malformed stream: " + c.decode_error;
  } else if (r.connect_failed) {
    type = "connect";
  } else if (r.curl_code == CURLE_OPERATION_TIMEDOUT) {
    type = "timeout";
  }
  Failed(c, type, message);
}

void Engine::Impl::Failed(Container& c, std::string_view type, const std::string& message) {
  metrics_.AddError(type);
  ++counters_.stream_errors;
  if (c.lines_this_stream > 0) c.backoff.Reset();
  const nanoseconds delay = c.backoff.NextDelay();
  // While the daemon is unreachable every container fails at once; the
  // connection itself is reported once (RetryConnect).
  if (connected_ && type != "connect") {
    spdlog::warn("container {} ({}): stream failed ({}: {}); retrying in {} ms from its position", Short(c.id),
                 leakbench::EscapeForLog(c.name), type, leakbench::EscapeForLog(message), Ms(delay).count());
  } else {
    spdlog::debug("container {} ({}): {} ({}); retrying in {} ms", Short(c.id), leakbench::EscapeForLog(c.name), type,
                  leakbench::EscapeForLog(message),
                  Ms(delay).count());
  }
  CloseStream(c);
  if (c.destroyed) {
    Drop(c.id, "destroyed");
    return;
  }
  c.phase = Phase::kWaiting;
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
  c.phase = Phase::kChecking;
  c.want_again = false;
  const std::uint64_t serial = c.serial = next_serial_++;
  if (quiet_end) c.backoff.NextDelay();  // an empty stream that ends at once must not spin
  c.transfer = client_.Inspect(c.id, [this, id = c.id, serial](const TransferResult& r,
                                                               std::optional<ContainerInfo> info) {
    OnEndChecked(id, serial, r, std::move(info));
  });
}

void Engine::Impl::OnEndChecked(const std::string& id, std::uint64_t serial, const TransferResult& r,
                                std::optional<ContainerInfo> info) {
  auto it = containers_.find(id);
  if (it == containers_.end() || it->second.serial != serial || it->second.phase != Phase::kChecking) return;
  Container& c = it->second;
  c.transfer = 0;
  if (r.kind == TransferResult::Kind::kHttpError && r.http_status == 404) {
    Drop(id, "no such container");
    return;
  }
  const auto now = Clock::now();
  if (!info) {
    c.phase = Phase::kWaiting;
    scheduler_.Enqueue(id, now, now + c.backoff.NextDelay());
  } else if (info->running || c.want_again) {
    c.phase = Phase::kWaiting;
    const nanoseconds delay = c.backoff.failures() > 0 ? c.backoff.NextDelay() : nanoseconds(0);
    scheduler_.Enqueue(id, now, now + delay);
  } else {
    c.phase = Phase::kIdle;  // stopped and drained; a start event brings it back
    spdlog::debug("container {} ({}) stopped; its log is read to the end", Short(id), leakbench::EscapeForLog(c.name));
  }
  Kick();
}

void Engine::Impl::Drop(const std::string& id, std::string_view why) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  Container& c = it->second;
  if (c.transfer != 0 || c.reader) CloseStream(c);
  scheduler_.Remove(id);
  metrics_.ContainerRemoved(Short(id));
  positions_.erase(id);
  state_dirty_ = true;
  spdlog::debug("container {} ({}) dropped: {}", Short(id), leakbench::EscapeForLog(c.name), why);
  containers_.erase(it);
  Kick();
}

void Engine::Impl::ResumePaused() {
  if (stopping_) return;
  const std::vector<std::string> ids(paused_.begin(), paused_.end());
  for (const std::string& id : ids) {
    auto it = containers_.find(id);
    if (it == containers_.end() || !it->second.paused) continue;
    Container& c = it->second;
    if (!Deliver(c)) break;  // full again: wait for the next callback
    c.paused = false;
    paused_.erase(id);
    if (c.phase == Phase::kFinishing) {
      EndOfStream(c);
    } else if (c.transfer != 0) {
      loop_.Resume(c.transfer);  // may deliver the held bytes right away
    }
  }
}

// --- housekeeping, state, shutdown ------------------------------------------

void Engine::Impl::Housekeeping() {
  housekeeping_timer_ = 0;
  if (stopping_) return;
  const auto now = Clock::now();
  if (config_.docker.stall_timeout > nanoseconds(0)) {
    std::vector<std::string> stalled;
    for (auto& [id, c] : containers_) {
      if (c.phase == Phase::kStreaming && !c.paused && now - c.last_data > config_.docker.stall_timeout) {
        stalled.push_back(id);
      }
    }
    for (const auto& id : stalled) {
      Container& c = containers_.at(id);
      metrics_.AddError("stall");
      spdlog::info("container {} ({}): no data for {} ms; reopening", Short(id), leakbench::EscapeForLog(c.name),
                   Ms(config_.docker.stall_timeout).count());
      CloseStream(c);
      c.phase = Phase::kWaiting;
      scheduler_.Enqueue(id, now, now);
    }
    if (!stalled.empty()) Kick();
  }
  // A writable callback that raced with a refusal must not leave streams
  // paused for good.
  if (!paused_.empty()) ResumePaused();
  CommitAcknowledged();
  const SinkStats sink = sink_.stats();
  metrics_.SetSinkBufferedBytes(sink.buffered_bytes);
  metrics_.SetSinkRecordsDropped(sink.records_dropped);
  metrics_.SetStreamsActive(counters_.streams_open);
  metrics_.SetContainersWaiting(scheduler_.waiting());
  metrics_.SetContainersMonitored(containers_.size());
  metrics_.SetStreamsPaused(paused_.size());
  if (!config_.state_file.empty() && state_dirty_ && now - last_state_save_ >= config_.state_flush_interval) {
    SaveState();
  }
  PublishStats();
  housekeeping_timer_ = loop_.After(kHousekeeping, [this] { Housekeeping(); });
}

void Engine::Impl::PublishStats() {
  counters_.containers = containers_.size();
  counters_.paused = paused_.size();
  counters_.connected = connected_;
  counters_.injected_dropped_lines = faults_.dropped_lines();
  counters_.injected_skipped_containers = faults_.skipped_containers();
  counters_.injected_error_lines = faults_.error_lines();
  std::lock_guard lock(stats_mutex_);
  published_ = counters_;
}

void Engine::Impl::CommitAcknowledged() {
  const std::uint64_t acknowledged = sink_.acknowledged();
  for (auto& [id, c] : containers_) {
    while (!c.uncommitted.empty() && c.uncommitted.front().first <= acknowledged) {
      c.committed = std::move(c.uncommitted.front().second);
      c.uncommitted.pop_front();
      state_dirty_ = true;
    }
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
    metrics_.AddError("state_file");
    spdlog::error("state: {}", error->message);
  }
  last_state_save_ = Clock::now();
  state_dirty_ = false;
}

void Engine::Impl::Shutdown() {
  if (stopping_) return;
  stopping_ = true;
  for (TimerId t : {tick_timer_, connect_timer_, housekeeping_timer_, events_rotate_timer_}) loop_.CancelTimer(t);
  if (events_transfer_ != 0) loop_.Cancel(events_transfer_);
  events_transfer_ = 0;
  std::size_t closed = 0;
  for (auto& [id, c] : containers_) {
    if (c.transfer != 0 || c.reader) {
      closed += c.phase == Phase::kStreaming ? 1 : 0;
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

// --- Engine ------------------------------------------------------------------

Engine::Engine(const Config& config, Sink& sink, EngineMetrics& metrics)
    : impl_(std::make_unique<Impl>(config, sink, metrics)) {}
Engine::~Engine() = default;
void Engine::Run() { impl_->Run(); }
void Engine::Stop() { impl_->Stop(); }
void Engine::SaveFinalState() { impl_->SaveFinalState(); }
EngineStats Engine::stats() const { return impl_->stats(); }

}  // namespace logcap
