#include "core/engine/stream_reader.h"

#include <algorithm>
#include <cstddef>
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
  for (std::size_t& u : unfilled_) {
    if (u != kNone) {
      const std::size_t index = u;
      EraseSlot(index);
    }
  }
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

std::size_t StreamReader::PushSlot(StreamType stream) {
  if (tail_ == slots_.size()) {
    if (head_ > 0 && head_ >= tail_ - head_) {
      // At least half the ring is popped slots: move the queue to the front
      // (swaps, so every text keeps its buffer). O(1) amortised per slot.
      std::rotate(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_),
                  slots_.begin() + static_cast<std::ptrdiff_t>(tail_));
      for (std::size_t& u : unfilled_) {
        if (u != kNone) u -= head_;
      }
      tail_ -= head_;
      head_ = 0;
    } else {
      slots_.emplace_back();
    }
  }
  Slot& slot = slots_[tail_];
  slot.line.stream = stream;
  slot.line.ts_ns = kNoTimestamp;
  slot.line.text.clear();
  slot.line.frames = 0;
  slot.line.complete = true;
  slot.line.truncated = false;
  slot.line.has_ts_text = false;
  slot.filled = false;
  slot.first = frame_index_;
  slot.last = 0;
  return tail_++;
}

void StreamReader::EraseSlot(std::size_t index) {
  // Only unfilled slots are erased: an unfinished line that gives up its
  // place, or a placeholder nothing can fill.
  std::rotate(slots_.begin() + static_cast<std::ptrdiff_t>(index),
              slots_.begin() + static_cast<std::ptrdiff_t>(index) + 1,
              slots_.begin() + static_cast<std::ptrdiff_t>(tail_));
  --tail_;
  for (std::size_t& u : unfilled_) {
    if (u == index) {
      u = kNone;
    } else if (u != kNone && u > index) {
      --u;
    }
  }
}

void StreamReader::Placeholder(StreamType stream) {
  std::size_t& slot = unfilled_[Index(stream)];
  if (slot != kNone) return;
  slot = PushSlot(stream);
}

void StreamReader::OnLine(const Line& l) {
  const StreamType stream = l.stream == StreamType::kStderr ? StreamType::kStderr : StreamType::kStdout;
  std::size_t& unfilled = unfilled_[Index(stream)];
  const std::size_t index = unfilled != kNone ? unfilled : PushSlot(stream);
  unfilled = kNone;
  Slot& slot = slots_[index];
  slot.filled = true;
  slot.last = frame_index_;
  QueuedLine& line = slot.line;
  line.stream = stream;
  line.ts_ns = l.ts_ns;
  line.text.assign(l.text);  // into the slot's buffer: no allocation once warm
  line.frames = l.frames;
  line.complete = l.complete;
  line.truncated = l.truncated;
  line.has_ts_text = l.ts_text.size() == line.ts_bytes.size();
  if (line.has_ts_text) l.ts_text.copy(line.ts_bytes.data(), line.ts_bytes.size());
  queued_bytes_ += line.text.size();
}

void StreamReader::PopFront() {
  Slot& slot = slots_[head_];
  popped_reach_ = std::max(popped_reach_, slot.last);
  queued_bytes_ -= slot.line.text.size();
  // A long line's buffer is not kept for the next one.
  constexpr std::size_t kKeptTextBytes = 64 * 1024;
  if (slot.line.text.capacity() > kKeptTextBytes) std::string().swap(slot.line.text);
  ++head_;
  if (head_ == tail_) {
    head_ = tail_ = 0;
    // Keep what a busy stream reuses from one read to the next; let a
    // burst's extra slots go.
    constexpr std::size_t kKeptSlots = 256;
    if (slots_.size() > kKeptSlots) slots_.resize(kKeptSlots);
  }
}

bool StreamReader::HasReady() const {
  if (head_ == tail_ || !slots_[head_].filled) return false;
  // Every slot created before the front line's last frame (first < reach)
  // holds frames that precede it: they must be ready too.
  std::uint64_t reach = slots_[head_].last;
  for (std::size_t i = head_ + 1; i < tail_ && slots_[i].first < reach; ++i) {
    if (!slots_[i].filled) return false;
    reach = std::max(reach, slots_[i].last);
  }
  return true;
}

std::size_t StreamReader::ReadyCount() const {
  // Slots are in frame order (`first` never decreases), so when the front is
  // ready, so is every line of its group (the slots up to its reach), and
  // the first line after the group starts the same test again.
  std::size_t i = head_;
  while (i < tail_ && slots_[i].filled) {
    std::uint64_t reach = slots_[i].last;
    std::size_t j = i + 1;
    for (; j < tail_ && slots_[j].first < reach; ++j) {
      if (!slots_[j].filled) return i - head_;
      reach = std::max(reach, slots_[j].last);
    }
    i = j;
  }
  return i - head_;
}

std::size_t StreamReader::held_bytes() const {
  if (HasReady()) return 0;
  return queued_bytes_;
}

void StreamReader::EnforceHoldLimit() {
  while (queued_bytes_ > max_held_bytes_ && !HasReady()) {
    // The first unfinished line is the one holding the front back.
    std::size_t i = head_;
    while (i < tail_ && slots_[i].filled) ++i;
    if (i == tail_) return;
    EraseSlot(i);
    ++reorders_;
  }
}

}  // namespace logcap
