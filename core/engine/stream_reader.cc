#include "core/engine/stream_reader.h"

#include <utility>

namespace logcap {

StreamReader::StreamReader(StreamReaderOptions options, Position resume_from)
    : decoder_(FrameDecoderOptions{.mode = options.mode,
                                   .timestamps = true,
                                   .max_frame_bytes = std::max<std::size_t>(options.max_line_bytes, 1 << 20),
                                   .raw_piece_bytes = 16 * 1024}),
      filter_(std::move(resume_from)),
      assembler_(LineAssemblerOptions{options.max_line_bytes, options.overlong}),
      max_held_bytes_(options.max_held_bytes) {}

DecodeStatus StreamReader::Feed(std::string_view data) {
  DecodeStatus status = decoder_.Feed(data, [this](const Message& m) { OnMessage(m); });
  EnforceHoldLimit();
  return status;
}

DecodeStatus StreamReader::Finish() {
  DecodeStatus status = decoder_.Finish([this](const Message& m) { OnMessage(m); });
  assembler_.Flush([this](const Line& l) { OnLine(l); });
  // Nothing can fill a placeholder any more.
  for (auto it = queue_.begin(); it != queue_.end();) {
    it = it->filled ? std::next(it) : queue_.erase(it);
  }
  unfilled_ = {nullptr, nullptr};
  return status;
}

void StreamReader::OnMessage(const Message& m) {
  if (m.stream == StreamType::kSystemError) {
    system_errors_.emplace_back(m.bytes);
    return;
  }
  if (m.ts_ns == kNoTimestamp) {
    ++untimed_frames_;
  } else if (filter_.Accept(m.ts_ns) != ResumeFilter::Verdict::kPass) {
    return;
  }
  const StreamType stream = m.stream == StreamType::kStderr ? StreamType::kStderr : StreamType::kStdout;
  if (assembler_.PendingFrames(stream) == 0) Placeholder(stream);
  assembler_.Add(m, [this](const Line& l) { OnLine(l); });
  if (assembler_.PendingFrames(stream) > 0) Placeholder(stream);
}

void StreamReader::Placeholder(StreamType stream) {
  Slot*& slot = unfilled_[Index(stream)];
  if (slot != nullptr) return;
  queue_.push_back(Slot{});
  queue_.back().line.stream = stream;
  slot = &queue_.back();
}

void StreamReader::OnLine(const Line& l) {
  const StreamType stream = l.stream == StreamType::kStderr ? StreamType::kStderr : StreamType::kStdout;
  Slot*& unfilled = unfilled_[Index(stream)];
  Slot* slot = unfilled;
  if (slot == nullptr) {
    queue_.push_back(Slot{});
    slot = &queue_.back();
  }
  unfilled = nullptr;
  slot->filled = true;
  slot->line = QueuedLine{stream, l.ts_ns, std::string(l.text), l.frames, l.complete, l.truncated};
  queued_bytes_ += slot->line.text.size();
}

void StreamReader::PopFront() {
  queued_bytes_ -= queue_.front().line.text.size();
  queue_.pop_front();
}

std::size_t StreamReader::held_bytes() const {
  if (HasReady()) return 0;
  return queued_bytes_;
}

void StreamReader::EnforceHoldLimit() {
  while (!queue_.empty() && !queue_.front().filled && queued_bytes_ > max_held_bytes_) {
    Slot* front = &queue_.front();
    for (Slot*& u : unfilled_) {
      if (u == front) u = nullptr;
    }
    queue_.pop_front();
    ++reorders_;
  }
}

}  // namespace logcap
