#include "core/metrics/error_type.h"

namespace logcap {

std::string_view ToString(ErrorType type) {
  switch (type) {
    case ErrorType::kHttp5xx: return "http_5xx";
    case ErrorType::kHttp4xx: return "http_4xx";
    case ErrorType::kConnect: return "connect";
    case ErrorType::kReset: return "reset";
    case ErrorType::kTimeout: return "timeout";
    case ErrorType::kDecode: return "decode";
    case ErrorType::kStall: return "stall";
    case ErrorType::kNotFound: return "not_found";
    case ErrorType::kConflict: return "conflict";
    case ErrorType::kEvents: return "events";
    case ErrorType::kSink: return "sink";
    case ErrorType::kInspect: return "inspect";
    case ErrorType::kDaemonError: return "daemon_error";
    case ErrorType::kStateFile: return "state_file";
    case ErrorType::kOther: return "other";
  }
  return "other";
}

}  // namespace logcap
