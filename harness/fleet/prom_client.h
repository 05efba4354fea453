// Range queries against any Prometheus HTTP API (Prometheus, Thanos Query, Mimir): each query once for the whole selector, split by time into chunks, requests run concurrently up to a limit, retried with backoff on 5xx and timeouts.
// A 4xx (a bad selector: Prometheus's own `error` text is shown), a sample
// limit, refused credentials, an answer that is not a matrix, or a server
// still failing after the last attempt ends the whole call with a
// PromQueryError that says what went wrong and what to do. The sleep
// between attempts is injected (tests record it instead of waiting).
// Thread-safe: every call owns its connections; curl_global_init must have run.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/backoff.h"
#include "harness/fleet/prom_auth.h"
#include "harness/fleet/prom_matrix.h"

namespace leakbench::harness {

// Unix seconds, both ends included, on the grid start + k * step.
struct TimeRange {
  double start = 0;
  double end = 0;
  double step = 15;
};

// A query by name (for messages: "threads") and PromQL expression.
struct RangeQuery {
  std::string name;
  std::string expr;
};

struct PromClientOptions {
  std::string url;  // the API's base ("http://host:9090", or Mimir's ".../prometheus"); /api/v1/query_range is appended
  PromAuth auth;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // per request
  std::size_t concurrency = 4;                                  // requests in flight at most
  int max_attempts = 4;                                         // per request, the first included
  Backoff::Options backoff{std::chrono::milliseconds(500), std::chrono::seconds(10), Backoff::Jitter::kFull,
                           std::chrono::milliseconds(100)};
  double chunk_s = 3600;  // a request covers at most this much time (and at most 11,000 points per series)
  std::function<void(std::chrono::nanoseconds)> sleep;  // empty: std::this_thread::sleep_for
  std::uint64_t seed = 1;                               // the backoff's jitter
  const std::atomic<bool>* interrupted = nullptr;       // set: stop after the requests in flight
};

class PromQueryError : public std::runtime_error {
 public:
  PromQueryError(PromError error, const std::string& what) : std::runtime_error(what), error_(std::move(error)) {}
  const PromError& error() const { return error_; }

 private:
  PromError error_;
};

struct PromQueryStats {
  std::size_t requests = 0;  // HTTP requests sent, retries included
  std::size_t retries = 0;
  std::size_t chunks = 0;    // per query
  std::uint64_t bytes = 0;   // answer bodies
};

// The chunks of `range`: consecutive, disjoint, on its step grid, each of
// at most chunk_s (at least one step) and 11,000 points.
std::vector<TimeRange> SplitRange(const TimeRange& range, double chunk_s);

// Every query over `range`; result[i] holds the series of queries[i], each
// series' chunks joined in time order. Throws PromQueryError (see above),
// std::invalid_argument for a bad range or options.
std::vector<std::vector<RangeSeries>> RunRangeQueries(const PromClientOptions& options,
                                                      const std::vector<RangeQuery>& queries, const TimeRange& range,
                                                      PromQueryStats* stats = nullptr);

}  // namespace leakbench::harness
