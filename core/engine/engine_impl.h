// Engine::Impl, the engine's insides, shared by the files that implement it:
//   engine.cc           construction, discovery's handlers, the slot loop
//                       (Kick/Tick), housekeeping, stats, shutdown
//   engine_streams.cc   one container's stream lifecycle: inspect, open,
//                       read, end, retry, rotate, drop (container_state.h)
//   engine_delivery.cc  lines to the sink, positions, the state file
// Internal to core/engine; loop thread only, except stats().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/backoff.h"
#include "core/docker/curl_loop.h"
#include "core/docker/docker_client.h"
#include "core/engine/container_filter.h"
#include "core/engine/container_state.h"
#include "core/engine/discovery.h"
#include "core/engine/engine.h"
#include "core/engine/fault_injector.h"
#include "core/engine/leak_injector.h"
#include "core/engine/open_rate_limiter.h"
#include "core/engine/stream_reader.h"
#include "core/engine/stream_scheduler.h"
#include "core/metrics/error_type.h"
#include "core/position/adaptive_lookback.h"
#include "core/position/position.h"
#include "core/position/state_file.h"

namespace logcap {

// The key of Engine::Impl::containers_: a view of the id its Container
// owns (Container::id), so the 64-hex id is stored once per container, not
// twice. Only Track() inserts, and it re-keys the new entry to the
// Container's own id at once; node-based, so the view stays valid until the
// entry is erased. Converts from std::string for lookups and to std::string
// where a copy is wanted (saved positions, lists of ids).
class IdKey {
 public:
  IdKey(const std::string& id) : view_(id) {}  // NOLINT(google-explicit-constructor): lookups by id
  operator std::string() const { return std::string(view_); }  // NOLINT(google-explicit-constructor)
  std::string_view view() const { return view_; }
  bool operator==(const IdKey& other) const { return view_ == other.view_; }

 private:
  std::string_view view_;
};
struct IdKeyHash {
  std::size_t operator()(const IdKey& key) const { return std::hash<std::string_view>{}(key.view()); }
};

class Engine::Impl {
 public:
  using Clock = std::chrono::steady_clock;

  Impl(const Config& config, Sink& sink, EngineMetrics& metrics);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void Run();
  void Stop() {
    loop_.Post([this] { Shutdown(); });
  }
  EngineStats stats() const {
    std::lock_guard lock(stats_mutex_);
    return published_;
  }
  // After Run() returned and the sink was closed: commits what the sink
  // acknowledged and saves the state file.
  void SaveFinalState();

 private:
  struct Container {
    std::string id;  // set once by Track(); containers_'s key views it
    std::string name;
    Labels labels;
    ContainerState state = ContainerState::kIdle;
    // Facts learned on the way, not states (see container_state.h).
    bool filtered = false;   // include/exclude rules applied
    bool inspected = false;  // tty known
    bool tty = false;
    bool destroyed = false;  // a destroy event came while its stream was open
    bool answered = false;   // the daemon answered the open stream (headers)
    PositionTracker position;
    // Replaced in Track by one that draws from the engine's generator (a
    // generator per container cost ~2.5 KB each).
    leakbench::Backoff backoff{leakbench::Backoff::Options{}, [] { return 0.0; }};
    TransferId transfer = 0;
    std::uint64_t serial = 0;  // identifies the current stream/request
    std::unique_ptr<StreamReader> reader;
    Clock::time_point opened{};
    Clock::time_point last_data{};
    std::uint64_t lines_this_stream = 0;
    std::string decode_error;
    std::int64_t last_ts = 0;
    // Delivered lines not yet counted in the position (see Deliver).
    std::vector<std::pair<std::int64_t, std::uint32_t>> unsettled;
    // The position the state file may hold: every record before it is
    // acknowledged by the sink. `position` runs ahead of it by what the
    // sink still buffers; `uncommitted` holds (sink ticket of the last
    // record, position after it) in ticket order, at most 64 of them. A
    // vector, not a deque: an empty std::deque allocates ~600 bytes, and
    // most containers wait without a stream.
    Position committed;
    std::vector<std::pair<std::uint64_t, Position>> uncommitted;
  };
  using InspectHandler = void (Impl::*)(Container&, const TransferResult&, std::optional<ContainerInfo>);

  // Discovery's handlers (engine.cc).
  void OnListed(std::vector<ContainerSummary> list);
  void OnContainerEvent(const ContainerEvent& event);

  // Containers and the slot loop (engine.cc).
  Container& Track(const std::string& id);
  // --inject-fault skip-container: for a container seen for the first time;
  // true (and the container excluded for good) when the fault skips it.
  bool SkippedByFault(const std::string& id);
  void WantStream(Container& c, Clock::time_point not_before);
  void Kick();
  void Tick();
  // Makes the next Tick happen no later than `at`.
  void ArmTick(Clock::time_point at);

  // One container's stream lifecycle (engine_streams.cc).
  // Moves c along the state machine; an illegal event is reported and
  // leaves the state as it was.
  void Enter(Container& c, StreamEvent event);
  // The container if it still exists and `serial` is its current request.
  Container* Current(const std::string& id, std::uint64_t serial);
  void Grant(const StreamScheduler::Grant& grant);
  // GET /containers/{id}/json for c's current stage; `then` runs only while
  // c still awaits this very answer.
  void SendInspect(Container& c, InspectHandler then);
  void OnInspected(Container& c, const TransferResult& result, std::optional<ContainerInfo> info);
  // Opens the follow stream now, or when the open rate allows it.
  void OpenStream(Container& c);
  void StartStream(Container& c);
  DataResult OnStreamData(const std::string& id, std::uint64_t serial, std::string_view data);
  void OnStreamDone(const std::string& id, std::uint64_t serial, const TransferResult& result);
  // The daemon answered the stream (its headers arrived): it counts in
  // streams_active from now on.
  void OnStreamAnswered(const std::string& id, std::uint64_t serial);
  // The open stream ended (closed here or by the daemon): the counters and
  // the streams_active gauge.
  void CountStreamEnded(Container& c);
  void EndOfStream(Container& c);
  void OnEndChecked(Container& c, const TransferResult& result, std::optional<ContainerInfo> info);
  void Rotate(Container& c);
  void Stalled(Container& c);
  // keep_open: leave the transfer open and unread (--inject-leak stream).
  void CloseStream(Container& c, bool keep_open = false);
  void Failed(Container& c, ErrorType type, const std::string& message);
  void Drop(std::string id, std::string_view why);
  void ResumePaused();

  // Delivery and positions (engine_delivery.cc).
  bool Deliver(Container& c);
  // Moves c's position over the delivered frames of complete lines, and
  // learns the lookback from the ones that came out of order.
  void Settle(Container& c);
  // Moves every container's committed position up to what the sink has
  // acknowledged.
  void CommitAcknowledged();
  void SaveState();

  void Housekeeping();
  void PublishStats();
  void Shutdown();

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
  Discovery discovery_;
  // How far before its position every stream reopens: the inversions seen on
  // any container of the daemon set it (see core/position/adaptive_lookback.h).
  AdaptiveLookback lookback_;
  // lookback_.Current() as of the last growth or Housekeeping (every 500 ms):
  // Settle runs per line and must not read the clock for it.
  std::chrono::nanoseconds current_lookback_ = lookback_.Current(Clock::now());

  std::unordered_map<IdKey, Container, IdKeyHash> containers_;
  std::unordered_set<std::string> excluded_;
  // Containers whose lines wait for the sink (WaitsForSink), in id order for
  // ResumePaused; kept by Enter, emptied by CloseStream.
  std::set<std::string> paused_;
  PositionMap positions_;  // loaded from / saved to the state file
  std::vector<TransferId> leaked_transfers_;

  bool stopping_ = false;
  bool kick_pending_ = false;
  TimerId tick_timer_ = 0;
  Clock::time_point tick_at_{};  // when tick_timer_ fires
  TimerId housekeeping_timer_ = 0;
  std::uint64_t next_serial_ = 1;

  Clock::time_point last_state_save_ = Clock::now();
  bool state_dirty_ = false;
  // Records the sink took from this engine (its tickets: the n-th record
  // taken is acknowledged once sink_.acknowledged() >= n).
  std::uint64_t sink_taken_ = 0;
  // Deliver's batch for the sink, kept so that its capacity is reused.
  std::vector<LogRecord> batch_;

  EngineStats counters_;  // stream_errors, events_connects, connected: see PublishStats
  mutable std::mutex stats_mutex_;
  EngineStats published_;
};

// The first 12 characters of a container id, as logs and metrics show it.
inline std::string_view ShortId(std::string_view id) { return id.substr(0, 12); }

}  // namespace logcap
