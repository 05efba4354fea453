#include "fakes/dockerd/event_stream.h"

#include "fakes/dockerd/api_response.h"

namespace fakedocker {
namespace {
constexpr size_t kMaxQueued = 1 << 20;
}

EventStream::EventStream(Daemon& daemon, std::shared_ptr<HttpConnection> conn, EventQuery query,
                         std::vector<FaultSpec> faults, bool keep_alive, uint64_t record_id)
    : daemon_(daemon),
      conn_(std::move(conn)),
      query_(std::move(query)),
      faults_(std::move(faults)),
      keep_alive_(keep_alive),
      record_id_(record_id),
      until_timer_(daemon.io()) {
  for (const auto& f : faults_) {
    if (f.kind == FaultKind::kStall) stalled_ = true;
  }
}

bool EventStream::Wants(const Event& e) const {
  if (query_.since && e.time < *query_.since) return false;
  if (query_.until && e.time > *query_.until) return false;
  return e.Matches(query_.filters);
}

void EventStream::Start() {
  std::weak_ptr<EventStream> weak = weak_from_this();
  conn_->OnGone([weak] {
    if (auto self = weak.lock()) self->Abort("client_closed");
  });
  ResponseHead head;
  head.headers = DockerHeaders(daemon_.config());
  head.headers.emplace_back("Content-Type", "application/json");
  head.chunked = true;
  head.close = !keep_alive_;
  queued_ = FormatHead(head);
  // Replay: dockerd sends retained events only when `since` is given.
  if (query_.since) {
    for (const Event& e : daemon_.events().recent()) {
      if (Wants(e)) {
        queued_ += Chunk(e.ToJsonLine());
        ++queued_events_;
      }
    }
  }
  UnixNanos now = NowNanos();
  if (query_.until && *query_.until <= now) {
    finishing_ = true;
  } else {
    daemon_.events().AddObserver(weak_from_this());
    if (query_.until) {
      until_timer_.expires_after(std::chrono::nanoseconds(*query_.until - now));
      until_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->finished_) return;
        self->finishing_ = true;
        self->Flush();
      });
    }
  }
  Flush();
}

void EventStream::OnEvent(const Event& e) {
  if (finished_ || finishing_ || stalled_ || !Wants(e)) return;
  queued_ += Chunk(e.ToJsonLine());
  ++queued_events_;
  if (queued_.size() > kMaxQueued) return Abort("client_too_slow");
  Flush();
}

void EventStream::Flush() {
  if (finished_ || writing_) return;
  if (queued_.empty()) {
    if (finishing_) Finish("until");
    return;
  }
  writing_ = true;
  size_t bytes = queued_.size();
  size_t events = std::exchange(queued_events_, 0);
  conn_->Write(std::exchange(queued_, std::string()), [self = shared_from_this(), bytes, events](bool ok) {
    self->writing_ = false;
    if (!ok) return self->Abort("client_closed");
    if (auto* r = self->daemon_.truth().open_stream(self->record_id_)) {
      r->bytes_sent += bytes;
      r->lines_sent += events;
    }
    self->Flush();
  });
}

void EventStream::Finish(const std::string& reason) {
  if (finished_) return;
  finished_ = true;
  until_timer_.cancel();
  daemon_.truth().CloseStream(record_id_, reason);
  auto self = shared_from_this();
  daemon_.Unregister(record_id_);
  conn_->Write(std::string(kLastChunk), [conn = conn_, keep = keep_alive_](bool ok) {
    if (ok) conn->EndResponse(keep);
  });
}

void EventStream::Abort(const std::string& reason) {
  if (finished_) return;
  finished_ = true;
  until_timer_.cancel();
  daemon_.truth().CloseStream(record_id_, reason);
  auto self = shared_from_this();
  daemon_.Unregister(record_id_);
  conn_->Close();
}

}  // namespace fakedocker
