// One GET /events response in progress: replays the retained events at or
// after `since`, then follows new ones that match the filters, and ends at
// `until` (at once when `until` is already past). Events queue while a write
// is in flight; a client that lets more than 1 MiB pile up is disconnected.
// Lives on the daemon's io_context thread; not thread-safe.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/dockerd/api/daemon.h"
#include "fakes/dockerd/api/events.h"
#include "fakes/dockerd/http/http_connection.h"

namespace fakedocker {

struct EventQuery {
  std::optional<UnixNanos> since;
  std::optional<UnixNanos> until;
  Filters filters;
};

class EventStream : public StreamSession,
                    public EventObserver,
                    public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(Daemon& daemon, std::shared_ptr<HttpConnection> conn, EventQuery query,
              std::vector<FaultSpec> faults, bool keep_alive, uint64_t record_id);

  void Start();
  void OnEvent(const Event& e) override;
  void Abort(const std::string& reason) override;

 private:
  void StopTimers() override;
  void Flush();
  // True while a stall fault holds the body back (starts it when due).
  bool Stalled();
  void Finish(const std::string& reason);
  bool Wants(const Event& e) const;

  EventQuery query_;
  std::vector<FaultSpec> faults_;
  std::string head_;           // the response head, until written
  std::string queued_;         // chunks of event lines, not yet written
  size_t queued_events_ = 0;
  size_t queued_body_ = 0;     // de-chunked bytes in queued_ (what the truth counts)
  uint64_t body_sent_ = 0;
  bool writing_ = false;
  bool finishing_ = false;
  std::optional<FaultSpec> stall_;  // a stall fault drawn for this stream
  bool stalling_ = false;
  bool stall_done_ = false;
  boost::asio::steady_timer until_timer_;
  boost::asio::steady_timer stall_timer_;
};

}  // namespace fakedocker
