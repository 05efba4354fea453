#include "fakes/dockerd/api/event_stream.h"

#include "fakes/dockerd/api/api_response.h"

namespace fakedocker {
namespace {
constexpr size_t kMaxQueued = 1 << 20;
}

EventStream::EventStream(Daemon& daemon, std::shared_ptr<HttpConnection> conn, EventQuery query,
                         std::vector<FaultSpec> faults, bool keep_alive, uint64_t record_id)
    : StreamSession(daemon, std::move(conn), keep_alive, record_id),
      query_(std::move(query)),
      faults_(std::move(faults)),
      until_timer_(daemon.io()),
      stall_timer_(daemon.io()) {
  for (const auto& f : faults_) {
    if (f.kind == FaultKind::kStall) stall_ = f;
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
  head_ = FormatHead(head);
  // Replay: dockerd sends retained events when `since` or `until` is given.
  if (query_.since || query_.until) {
    for (const Event& e : daemon_.events().recent()) {
      if (Wants(e)) {
        std::string line = e.ToJsonLine();
        queued_ += Chunk(line);
        queued_body_ += line.size();
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
        if (ec || self->finished()) return;
        self->finishing_ = true;
        self->Flush();
      });
    }
  }
  Flush();
}

void EventStream::OnEvent(const Event& e) {
  if (finished() || finishing_ || !Wants(e)) return;
  // A stream stalled for good never sends what it would queue; keeping it
  // would only get the stream cut off as too slow.
  if (stalling_ && stall_->duration_ns < 0) return;
  std::string line = e.ToJsonLine();
  queued_ += Chunk(line);
  queued_body_ += line.size();
  ++queued_events_;
  if (queued_.size() > kMaxQueued) return Abort("client_too_slow");
  Flush();
}

void EventStream::Flush() {
  if (finished() || writing_) return;
  if (!head_.empty()) {  // alone, so that a stall holds back only the body
    RecordAnswered();
    writing_ = true;
    conn_->Write(std::exchange(head_, std::string()), [self = shared_from_this()](bool ok) {
      self->writing_ = false;
      if (!ok) return self->Abort("client_closed");
      self->Flush();
    });
    return;
  }
  if (Stalled()) return;
  if (queued_.empty()) {
    if (finishing_) Finish("until");
    return;
  }
  writing_ = true;
  size_t body = std::exchange(queued_body_, 0);  // the truth counts body bytes, not chunk framing
  size_t events = std::exchange(queued_events_, 0);
  conn_->Write(std::exchange(queued_, std::string()), [self = shared_from_this(), body, events](bool ok) {
    self->writing_ = false;
    if (!ok) return self->Abort("client_closed");
    self->body_sent_ += body;
    if (auto* r = self->daemon_.truth().open_stream(self->record_id_)) {
      r->bytes_sent += body;
      r->lines_sent += events;
    }
    self->Flush();
  });
}

bool EventStream::Stalled() {
  if (!stall_ || stall_done_) return false;
  if (stalling_) return true;
  if (body_sent_ < stall_->after_bytes) return false;
  stalling_ = true;
  if (stall_->duration_ns >= 0) {
    stall_timer_.expires_after(std::chrono::nanoseconds(stall_->duration_ns));
    stall_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->finished()) return;
      self->stalling_ = false;
      self->stall_done_ = true;
      self->Flush();
    });
  }
  return true;
}

void EventStream::StopTimers() {
  until_timer_.cancel();
  stall_timer_.cancel();
}

void EventStream::Finish(const std::string& reason) { EndSession(reason, Ending::kEndChunk); }

void EventStream::Abort(const std::string& reason) { EndSession(reason, Ending::kCloseNow); }

}  // namespace fakedocker
