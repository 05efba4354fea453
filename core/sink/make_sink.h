// The one place that turns a SinkConfig into a running Sink: JSON Lines on
// stdout, JSON Lines appended to a file, or Loki pushes. Errors a user can
// fix (a path that cannot be opened, a bad URL or label) are thrown as
// std::runtime_error with the context needed to fix them. The caller owns
// the returned sink (and must have called curl_global_init before making a
// Loki sink). Thread-safe: no shared state.
#pragma once

#include <memory>

#include "core/config/config.h"
#include "core/sink/sink.h"

namespace logcap {

std::unique_ptr<Sink> MakeSink(const SinkConfig& config);

}  // namespace logcap
