// The stream lifecycle of one followed container, as a pure transition
// table: ONE enum for where it stands, Next(state, event) for where an event
// takes it (std::nullopt: the event is illegal there; the engine reports it
// and keeps the state). No I/O, no clock; thread-safe.
//
// States (slot = one of the scheduler's max_streams):
//   kIdle            no stream wanted: stopped and read to the end
//   kWaiting         in the scheduler's queue, no slot
//   kInspecting      slot; inspect in flight (tty not known yet)
//   kOpenDelayed     slot; the open waits for docker.max_opens_per_second
//   kStreaming       slot; follow stream open and read
//   kPaused          slot; follow stream open, reading paused (sink full)
//   kFinishing       slot; the daemon ended the stream, lines wait for the sink
//   kChecking        no slot; inspect after the end: stopped or running?
//   kCheckingWanted  kChecking, and a start event came meanwhile
//   kGone            dropped (destroyed, 404, excluded); terminal
//
// Transitions (every state but kGone also takes kWanted and kRemoved):
//   kWanted:        kIdle, kWaiting -> kWaiting; kChecking, kCheckingWanted
//                   -> kCheckingWanted; a state with a slot stays as it is
//   kInspectSent:   kWaiting -> kInspecting
//   kOpenHeld:      kWaiting, kInspecting -> kOpenDelayed
//   kOpened:        kWaiting, kInspecting, kOpenDelayed -> kStreaming
//   kSinkFull:      kStreaming -> kPaused
//   kSinkWritable:  kPaused -> kStreaming
//   kDaemonEnded:   kStreaming, kPaused -> kFinishing
//   kDrained:       kFinishing -> kChecking
//   kFailed:        kInspecting, kStreaming, kPaused, kChecking,
//                   kCheckingWanted -> kWaiting (retried after backoff)
//   kLeaseEnded:    kInspecting, kOpenDelayed, kStreaming, kPaused,
//                   kFinishing -> kWaiting (rotation)
//   kStalled:       kStreaming -> kWaiting
//   kFoundRunning:  kChecking, kCheckingWanted -> kWaiting
//   kFoundStopped:  kChecking -> kIdle; kCheckingWanted -> kWaiting
//   kRemoved:       any but kGone -> kGone
//
// Facts learned on the way (tty and name from inspect, "destroyed" from
// /events: the next end of the stream drops the container instead of
// retrying) are not states; the engine keeps them beside the state.
#pragma once

#include <optional>
#include <string_view>

namespace logcap {

enum class ContainerState {
  kIdle,
  kWaiting,
  kInspecting,
  kOpenDelayed,
  kStreaming,
  kPaused,
  kFinishing,
  kChecking,
  kCheckingWanted,
  kGone,
};

enum class StreamEvent {
  kWanted,         // listed as running, or a start event
  kInspectSent,    // slot granted, tty not known: inspect
  kOpenHeld,       // slot granted, the open waits for the open rate
  kOpened,         // follow stream requested
  kSinkFull,       // the sink refused a line
  kSinkWritable,   // the held lines went to the sink; reading resumes
  kDaemonEnded,    // the daemon completed the stream's body
  kDrained,        // every line of the ended stream went to the sink
  kFailed,         // the stream or request failed
  kLeaseEnded,     // the slot's lease ended (rotation)
  kStalled,        // no data for docker.stall_timeout
  kFoundRunning,   // the inspect after the end says running
  kFoundStopped,   // the inspect after the end says stopped
  kRemoved,        // no longer followed
};

inline constexpr int kContainerStateCount = static_cast<int>(ContainerState::kGone) + 1;
inline constexpr int kStreamEventCount = static_cast<int>(StreamEvent::kRemoved) + 1;

// Where `event` takes a container in `state`; std::nullopt when the event
// cannot happen there.
std::optional<ContainerState> Next(ContainerState state, StreamEvent event);

// The state holds one of the scheduler's slots.
bool HoldsSlot(ContainerState state);
// A follow stream is open (read or paused).
bool StreamOpen(ContainerState state);
// Lines wait for the sink to take them (kPaused, kFinishing).
bool WaitsForSink(ContainerState state);
// An inspect request is in flight (kInspecting, kChecking, kCheckingWanted).
bool AwaitsInspect(ContainerState state);

// "idle", "waiting", ... and "wanted", "inspect-sent", ..., for messages.
std::string_view ToString(ContainerState state);
std::string_view ToString(StreamEvent event);

}  // namespace logcap
