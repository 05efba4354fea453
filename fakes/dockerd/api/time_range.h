// The `since` and `until` query values of GET /containers/{id}/logs and
// GET /events, parsed once for both endpoints. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "fakes/dockerd/http/http_message.h"
#include "fakes/dockerd/model/timestamp.h"

namespace fakedocker {

struct TimeRange {
  std::optional<UnixNanos> since;
  std::optional<UnixNanos> until;
};

// Reads `since`, then `until` (SECONDS[.FRACTION], see ParseApiTimestamp); an
// absent or empty value stays unset, 0 included. On the first bad value
// returns nullopt and sets *error in Go's strconv wording.
std::optional<TimeRange> ParseTimeRange(const HttpRequest& req, std::string* error);

}  // namespace fakedocker
