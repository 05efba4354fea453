#include "fakes/dockerd/api/stream_session.h"

#include "fakes/dockerd/api/daemon.h"

namespace fakedocker {

StreamSession::StreamSession(Daemon& daemon, std::shared_ptr<HttpConnection> conn, bool keep_alive,
                             uint64_t record_id)
    : daemon_(daemon), conn_(std::move(conn)), keep_alive_(keep_alive), record_id_(record_id) {}

void StreamSession::RecordAnswered() {
  if (auto* r = daemon_.truth().open_stream(record_id_); r && r->answered_at == 0) r->answered_at = NowNanos();
}

void StreamSession::EndSession(const std::string& reason, Ending ending) {
  if (finished_) return;
  finished_ = true;
  StopTimers();
  daemon_.truth().CloseStream(record_id_, reason);
  // The daemon's reference may be the last owner: keep this alive until done.
  std::shared_ptr<StreamSession> self = daemon_.Unregister(record_id_);
  switch (ending) {
    case Ending::kEndChunk:
      conn_->Write(std::string(kLastChunk), [conn = conn_, keep = keep_alive_](bool ok) {
        if (ok) conn->EndResponse(keep);
      });
      break;
    case Ending::kEndChunkThenClose:
      conn_->Write(std::string(kLastChunk), [conn = conn_](bool) { conn->Close(); });
      break;
    case Ending::kCloseNow:
      conn_->Close();
      break;
    case Ending::kLeaveOpen:
      break;
  }
}

}  // namespace fakedocker
