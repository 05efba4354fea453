#include "fakes/dockerd/api/log_stream.h"

#include <algorithm>

#include "fakes/dockerd/api/api_response.h"

namespace fakedocker {
namespace {

constexpr size_t kBatchBytes = 64 * 1024;
constexpr auto kSlowTick = std::chrono::milliseconds(50);

}  // namespace

LogStream::LogStream(Daemon& daemon, std::shared_ptr<Container> container, std::shared_ptr<HttpConnection> conn,
                     LogQuery query, std::vector<FaultSpec> faults, bool keep_alive, uint64_t record_id)
    : StreamSession(daemon, std::move(conn), keep_alive, record_id),
      container_(std::move(container)),
      query_(query),
      faults_(std::move(faults)),
      timer_(daemon.io()) {
  encode_.tty = container_->tty();
  encode_.timestamps = query_.timestamps;
}

const FaultSpec* LogStream::fault(FaultKind k) const {
  for (const auto& f : faults_) {
    if (f.kind == k) return &f;
  }
  return nullptr;
}

void LogStream::Start() {
  std::weak_ptr<LogStream> weak = weak_from_this();
  conn_->OnGone([weak] {
    if (auto self = weak.lock()) self->Abort("client_closed");
  });
  if (const FaultSpec* f = fault(FaultKind::kLatency)) {
    waiting_timer_ = true;
    timer_.expires_after(std::chrono::nanoseconds(f->delay_ns));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->finished()) return;
      self->waiting_timer_ = false;
      self->Begin();
    });
    return;
  }
  Begin();
}

void LogStream::Begin() {
  const LogHistory& h = container_->history();
  uint64_t start = h.begin();
  if (query_.tail) {
    // tail counts messages (16 KiB pieces) of every stream, as json-file's
    // tail reader counts lines of the file; stream filters apply afterwards.
    uint64_t need = *query_.tail;
    uint64_t idx = h.end();
    first_message_ = 0;
    while (idx > h.begin() && need > 0) {
      --idx;
      uint64_t m = MessageCount(h.at(idx), encode_.tty);
      if (m >= need) {
        first_message_ = static_cast<size_t>(m - need);
        need = 0;
      } else {
        need -= m;
      }
    }
    start = *query_.tail == 0 ? h.end() : idx;
  }
  if (query_.since) {
    // Only skips what is surely before `since`: stamps need not follow the
    // stored order, so FillPending still checks every record's own stamp.
    uint64_t lb = h.LowerBound(*query_.since);
    if (lb > start) {
      start = lb;
      first_message_ = 0;
    }
  }
  cursor_ = start;
  end_snapshot_ = h.end();

  ResponseHead head;
  head.status = 200;
  head.headers = DockerHeaders(daemon_.config());
  head.chunked = true;
  head.close = !keep_alive_;
  if (query_.follow) container_->AddObserver(weak_from_this());
  // dockerd 20.10 has no timer for follow=1&until=: the stream ends when a
  // line past `until` arrives or the container stops (measured).
  writing_ = true;
  RecordAnswered();
  conn_->Write(FormatHead(head), [self = shared_from_this()](bool ok) {
    self->writing_ = false;
    if (!ok) return self->Abort("client_closed");
    self->Pump();
  });
}

void LogStream::Retry(std::chrono::nanoseconds after) {
  waiting_timer_ = true;
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->finished()) return;
    self->waiting_timer_ = false;
    self->Pump();
  });
}

void LogStream::Pump() {
  if (finished() || writing_ || waiting_timer_ || ending_ || stalled_forever_) return;
  if (const FaultSpec* f = fault(FaultKind::kStall); f && !stall_done_ && bytes_sent_ >= f->after_bytes) {
    if (f->duration_ns < 0) {
      stalled_forever_ = true;  // open, silent, until the client or a restart ends it
      return;
    }
    stall_done_ = true;
    Retry(std::chrono::nanoseconds(f->duration_ns));
    return;
  }
  if (pending_.empty() && !byte_fault_done_ && ApplyByteFault()) return;
  if (pending_.empty()) FillPending();
  if (!pending_.empty()) {
    Deliver();
    return;
  }
  const LogHistory& h = container_->history();
  if (reached_until_) return End("until");
  if (!query_.follow && cursor_ >= end_snapshot_) return End("complete");
  if (query_.follow && !container_->running() && cursor_ >= h.end()) {
    if (fault(FaultKind::kZombie)) return;  // the leak's shape: never ends
    return End("container_stopped");
  }
  // Otherwise wait for new lines or the container's end. Idle now: give back
  // the buffer of a catch-up batch (a string keeps its largest capacity, up to
  // 128 KiB), so 10,000 idle followers cost 92 MiB rather than 820 MiB.
  if (pending_.capacity() > 4096) std::string().swap(pending_);
}

bool LogStream::FillPending() {
  const LogHistory& h = container_->history();
  if (cursor_ < h.begin()) {  // evicted before this slow reader got them
    cursor_ = h.begin();
    first_message_ = 0;
  }
  uint64_t limit = query_.follow ? h.end() : std::min(end_snapshot_, h.end());
  pending_.clear();
  pending_line_ends_.clear();
  pending_written_ = 0;
  while (cursor_ < limit && pending_.size() < kBatchBytes) {
    const LogEntry& e = h.at(cursor_);
    if (query_.until && e.ts > *query_.until) {
      if (query_.follow && cursor_ < end_snapshot_) {
        // dockerd 20.10 stops reading the stored log at the first line past
        // `until`, then follows from where the file ended at the request:
        // the stream stays open until a NEW line past `until` arrives or the
        // container dies (measured: follow=1&until=<L2> on a silent running
        // container gives L1, L2 and stays open).
        cursor_ = end_snapshot_;
        first_message_ = 0;
        continue;
      }
      reached_until_ = true;
      break;
    }
    ++cursor_;
    size_t first = std::exchange(first_message_, 0);
    // 20.10 filters every record by its own stamp, even one stored after
    // records past `since` (an inversion: docs/docker-semantics.md).
    if (query_.since && e.ts < *query_.since) continue;
    if (e.stream == StreamId::kStdout ? !query_.stdout : !query_.stderr) continue;
    EncodeEntry(container_->cid12(), e, encode_, first, &pending_);
    pending_line_ends_.emplace_back(pending_.size(), e.seq);
  }
  return !pending_.empty();
}

bool LogStream::ApplyByteFault() {
  const FaultSpec* f = nullptr;
  for (FaultKind k : {FaultKind::kErrorFrame, FaultKind::kMalformed, FaultKind::kTruncate, FaultKind::kReset}) {
    if ((f = fault(k)) != nullptr) break;
  }
  if (f == nullptr || bytes_sent_ < f->after_bytes) return false;
  std::string body;
  bool reset = false;
  switch (f->kind) {
    case FaultKind::kErrorFrame:
      AppendFrame(3, "Error grabbing logs: fake-dockerd injected fault (error_frame)\n", &body);
      break;
    case FaultKind::kMalformed:
      if (f->variant == "length") {
        AppendFrameHeader(1, 0xFFFFFFF0u, &body);  // absurd length, then a few bytes
        body += "absurd";
      } else {
        AppendFrameHeader(7, 6, &body);  // no such stream type
        body += "bogus\n";
      }
      break;
    case FaultKind::kTruncate:
    case FaultKind::kReset: {
      // Cut the next line that this stream would send in the middle.
      if (!FillPending()) return false;  // wait for a line to cut
      size_t first_frame = encode_.tty ? pending_.size() : 8 + ((static_cast<uint32_t>(static_cast<uint8_t>(pending_[4])) << 24) |
                                                            (static_cast<uint32_t>(static_cast<uint8_t>(pending_[5])) << 16) |
                                                            (static_cast<uint32_t>(static_cast<uint8_t>(pending_[6])) << 8) |
                                                            static_cast<uint32_t>(static_cast<uint8_t>(pending_[7])));
      first_frame = std::min(first_frame, pending_.size());
      size_t cut = encode_.tty ? std::max<size_t>(1, first_frame / 2) : std::max<size_t>(9, first_frame / 2);
      cut = std::min(cut, first_frame - 1);
      body = pending_.substr(0, cut);
      pending_.clear();
      pending_line_ends_.clear();
      reset = f->kind == FaultKind::kReset;
      break;
    }
    default:
      return false;
  }
  byte_fault_done_ = true;
  writing_ = true;
  std::string reason = std::string("fault:") + FaultKindName(f->kind);
  bytes_sent_ += body.size();
  if (auto* r = daemon_.truth().open_stream(record_id_)) r->bytes_sent += body.size();
  std::string wire = Chunk(body);
  if (!reset) wire += kLastChunk;
  conn_->Write(std::move(wire), [self = shared_from_this(), reason, reset](bool ok) {
    self->writing_ = false;
    if (!ok) return self->Abort("client_closed");
    self->Finish(reason, /*clean=*/false);
    if (reset) {
      self->conn_->Reset();
    } else {
      self->conn_->EndResponse(self->keep_alive_);
    }
  });
  return true;
}

void LogStream::Deliver() {
  size_t n = pending_.size();
  std::chrono::nanoseconds gap{0};
  if (const FaultSpec* f = fault(FaultKind::kSlice)) {
    n = std::min<size_t>(n, f->chunk_bytes);
    gap = std::chrono::nanoseconds(f->delay_ns);
  }
  if (const FaultSpec* f = fault(FaultKind::kSlow)) {
    size_t per_tick = std::max<size_t>(1, f->bytes_per_s * kSlowTick.count() / 1000);
    n = std::min(n, per_tick);
    gap = std::max<std::chrono::nanoseconds>(gap, std::chrono::nanoseconds(
                                                      static_cast<int64_t>(n) * 1'000'000'000 / static_cast<int64_t>(f->bytes_per_s)));
  }
  std::string wire = Chunk(std::string_view(pending_).substr(0, n));
  pending_.erase(0, n);
  writing_ = true;
  conn_->Write(std::move(wire), [self = shared_from_this(), n, gap](bool ok) {
    self->writing_ = false;
    if (!ok) return self->Abort("client_closed");
    self->bytes_sent_ += n;
    self->pending_written_ += n;
    auto& ends = self->pending_line_ends_;
    auto* r = self->daemon_.truth().open_stream(self->record_id_);
    if (r) r->bytes_sent += n;
    for (; !ends.empty() && ends.front().first <= self->pending_written_; ends.pop_front()) {
      if (r) r->NoteLineSent(ends.front().second);
    }
    if (gap.count() > 0) {
      self->Retry(gap);
    } else {
      self->Pump();
    }
  });
}

void LogStream::End(const std::string& reason) {
  if (ending_ || finished()) return;
  ending_ = true;
  if (const FaultSpec* f = fault(FaultKind::kSlowClose)) {
    timer_.expires_after(std::chrono::nanoseconds(f->delay_ns));
    timer_.async_wait([self = shared_from_this(), reason](boost::system::error_code ec) {
      if (ec || self->finished()) return;
      self->Finish(reason, true);
    });
    return;
  }
  Finish(reason, true);
}

void LogStream::Finish(const std::string& reason, bool clean) {
  EndSession(reason, clean ? Ending::kEndChunk : Ending::kLeaveOpen);
}

void LogStream::Abort(const std::string& reason) {
  // dockerd stops its containers when it shuts down, so follow streams end
  // with the terminating chunk before the connection closes (measured).
  EndSession(reason, reason == "shutdown" && !writing_ ? Ending::kEndChunkThenClose : Ending::kCloseNow);
}

}  // namespace fakedocker
