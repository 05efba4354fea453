// One GET /containers/{id}/logs response in progress. It keeps a cursor into
// the container's history instead of a queue of bytes: it encodes the next
// lines only when the previous write has completed, so a slow client pauses
// the stream (as dockerd's blocked writer does) and memory stays bounded.
// It applies the faults drawn for it when it opened. Lives on the daemon's
// io_context thread; not thread-safe.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fakes/dockerd/api/daemon.h"
#include "fakes/dockerd/http/http_connection.h"
#include "fakes/dockerd/model/container.h"
#include "fakes/dockerd/model/log_encoder.h"

namespace fakedocker {

struct LogQuery {
  bool follow = false;
  bool stdout = false;
  bool stderr = false;
  bool timestamps = false;
  std::optional<UnixNanos> since;
  std::optional<UnixNanos> until;
  std::optional<uint64_t> tail;  // nullopt = all
};

class LogStream : public StreamSession,
                  public ContainerObserver,
                  public std::enable_shared_from_this<LogStream> {
 public:
  LogStream(Daemon& daemon, std::shared_ptr<Container> container, std::shared_ptr<HttpConnection> conn,
            LogQuery query, std::vector<FaultSpec> faults, bool keep_alive, uint64_t record_id);

  // Sends the response head (after any latency fault) and starts streaming.
  void Start();

  void OnLines() override { Pump(); }
  void OnStopped() override { Pump(); }
  void Abort(const std::string& reason) override;
  void SettleIfClientGone() override { conn_->SettleIfPeerClosed(); }

 private:
  void StopTimers() override { timer_.cancel(); }
  void Begin();
  void Pump();
  bool FillPending();
  bool ApplyByteFault();
  void Deliver();
  void End(const std::string& reason);
  void Finish(const std::string& reason, bool clean);
  const FaultSpec* fault(FaultKind k) const;
  void Retry(std::chrono::nanoseconds after);

  std::shared_ptr<Container> container_;
  LogQuery query_;
  std::vector<FaultSpec> faults_;
  EncodeOptions encode_;

  uint64_t cursor_ = 0;          // next history index to look at
  size_t first_message_ = 0;     // for tail: messages of cursor_'s entry to skip
  uint64_t end_snapshot_ = 0;    // non-follow: stop here
  bool reached_until_ = false;
  bool stalled_forever_ = false;
  bool stall_done_ = false;
  bool byte_fault_done_ = false;
  std::string pending_;          // encoded, not yet written
  // Where each line of pending_'s batch ends (offset in the batch) and its
  // seq: the truth counts a line once its last byte is written, so a batch
  // written in pieces (slow, slice) or cut short is counted exactly.
  std::deque<std::pair<size_t, uint64_t>> pending_line_ends_;
  size_t pending_written_ = 0;   // bytes of the batch written so far
  uint64_t bytes_sent_ = 0;
  bool writing_ = false;
  bool waiting_timer_ = false;
  bool ending_ = false;
  boost::asio::steady_timer timer_;
};

}  // namespace fakedocker
