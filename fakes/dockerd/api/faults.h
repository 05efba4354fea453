// Faults switched on by the control API or a scenario, and the decision, made
// when a stream opens, of which fault (if any) that stream suffers. Draws use
// a seeded generator, so a run with the same seed and order of requests makes
// the same decisions. Not thread-safe: owned by the daemon's event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/dockerd/model/timestamp.h"

namespace fakedocker {

enum class FaultKind {
  kStall,        // headers, then nothing for `duration` (default: forever)
  kReset,        // after `after_bytes`, half a frame then a TCP-style reset
  kTruncate,     // after `after_bytes`, a frame cut short, then a clean end
  kMalformed,    // after `after_bytes`, a bad header (`variant`: stream|length)
  kErrorFrame,   // after `after_bytes`, a stream-type-3 frame, then the end
  kHttp500,      // the request is answered 500 with a JSON message
  kHttp503,      // the request is answered 503 with a JSON message
  kSlow,         // at most `bytes_per_s` bytes a second
  kLatency,      // `delay` before the response headers
  kSlice,        // writes of `chunk_bytes` bytes, `delay` apart
  kSlowClose,    // the end of a stream (container died, until reached) waits `delay`
  kZombie,       // the stream does not end when its container dies
};

std::optional<FaultKind> ParseFaultKind(std::string_view name);
const char* FaultKindName(FaultKind k);

struct FaultSpec {
  uint64_t id = 0;
  FaultKind kind = FaultKind::kStall;
  std::string target = "*";      // container id, id prefix or name; "*" = all
  std::string endpoint = "logs";  // logs | events | any
  double probability = 1.0;
  uint64_t remaining = 0;         // apply to at most this many streams; 0 = no limit
  uint64_t after_bytes = 0;
  int64_t duration_ns = -1;       // stall length; -1 = forever
  int64_t delay_ns = 0;           // latency, slice gap, slow close
  uint64_t bytes_per_s = 0;
  uint64_t chunk_bytes = 1;
  std::string variant = "stream";  // malformed: "stream" (type 7) or "length" (absurd)
  uint64_t applied = 0;           // streams that drew it so far

  // From the control API's JSON; throws std::invalid_argument with a reason.
  static FaultSpec FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

class FaultRegistry {
 public:
  explicit FaultRegistry(uint64_t seed) : rng_(seed) {}

  uint64_t Add(FaultSpec spec);
  bool Remove(uint64_t id);
  // Removes all faults, or all of one kind; returns how many went.
  size_t Clear(std::optional<FaultKind> kind);
  const std::vector<FaultSpec>& all() const { return faults_; }

  // Faults a new stream suffers: each matching fault is drawn independently.
  // `matches_target` says whether a fault's target names the container.
  template <typename MatchTarget>
  std::vector<FaultSpec> Draw(std::string_view endpoint, MatchTarget matches_target);

 private:
  bool Roll(double p) { return p >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  std::mt19937_64 rng_;
  uint64_t next_id_ = 1;
  std::vector<FaultSpec> faults_;
};

template <typename MatchTarget>
std::vector<FaultSpec> FaultRegistry::Draw(std::string_view endpoint, MatchTarget matches_target) {
  std::vector<FaultSpec> drawn;
  for (auto& f : faults_) {
    if (f.endpoint != "any" && f.endpoint != endpoint) continue;
    if (f.target != "*" && !matches_target(f.target)) continue;
    if (f.remaining != 0 && f.applied >= f.remaining) continue;
    if (!Roll(f.probability)) continue;
    ++f.applied;
    drawn.push_back(f);
  }
  return drawn;
}

}  // namespace fakedocker
