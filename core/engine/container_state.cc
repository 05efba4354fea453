#include "core/engine/container_state.h"

namespace logcap {

std::optional<ContainerState> Next(ContainerState state, StreamEvent event) {
  using S = ContainerState;
  using E = StreamEvent;
  if (state == S::kGone) return std::nullopt;
  switch (event) {
    case E::kWanted:
      if (state == S::kIdle || state == S::kWaiting) return S::kWaiting;
      if (state == S::kChecking || state == S::kCheckingWanted) return S::kCheckingWanted;
      return state;  // it has a slot already
    case E::kInspectSent:
      if (state == S::kWaiting) return S::kInspecting;
      break;
    case E::kOpenHeld:
      if (state == S::kWaiting || state == S::kInspecting) return S::kOpenDelayed;
      break;
    case E::kOpened:
      if (state == S::kWaiting || state == S::kInspecting || state == S::kOpenDelayed) return S::kStreaming;
      break;
    case E::kSinkFull:
      if (state == S::kStreaming) return S::kPaused;
      break;
    case E::kSinkWritable:
      if (state == S::kPaused) return S::kStreaming;
      break;
    case E::kDaemonEnded:
      if (state == S::kStreaming || state == S::kPaused) return S::kFinishing;
      break;
    case E::kDrained:
      if (state == S::kFinishing) return S::kChecking;
      break;
    case E::kFailed:
      if (StreamOpen(state) || AwaitsInspect(state)) return S::kWaiting;
      break;
    case E::kLeaseEnded:
      if (HoldsSlot(state)) return S::kWaiting;
      break;
    case E::kStalled:
      if (state == S::kStreaming) return S::kWaiting;
      break;
    case E::kFoundRunning:
      if (state == S::kChecking || state == S::kCheckingWanted) return S::kWaiting;
      break;
    case E::kFoundStopped:
      if (state == S::kChecking) return S::kIdle;
      if (state == S::kCheckingWanted) return S::kWaiting;
      break;
    case E::kRemoved:
      return S::kGone;
  }
  return std::nullopt;
}

bool HoldsSlot(ContainerState state) {
  return state == ContainerState::kInspecting || state == ContainerState::kOpenDelayed || StreamOpen(state) ||
         state == ContainerState::kFinishing;
}

bool StreamOpen(ContainerState state) {
  return state == ContainerState::kStreaming || state == ContainerState::kPaused;
}

bool WaitsForSink(ContainerState state) {
  return state == ContainerState::kPaused || state == ContainerState::kFinishing;
}

bool AwaitsInspect(ContainerState state) {
  return state == ContainerState::kInspecting || state == ContainerState::kChecking ||
         state == ContainerState::kCheckingWanted;
}

std::string_view ToString(ContainerState state) {
  switch (state) {
    case ContainerState::kIdle: return "idle";
    case ContainerState::kWaiting: return "waiting";
    case ContainerState::kInspecting: return "inspecting";
    case ContainerState::kOpenDelayed: return "open-delayed";
    case ContainerState::kStreaming: return "streaming";
    case ContainerState::kPaused: return "paused";
    case ContainerState::kFinishing: return "finishing";
    case ContainerState::kChecking: return "checking";
    case ContainerState::kCheckingWanted: return "checking-wanted";
    case ContainerState::kGone: return "gone";
  }
  return "unknown-state";
}

std::string_view ToString(StreamEvent event) {
  switch (event) {
    case StreamEvent::kWanted: return "wanted";
    case StreamEvent::kInspectSent: return "inspect-sent";
    case StreamEvent::kOpenHeld: return "open-held";
    case StreamEvent::kOpened: return "opened";
    case StreamEvent::kSinkFull: return "sink-full";
    case StreamEvent::kSinkWritable: return "sink-writable";
    case StreamEvent::kDaemonEnded: return "daemon-ended";
    case StreamEvent::kDrained: return "drained";
    case StreamEvent::kFailed: return "failed";
    case StreamEvent::kLeaseEnded: return "lease-ended";
    case StreamEvent::kStalled: return "stalled";
    case StreamEvent::kFoundRunning: return "found-running";
    case StreamEvent::kFoundStopped: return "found-stopped";
    case StreamEvent::kRemoved: return "removed";
  }
  return "unknown-event";
}

}  // namespace logcap
