#include "harness/run/fake_truth.h"

namespace leakbench::harness {
namespace {

using json = nlohmann::json;

const json& Member(const json& object, const char* key, const std::string& where) {
  if (!object.is_object()) throw TruthError(where + ": expected a JSON object from the fake, got " + object.dump().substr(0, 200));
  const auto it = object.find(key);
  if (it == object.end()) throw TruthError(where + ": the fake's answer has no '" + key + "' (is fake-dockerd from the same build?)");
  return *it;
}

template <typename T>
T Get(const json& object, const char* key, const std::string& where) {
  const json& v = Member(object, key, where);
  try {
    return v.get<T>();
  } catch (const json::exception&) {
    throw TruthError(where + ": '" + key + "' has the wrong type: " + v.dump().substr(0, 200));
  }
}

}  // namespace

FakeTruth ParseTruth(const json& truth) {
  const std::string where = "GET /truth";
  FakeTruth t;
  t.now_ns = Get<std::int64_t>(truth, "now_ns", where);
  t.follow_streams_open = Get<std::uint64_t>(truth, "follow_streams_open", where);
  t.follow_streams_peak = Get<std::uint64_t>(truth, "follow_streams_peak", where);
  t.streams_closed_total = Get<std::uint64_t>(truth, "streams_closed_total", where);
  t.streams_closed_dropped = Get<std::uint64_t>(truth, "streams_closed_dropped", where);
  t.daemon_restarts = Get<std::uint64_t>(truth, "daemon_restarts", where);
  return t;
}

std::vector<FollowStream> ParseFollowStreams(const json& streams) {
  if (!streams.is_array()) throw TruthError("GET /streams: expected a JSON array, got " + streams.dump().substr(0, 200));
  std::vector<FollowStream> out;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    const json& s = streams[i];
    const std::string where = "GET /streams[" + std::to_string(i) + "]";
    if (Get<std::string>(s, "endpoint", where) != "logs" || !Get<bool>(s, "follow", where)) continue;
    FollowStream f;
    f.id = Get<std::uint64_t>(s, "id", where);
    f.container_id = Get<std::string>(s, "container_id", where);
    f.opened_at_ns = Get<std::int64_t>(s, "opened_at_ns", where);
    f.answered_at_ns = Get<std::int64_t>(s, "answered_at_ns", where);
    f.closed_at_ns = Get<std::int64_t>(s, "closed_at_ns", where);
    f.open = Get<bool>(s, "open", where);
    f.close_reason = Get<std::string>(s, "close_reason", where);
    f.lines_sent = Get<std::uint64_t>(s, "lines_sent", where);
    f.first_seq = Get<std::uint64_t>(s, "first_seq", where);
    f.last_seq = Get<std::uint64_t>(s, "last_seq", where);
    if (s.contains("seq_ranges")) {
      for (const json& r : s["seq_ranges"]) {
        if (!r.is_array() || r.size() != 2 || !r[0].is_number_unsigned() || !r[1].is_number_unsigned() || r[1] < r[0]) {
          throw TruthError(where + ": 'seq_ranges' holds " + r.dump().substr(0, 100) + ", not [first, last]");
        }
        f.seq_ranges.emplace_back(r[0].get<std::uint64_t>(), r[1].get<std::uint64_t>());
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<FakeContainer> ParseContainers(const json& containers) {
  if (!containers.is_array()) {
    throw TruthError("GET /containers: expected a JSON array, got " + containers.dump().substr(0, 200));
  }
  std::vector<FakeContainer> out;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    const json& c = containers[i];
    const std::string where = "GET /containers[" + std::to_string(i) + "]";
    FakeContainer f;
    f.id = Get<std::string>(c, "id", where);
    f.cid = Get<std::string>(c, "cid", where);
    f.state = Get<std::string>(c, "state", where);
    f.tty = Get<bool>(c, "tty", where);
    f.emitted = Get<std::uint64_t>(c, "emitted", where);
    f.started_at_ns = Get<std::int64_t>(c, "started_at_ns", where);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace leakbench::harness
