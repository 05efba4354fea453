// A Prometheus range-query answer (`/api/v1/query_range`, resultType matrix) parsed into series of points, or the error Prometheus gave, classified.
// Bad JSON, or JSON that is not a matrix, is an error value with what was
// wrong, never a crash. Pure; thread-safe.
#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "harness/stats/growth.h"

namespace leakbench::harness {

using Labels = std::map<std::string, std::string>;

struct RangeSeries {
  Labels labels;
  std::vector<Point> points;  // t: Unix seconds; non-finite values dropped
};

struct PromError {
  enum class Kind {
    kBadQuery,      // 4xx: a bad selector or expression; Prometheus's `error` text says why
    kSampleLimit,   // the query would load or return too many samples/points
    kServer,        // 5xx, 429 or no answer (timeout, refused): worth retrying
    kUnauthorized,  // 401/403
    kBadAnswer,     // not JSON, or not a matrix
  };
  Kind kind = Kind::kServer;
  long status = 0;
  std::string message;  // Prometheus's errorType and error, or what was wrong with the answer
};

// True for the errors worth another attempt.
bool Retryable(const PromError& error);

// The answer to one query_range request (HTTP status and body).
std::variant<std::vector<RangeSeries>, PromError> ParseMatrixAnswer(long status, const std::string& body);

// "{instance=\"a:1\", job=\"x\"}".
std::string LabelsText(const Labels& labels);

}  // namespace leakbench::harness
