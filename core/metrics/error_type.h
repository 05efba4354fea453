// The kinds of error the engine counts in
// log_capturer_container_stream_errors_total{error_type}: one enum shared by
// the engine (which reports them) and the metrics (which create one series
// per kind up front), so a kind can no longer be misspelt into "other".
// ToString gives the exported label value; these strings are part of the
// metrics' interface (tests, soak dashboards and alerts match them).
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace logcap {

enum class ErrorType {
  kHttp5xx,      // the daemon answered 5xx
  kHttp4xx,      // the daemon answered another 4xx
  kConnect,      // the daemon's socket could not be reached
  kReset,        // a stream or request broke off
  kTimeout,      // a request timed out
  kDecode,       // a malformed log stream
  kStall,        // a follow stream sent nothing for docker.stall_timeout
  kNotFound,     // 404: the container is gone
  kConflict,     // 409: the container cannot be followed
  kEvents,       // the /events stream ended or sent something unreadable
  kSink,         // a failed push
  kInspect,      // an inspect request failed (not 404, not 5xx)
  kDaemonError,  // the daemon reported an error in-band in a log stream
  kStateFile,    // the state file could not be saved
  kOther,        // anything else
};

// Every kind, in enum order (the order the series are created in).
inline constexpr std::array<ErrorType, 15> kAllErrorTypes = {
    ErrorType::kHttp5xx,  ErrorType::kHttp4xx,  ErrorType::kConnect,     ErrorType::kReset,
    ErrorType::kTimeout,  ErrorType::kDecode,   ErrorType::kStall,       ErrorType::kNotFound,
    ErrorType::kConflict, ErrorType::kEvents,   ErrorType::kSink,        ErrorType::kInspect,
    ErrorType::kDaemonError, ErrorType::kStateFile, ErrorType::kOther};

// kAllErrorTypes[i] is the kind whose value is i (the metrics index by it).
constexpr bool ErrorTypesInEnumOrder() {
  for (std::size_t i = 0; i < kAllErrorTypes.size(); ++i) {
    if (static_cast<std::size_t>(kAllErrorTypes[i]) != i) return false;
  }
  return true;
}
static_assert(ErrorTypesInEnumOrder() && kAllErrorTypes.back() == ErrorType::kOther,
              "kAllErrorTypes must list every ErrorType in enum order");

// The label value: "http_5xx", "http_4xx", "connect", "reset", "timeout",
// "decode", "stall", "not_found", "conflict", "events", "sink", "inspect",
// "daemon_error", "state_file", "other".
std::string_view ToString(ErrorType type);

}  // namespace logcap
