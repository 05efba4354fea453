// Spellings of the sink: the YAML sink.type ("stdout", "file", "loki") and
// the --sink flag ("stdout", "file:PATH", "loki:URL"). Only the syntax is
// checked here; ValidateConfig() judges the path and URL. Pure functions;
// thread-safe.
#pragma once

#include <string_view>

#include "core/config/config.h"

namespace logcap {

// "stdout" | "file" | "loki". Throws std::invalid_argument.
SinkKind ParseSinkKind(std::string_view name);
std::string_view SinkKindName(SinkKind kind);

// sink.on_reject: "retry" | "drop". Throws std::invalid_argument.
SinkRejectPolicy ParseSinkRejectPolicy(std::string_view name);
std::string_view SinkRejectPolicyName(SinkRejectPolicy policy);

// Sets sink.kind and, for file: and loki:, sink.path or sink.url from
// `spec`; the other fields are kept. Throws std::invalid_argument.
void ApplySinkSpec(std::string_view spec, SinkConfig& sink);

}  // namespace logcap
