#include "fakes/dockerd/api/time_range.h"

namespace fakedocker {

std::optional<TimeRange> ParseTimeRange(const HttpRequest& req, std::string* error) {
  TimeRange range;
  for (const char* key : {"since", "until"}) {
    auto v = req.Param(key);
    if (!v || v->empty()) continue;
    auto t = ParseApiTimestamp(*v, error);
    if (!t) return std::nullopt;
    (std::string(key) == "since" ? range.since : range.until) = *t;
  }
  return range;
}

}  // namespace fakedocker
