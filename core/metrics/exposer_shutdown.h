// Stops a prometheus-cpp Exposer in milliseconds. civetweb's listener polls
// in 2-second quanta and looks at its stop flag only between polls, so a
// plain destruction takes up to 2 s, which would delay the engine's exit on
// SIGTERM. While the Exposer is being destroyed, a short-lived thread
// connects to its address every few milliseconds; each connection ends the
// poll, so the listener sees the flag at once. Call from the owning thread.
#pragma once

#include <prometheus/exposer.h>

#include <memory>

#include "core/config/host_port.h"

namespace logcap {

// Destroys `exposer`, which listens on `address` (its bound port, not 0).
void DestroyExposerPromptly(std::unique_ptr<prometheus::Exposer> exposer, const HostPort& address);

}  // namespace logcap
