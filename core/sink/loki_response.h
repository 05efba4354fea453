// How the Loki sink judges an HTTP answer to a push, and what it tells the
// operator about a rejection. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace logcap {

enum class LokiVerdict {
  kAccepted,  // 2xx
  kRetry,     // 408, 429, 5xx (and failed transfers): transient, back off
  kRejected,  // any other status: Loki refuses the request as it is
};

LokiVerdict ClassifyLokiStatus(long status);

// What to check for a rejected push, by status: "check sink.url ..." for
// 404, credentials and tenant for 401/403, batch size for 413, ...
std::string LokiRejectHint(long status);

// The first `max_bytes` of Loki's reply on one line: control characters
// become spaces, "..." marks a cut.
std::string LokiReplyExcerpt(std::string_view reply, std::size_t max_bytes = 200);

}  // namespace logcap
