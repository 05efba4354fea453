// What the counting proxy saw pass between a follower and a Docker daemon:
// every request (method, target, status, times, bytes) and every /logs and
// /events stream (container, open and close times, who ended it, bytes,
// which cid/seq stamps it carried). Answers the questions the fake's
// control API answers (/truth, /streams) in the same JSON shapes, so the
// harness judges a real daemon the way it judges the fake. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harness/proxy/stamp_tap.h"

namespace leakbench::proxy {

// Unix nanoseconds (CLOCK_REALTIME): the same clock as the fake's now_ns.
using NowFn = std::function<std::int64_t()>;
std::int64_t RealtimeNanos();

// Why a stream ended, as the fake names it where the meaning is the same.
inline constexpr const char* kClientClosed = "client_closed";    // the follower hung up mid-body
inline constexpr const char* kDaemonEnded = "daemon_ended";      // the body ended (container stopped, no follow)
inline constexpr const char* kDaemonClosed = "daemon_closed";    // the daemon's connection ended mid-body
inline constexpr const char* kUndecodable = "proxy_lost_track";  // the proxy could not follow the HTTP framing

struct StreamRecord {
  std::uint64_t id = 0;
  std::uint64_t connection = 0;
  std::string endpoint;   // "logs" or "events"
  bool follow = false;
  std::string target;     // the request target as sent
  std::string container;  // the ref in the path (an id, a prefix or a name)
  std::int64_t opened_ns = 0;    // when the request head passed
  std::int64_t answered_ns = 0;  // when the daemon's response head passed
  std::int64_t closed_ns = 0;  // 0 while open
  std::string close_reason;
  int status = 0;
  std::uint64_t bytes = 0;     // body bytes (payload, without chunk framing)
  StampTap tap{StampTap::Encoding::kSniff};  // logs: the stamps it carried
};

class ProxyRecord {
 public:
  explicit ProxyRecord(NowFn now = RealtimeNanos, std::size_t keep_closed = 1'000'000);

  std::int64_t Now() const { return now_(); }

  // Connections (one per accepted follower connection).
  std::uint64_t ConnectionOpened();
  void ConnectionClosed(std::uint64_t connection);

  // Bytes forwarded (to the daemon, to the client), and an upstream
  // connection that could not be made (the client was hung up on).
  void Forwarded(std::uint64_t to_daemon, std::uint64_t to_client);
  void UpstreamFailed(const std::string& why);

  // A request head passed; returns its id.
  std::uint64_t RequestStarted(std::uint64_t connection, const std::string& method, const std::string& target);
  // Its response head passed.
  void RequestAnswered(std::uint64_t request, int status);
  // Its response ended (or the connection did); bytes of the response body.
  void RequestEnded(std::uint64_t request, std::uint64_t body_bytes);

  // A /logs or /events response with status 200 began: a stream.
  std::uint64_t StreamOpened(std::uint64_t connection, std::uint64_t request, const std::string& endpoint, bool follow,
                             const std::string& target, const std::string& container, int status,
                             const std::string& content_type);
  // Body bytes of the stream (without chunk framing), read on the side.
  void StreamData(std::uint64_t stream, std::string_view payload);
  void StreamClosed(std::uint64_t stream, const std::string& reason);

  // The fake's GET /truth shape (now_ns, follow_streams_open/peak,
  // streams_closed_total, streams_closed_dropped, daemon_restarts, ...).
  nlohmann::json Truth() const;
  // The fake's GET /streams?state=open|closed|all&limit=N shape, plus
  // seq_ranges ([[first, last], ...]) and cid. Newest last.
  nlohmann::json Streams(const std::string& state, std::size_t limit) const;
  // The last `limit` requests: method, target, status, times, bytes.
  nlohmann::json Requests(std::size_t limit) const;

 private:
  struct RequestRecord {
    std::uint64_t id = 0, connection = 0;
    std::string method, target;
    int status = 0;
    std::int64_t started_ns = 0, answered_ns = 0, ended_ns = 0;
    std::uint64_t bytes = 0;
  };
  static nlohmann::json StreamJson(const StreamRecord& s);
  static constexpr std::size_t kKeepRequests = 100000;

  NowFn now_;
  std::size_t keep_closed_;
  mutable std::mutex mu_;
  std::uint64_t next_connection_ = 1, next_request_ = 1, next_stream_ = 1;
  std::uint64_t connections_open_ = 0, connections_total_ = 0;
  std::map<std::uint64_t, StreamRecord> open_;
  std::deque<StreamRecord> closed_;
  std::uint64_t closed_total_ = 0, closed_dropped_ = 0, opened_total_ = 0;
  std::uint64_t follow_open_ = 0, follow_peak_ = 0, events_open_ = 0;
  std::map<std::uint64_t, RequestRecord> requests_open_;
  std::deque<RequestRecord> requests_done_;  // at most kKeepRequests
  std::map<std::string, std::uint64_t> requests_by_endpoint_;
  std::uint64_t requests_total_ = 0;
  std::uint64_t bytes_to_daemon_ = 0, bytes_to_client_ = 0;
  std::uint64_t upstream_failures_ = 0;
  std::string last_upstream_failure_;
};

}  // namespace leakbench::proxy
