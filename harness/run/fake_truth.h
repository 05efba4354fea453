// The fake daemon's ground truth, read into typed values: its /truth
// summary, its follow streams (/streams) and its containers (/containers).
// A missing or mistyped key is an error naming the key, never a silent 0:
// a verdict built on a default value would be a lie. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakbench::harness {

class TruthError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FakeTruth {
  std::int64_t now_ns = 0;                 // the fake's clock (Unix ns) when it answered
  std::uint64_t follow_streams_open = 0;
  std::uint64_t follow_streams_peak = 0;
  std::uint64_t streams_closed_total = 0;  // /logs streams of any kind, any reason
  std::uint64_t streams_closed_dropped = 0;  // closed records the fake no longer holds
  std::uint64_t daemon_restarts = 0;
};

// One /logs stream with follow=1, as the fake saw it.
struct FollowStream {
  std::uint64_t id = 0;
  std::string container_id;       // full 64-hex id
  std::int64_t opened_at_ns = 0;    // the request arrived
  std::int64_t answered_at_ns = 0;  // the daemon's response head; 0: not (yet) answered
  std::int64_t closed_at_ns = 0;    // 0 while open
  bool open = false;
  std::string close_reason;       // client_closed, container_stopped, fault:..., daemon_restart, ...
  std::uint64_t lines_sent = 0;
  std::uint64_t first_seq = 0;    // 0 when no line was sent
  std::uint64_t last_seq = 0;
  // The seqs it carried as [first, last] runs, when the source knows them
  // exactly (the counting proxy: a real daemon's stdout and stderr lines
  // are not stored in seq order); empty: every seq in first..last.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seq_ranges;
  bool closed_by_client() const { return !open && close_reason == "client_closed"; }
};

struct FakeContainer {
  std::string id;    // 64 hex
  std::string cid;   // first 12 hex: the stamp in every line
  std::string state;
  bool tty = false;
  std::uint64_t emitted = 0;
  std::int64_t started_at_ns = 0;  // 0 when the fake does not say
};

FakeTruth ParseTruth(const nlohmann::json& truth);
// Only follow /logs streams are kept (events and non-follow reads are not
// the target's follow streams).
std::vector<FollowStream> ParseFollowStreams(const nlohmann::json& streams);
std::vector<FakeContainer> ParseContainers(const nlohmann::json& containers);

}  // namespace leakbench::harness
