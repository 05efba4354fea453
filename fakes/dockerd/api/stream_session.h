// A /logs or /events response in progress, as the daemon sees it (it can end
// every one at shutdown or a daemon restart), and the end both kinds share:
// once only, the close reason recorded in the truth, the stream unregistered
// from the daemon, then the terminating chunk or a closed connection.
// Lives on the daemon's io_context thread; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fakes/dockerd/http/http_connection.h"

namespace fakedocker {

class Daemon;

class StreamSession {
 public:
  StreamSession(Daemon& daemon, std::shared_ptr<HttpConnection> conn, bool keep_alive, uint64_t record_id);
  virtual ~StreamSession() = default;
  StreamSession(const StreamSession&) = delete;
  StreamSession& operator=(const StreamSession&) = delete;

  virtual void Abort(const std::string& reason) = 0;
  // Ends the session now if its client has already hung up (see
  // HttpConnection::SettleIfPeerClosed).
  virtual void SettleIfClientGone() {}

 protected:
  // What the connection gets once the stream has ended.
  enum class Ending {
    kEndChunk,           // the terminating chunk, then the next request (or close)
    kEndChunkThenClose,  // the terminating chunk, then close
    kCloseNow,           // close at once
    kLeaveOpen,          // the caller finishes the response itself
  };
  // Ends the stream with `reason` unless it has already ended: stops its
  // timers (StopTimers), closes its truth record, unregisters it.
  void EndSession(const std::string& reason, Ending ending);
  bool finished() const { return finished_; }
  // The response head goes out now: the truth record's answer time, the
  // instant a follower may start counting the stream as open.
  void RecordAnswered();
  // Cancels the stream's own timers, so none fires after its end.
  virtual void StopTimers() = 0;

  Daemon& daemon_;
  std::shared_ptr<HttpConnection> conn_;
  bool keep_alive_;
  uint64_t record_id_;

 private:
  bool finished_ = false;
};

}  // namespace fakedocker
