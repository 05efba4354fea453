#include "core/engine/stream_reader.h"

#include <algorithm>
#include <iterator>
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
  // stdin (never sent by dockerd) is assembled and queued as stdout, so the
  // assembler's pending line and the queue's placeholder always agree.
  const StreamType stream = m.stream == StreamType::kStderr ? StreamType::kStderr : StreamType::kStdout;
  Message message = m;
  message.stream = stream;
  ++frame_index_;
  if (assembler_.PendingFrames(stream) == 0) Placeholder(stream);
  assembler_.Add(message, [this](const Line& l) { OnLine(l); });
  if (assembler_.PendingFrames(stream) > 0) Placeholder(stream);
}

void StreamReader::Placeholder(StreamType stream) {
  Slot*& slot = unfilled_[Index(stream)];
  if (slot != nullptr) return;
  queue_.push_back(Slot{});
  queue_.back().line.stream = stream;
  queue_.back().first = frame_index_;
  slot = &queue_.back();
}

void StreamReader::OnLine(const Line& l) {
  const StreamType stream = l.stream == StreamType::kStderr ? StreamType::kStderr : StreamType::kStdout;
  Slot*& unfilled = unfilled_[Index(stream)];
  Slot* slot = unfilled;
  if (slot == nullptr) {
    queue_.push_back(Slot{});
    slot = &queue_.back();
    slot->first = frame_index_;
  }
  unfilled = nullptr;
  slot->filled = true;
  slot->last = frame_index_;
  slot->line = QueuedLine{stream, l.ts_ns, std::string(l.text), l.frames, l.complete, l.truncated};
  queued_bytes_ += slot->line.text.size();
}

void StreamReader::PopFront() {
  popped_reach_ = std::max(popped_reach_, queue_.front().last);
  queued_bytes_ -= queue_.front().line.text.size();
  queue_.pop_front();
}

bool StreamReader::HasReady() const {
  if (queue_.empty() || !queue_.front().filled) return false;
  // Every slot created before the front line's last frame (first < reach)
  // holds frames that precede it: they must be ready too.
  std::uint64_t reach = queue_.front().last;
  for (auto it = std::next(queue_.begin()); it != queue_.end() && it->first < reach; ++it) {
    if (!it->filled) return false;
    reach = std::max(reach, it->last);
  }
  return true;
}

std::size_t StreamReader::held_bytes() const {
  if (HasReady()) return 0;
  return queued_bytes_;
}

void StreamReader::EnforceHoldLimit() {
  while (queued_bytes_ > max_held_bytes_ && !HasReady()) {
    // The first unfinished line is the one holding the front back.
    auto it = std::find_if(queue_.begin(), queue_.end(), [](const Slot& s) { return !s.filled; });
    if (it == queue_.end()) return;
    for (Slot*& u : unfilled_) {
      if (u == &*it) u = nullptr;
    }
    queue_.erase(it);
    ++reorders_;
  }
}

}  // namespace logcap
