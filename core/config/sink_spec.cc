#include "core/config/sink_spec.h"

#include <stdexcept>
#include <string>

#include "common/echo_value.h"

namespace logcap {

SinkKind ParseSinkKind(std::string_view name) {
  if (name == "stdout") return SinkKind::kStdout;
  if (name == "file") return SinkKind::kFile;
  if (name == "loki") return SinkKind::kLoki;
  throw std::invalid_argument("expected stdout, file or loki, got " + leakbench::QuoteValue(name));
}

SinkRejectPolicy ParseSinkRejectPolicy(std::string_view name) {
  if (name == "retry") return SinkRejectPolicy::kRetry;
  if (name == "drop") return SinkRejectPolicy::kDrop;
  throw std::invalid_argument("expected retry or drop, got " + leakbench::QuoteValue(name));
}

std::string_view SinkRejectPolicyName(SinkRejectPolicy policy) {
  return policy == SinkRejectPolicy::kDrop ? "drop" : "retry";
}

std::string_view SinkKindName(SinkKind kind) {
  switch (kind) {
    case SinkKind::kStdout:
      return "stdout";
    case SinkKind::kFile:
      return "file";
    case SinkKind::kLoki:
      return "loki";
  }
  return "?";
}

void ApplySinkSpec(std::string_view spec, SinkConfig& sink) {
  const std::size_t colon = spec.find(':');
  const std::string_view kind = spec.substr(0, colon);
  const std::string_view rest =
      colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  if (kind == "stdout" && colon == std::string_view::npos) {
    sink.kind = SinkKind::kStdout;
  } else if (kind == "file" && colon != std::string_view::npos) {
    sink.kind = SinkKind::kFile;
    sink.path = std::string(rest);
  } else if (kind == "loki" && colon != std::string_view::npos) {
    sink.kind = SinkKind::kLoki;
    sink.url = std::string(rest);
  } else {
    throw std::invalid_argument("expected stdout, file:PATH or loki:URL, got " + leakbench::QuoteValue(spec));
  }
}

}  // namespace logcap
