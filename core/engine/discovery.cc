#include "core/engine/discovery.h"

#include <spdlog/spdlog.h>

#include <random>
#include <utility>

#include "common/log_escape.h"
#include "core/config/docker_host.h"
#include "core/engine/time_units.h"
#include "core/position/position.h"

namespace logcap {

Discovery::Discovery(CurlLoop& loop, DockerClient& client, EngineMetrics& metrics, Handlers handlers)
    : loop_(loop),
      client_(client),
      metrics_(metrics),
      handlers_(std::move(handlers)),
      backoff_(leakbench::Backoff::Options{.base = std::chrono::milliseconds(100), .cap = std::chrono::seconds(5)},
               leakbench::Backoff::SeededUniform(std::random_device{}())) {}

void Discovery::Start() { Connect(); }

void Discovery::Stop() {
  stopped_ = true;
  loop_.CancelTimer(connect_timer_);
  loop_.CancelTimer(rotate_timer_);
  if (events_transfer_ != 0) loop_.Cancel(events_transfer_);
  events_transfer_ = 0;
}

void Discovery::Connect() {
  connect_timer_ = 0;
  if (stopped_) return;
  client_.Ping([this](const TransferResult& r) {
    if (stopped_) return;
    if (r.kind != TransferResult::Kind::kComplete) {
      RetryConnect("ping " + client_.host().text + ": " + r.message);
      return;
    }
    list_started_ns_ = WallNowNs();
    client_.ListContainers(
        [this](const TransferResult& lr, std::vector<ContainerSummary> list) { OnList(lr, std::move(list)); });
  });
}

void Discovery::RetryConnect(const std::string& why) {
  metrics_.AddError(ErrorType::kConnect);
  ++errors_;
  const std::chrono::nanoseconds delay = backoff_.NextDelay();
  // One warning when the daemon goes away, then quieter while it stays away.
  if (backoff_.failures() == 1) {
    spdlog::warn("docker daemon unreachable ({}); retrying with backoff (is dockerd running? check --docker-host)",
                 leakbench::EscapeForLog(why));
  } else {
    spdlog::debug("docker daemon still unreachable ({}); next try in {} ms", leakbench::EscapeForLog(why),
                  Ms(delay).count());
  }
  connected_ = false;
  connect_timer_ = loop_.After(delay, [this] { Connect(); });
}

void Discovery::OnList(const TransferResult& r, std::vector<ContainerSummary> list) {
  if (stopped_) return;
  if (r.kind != TransferResult::Kind::kComplete) {
    RetryConnect("list containers: " + r.message + (r.error_body.empty() ? "" : " " + ErrorMessageFromBody(r.error_body)));
    return;
  }
  if (backoff_.failures() > 0) spdlog::info("docker daemon reachable again at {}", client_.host().text);
  backoff_.Reset();
  connected_ = true;
  spdlog::info("connected to {} (API {}): {} running containers", client_.host().text, client_.api_version(),
               list.size());
  handlers_.listed(std::move(list));
  StartEvents();
}

void Discovery::StartEvents() {
  if (stopped_) return;
  if (events_transfer_ != 0) loop_.Cancel(events_transfer_);
  lines_.Reset();
  const std::uint64_t serial = ++events_serial_;
  const std::int64_t since = last_event_ns_ != 0 ? last_event_ns_ : list_started_ns_;
  events_transfer_ = client_.FollowEvents(
      FormatSince(since), [this, serial](std::string_view d) { return OnEventsData(serial, d); },
      [this, serial](const TransferResult& r) { OnEventsDone(serial, r); });
  ++events_connects_;
  // The events stream is rotated like any other follow stream.
  loop_.CancelTimer(rotate_timer_);
  rotate_timer_ = loop_.After(handlers_.events_lease(), [this] { RotateEvents(); });
}

void Discovery::RotateEvents() {
  rotate_timer_ = 0;
  if (stopped_) return;
  spdlog::debug("events: rotating the stream");
  StartEvents();
}

DataResult Discovery::OnEventsData(std::uint64_t serial, std::string_view data) {
  if (serial != events_serial_) return DataResult::kAbort;
  // Handled after this callback returns: reacting to an event may cancel
  // transfers, which libcurl forbids from inside its callbacks.
  const bool ok = lines_.Feed(data, [this](std::string_view line) {
    try {
      pending_.push_back(ParseEvent(line));
    } catch (const DockerJsonError& e) {
      metrics_.AddError(ErrorType::kEvents);
      spdlog::warn("events: skipping an event the engine cannot read: {}", leakbench::EscapeForLog(e.what()));
    }
  });
  if (!pending_.empty() && !handling_posted_) {
    handling_posted_ = true;
    loop_.Post([this] { HandleEvents(); });
  }
  if (!ok) {
    metrics_.AddError(ErrorType::kEvents);
    spdlog::warn("events: an event longer than {} bytes; reconnecting", EventLines::kMaxLine);
    return DataResult::kAbort;
  }
  return DataResult::kConsumed;
}

void Discovery::HandleEvents() {
  handling_posted_ = false;
  const std::vector<ContainerEvent> events = std::exchange(pending_, {});
  if (stopped_) return;
  for (const ContainerEvent& ev : events) {
    if (ev.time_nano > last_event_ns_) last_event_ns_ = ev.time_nano;
    if (ev.type == "container" && !ev.id.empty()) handlers_.container_event(ev);
  }
}

void Discovery::OnEventsDone(std::uint64_t serial, const TransferResult& r) {
  if (serial != events_serial_) return;
  events_transfer_ = 0;
  if (stopped_) return;
  loop_.CancelTimer(rotate_timer_);
  rotate_timer_ = 0;
  // Any end of the events stream is a reconnect: ping, list again (resync),
  // then follow events from the last one seen.
  const std::string why = r.kind == TransferResult::Kind::kComplete ? std::string("the daemon ended the stream")
                                                                      : r.message;
  spdlog::info("events: stream ended ({}); resyncing", leakbench::EscapeForLog(why));
  metrics_.AddError(ErrorType::kEvents);
  ++errors_;
  // Log streams keep their turns meanwhile: only a failed ping or list
  // (RetryConnect) means the daemon itself is gone.
  const std::chrono::nanoseconds delay = backoff_.NextDelay();
  connect_timer_ = loop_.After(delay, [this] { Connect(); });
}

}  // namespace logcap
