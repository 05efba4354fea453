// Ground truth the harness and tests judge against: every client connection
// (with the client's pid from SO_PEERCRED), every /logs and /events stream
// with its open and close times and what it carried, concurrency peaks, and
// every request the fake refused. Not thread-safe: owned by the event loop.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/dockerd/model/timestamp.h"

namespace fakedocker {

struct StreamRecord {
  uint64_t id = 0;
  uint64_t connection_id = 0;
  int client_pid = 0;
  std::string endpoint;      // "logs" or "events"
  std::string container_id;  // logs only
  bool follow = false;       // events streams always follow
  std::string target;        // the request target, query included
  UnixNanos opened_at = 0;   // the request arrived
  UnixNanos answered_at = 0; // the response head went out; 0 until then
  UnixNanos closed_at = 0;   // 0 while open
  std::string close_reason;  // client_closed, container_stopped, complete, until, fault:<kind>, daemon_restart, shutdown
  uint64_t bytes_sent = 0;   // body bytes, HTTP chunking excluded
  uint64_t lines_sent = 0;   // whole log lines (all their messages) or events
  uint64_t first_seq = 0;    // first and last line seq delivered (logs)
  uint64_t last_seq = 0;
  // The seqs sent are [first_seq, last_seq] unless records in between were
  // not sent (since filters each record: a lagging stderr stamp): then the
  // ranges before the current one, which starts at range_first. Empty, and
  // costing nothing, while the stream is contiguous.
  std::vector<std::pair<uint64_t, uint64_t>> earlier_ranges;
  uint64_t range_first = 0;
  // One more line sent on this stream.
  void NoteLineSent(uint64_t seq);
  std::vector<std::string> faults;

  nlohmann::json ToJson() const;
};

struct ConnectionRecord {
  uint64_t id = 0;
  int pid = 0;
  int uid = -1;
  std::string socket;  // "api" or "control"
  UnixNanos opened_at = 0;
  UnixNanos closed_at = 0;
  uint64_t requests = 0;
};

struct RefusedRequest {
  UnixNanos time = 0;
  uint64_t connection_id = 0;
  int client_pid = 0;
  std::string method;
  std::string target;
  int status = 0;
  std::string reason;
};

struct ClientStats {
  uint64_t connections_open = 0;
  uint64_t connections_total = 0;
  uint64_t follow_open = 0;       // follow=1 /logs streams open now
  uint64_t follow_peak = 0;
  uint64_t streams_opened = 0;    // /logs streams of any kind
  uint64_t streams_closed = 0;
  uint64_t events_open = 0;
  uint64_t requests = 0;
};

class Truth {
 public:
  static constexpr size_t kClosedKept = 200'000;

  uint64_t OpenConnection(int pid, int uid, std::string socket);
  void CloseConnection(uint64_t id);
  void CountRequest(uint64_t connection_id, const std::string& endpoint);
  const ConnectionRecord* connection(uint64_t id) const;

  // Returns the new stream's id; the record stays valid until CloseStream.
  StreamRecord& OpenStream(uint64_t connection_id, std::string endpoint, std::string container_id,
                           bool follow, std::string target);
  StreamRecord* open_stream(uint64_t id);
  void CloseStream(uint64_t id, std::string reason);

  void Refuse(uint64_t connection_id, std::string method, std::string target, int status, std::string reason);
  void ResetPeaks();
  void CountRestart() { ++daemon_restarts_; }

  nlohmann::json Summary() const;
  // Streams filtered by state ("open", "closed", "all"), id > after, client pid (0 = any).
  nlohmann::json Streams(const std::string& state, uint64_t after, int pid, size_t limit) const;
  nlohmann::json Connections() const;
  nlohmann::json Refused() const;

  uint64_t follow_open() const { return follow_open_; }
  uint64_t follow_peak() const { return follow_peak_; }
  size_t refused_count() const { return refused_total_; }

 private:
  ClientStats& client(int pid) { return clients_[pid]; }
  int PidOf(uint64_t connection_id) const;

  uint64_t next_connection_ = 1;
  uint64_t next_stream_ = 1;
  std::map<uint64_t, ConnectionRecord> connections_open_;
  std::deque<ConnectionRecord> connections_closed_;
  std::map<uint64_t, StreamRecord> streams_open_;
  std::deque<StreamRecord> streams_closed_;
  uint64_t streams_closed_dropped_ = 0;
  std::map<int, ClientStats> clients_;
  std::map<std::string, uint64_t> requests_by_endpoint_;
  std::deque<RefusedRequest> refused_;
  uint64_t refused_total_ = 0;
  uint64_t follow_open_ = 0;
  uint64_t follow_peak_ = 0;
  uint64_t events_open_ = 0;
  uint64_t streams_opened_ = 0;
  uint64_t streams_closed_total_ = 0;
  uint64_t daemon_restarts_ = 0;
};

}  // namespace fakedocker
