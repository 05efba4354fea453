// Turns the body of one open logs stream into lines ready for the sink, in
// an order that keeps the container's position exact: FrameDecoder ->
// ResumeFilter (drops what an earlier stream already delivered) ->
// LineAssembler -> an ordered queue.
//
// Why a queue: a position says "every frame up to here was delivered". If a
// stdout line is still unfinished (its first 16 KiB piece arrived, the rest
// has not) and a stderr line completes after it, delivering the stderr line
// first would move the position past the unfinished stdout line, and a
// reopen with since=<that position> would never return it: lost. So lines
// leave the queue in the order their FIRST frame arrived; a complete line
// behind an unfinished one waits (held_bytes()). A complete line whose
// pieces interleave with an unfinished line of the other stream (that one
// started after it, but before its last piece) waits too, and both leave
// together: delivering it alone would count its frames in the position
// while an earlier frame (the other line's first piece) is undelivered, and
// the replay would drop that piece instead of this line's last one. So
// HasReady() is true only when every frame before the front line's last
// one is in a line that is ready as well; pop all ready lines before the
// position is used. When more than max_held_bytes wait, the unfinished line
// that holds them gives up its place (counted in reorders()), trading
// exactness in that pathological case for bounded memory. When the engine
// closes the stream itself (rotation), queued lines are simply dropped with
// the reader: they were never counted in the position, and the reopen
// replays them.
//
// Memory: the queue is a ring of slots reused from one read to the next
// (each keeps its text's capacity), so a line costs no allocation once the
// stream is warm; slots and texts above a small size are let go when the
// queue empties.
//
// One reader per opened stream, used on the loop thread; not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/decode/frame_decoder.h"
#include "core/decode/line_assembler.h"
#include "core/position/resume_filter.h"

namespace logcap {

struct StreamReaderOptions {
  FrameMode mode = FrameMode::kMultiplexed;
  std::size_t max_line_bytes = 1 << 20;
  OverlongPolicy overlong = OverlongPolicy::kSplit;
  std::size_t max_held_bytes = 4 << 20;
};

struct QueuedLine {
  StreamType stream = StreamType::kStdout;
  std::int64_t ts_ns = kNoTimestamp;
  std::string text;
  std::uint32_t frames = 0;
  bool complete = true;
  bool truncated = false;
  // The daemon's own spelling of ts_ns when it is the canonical
  // RFC3339Nano one (Line::ts_text): a sink copies it instead of
  // formatting ts_ns again.
  std::array<char, kCanonicalTimestampBytes> ts_bytes{};
  bool has_ts_text = false;
  std::string_view ts_text() const {
    return has_ts_text ? std::string_view(ts_bytes.data(), ts_bytes.size()) : std::string_view();
  }
};

class StreamReader {
 public:
  StreamReader(StreamReaderOptions options, Position resume_from);

  // Decodes more of the body. On a protocol error the reader stays failed.
  DecodeStatus Feed(std::string_view data);
  // The daemon ended the body: unfinished lines are queued as they are.
  DecodeStatus Finish();

  bool HasReady() const;
  // How many lines from the front may be popped one after the other now
  // (HasReady() holds before each of them); Peek(i) is the i-th of them.
  std::size_t ReadyCount() const;
  const QueuedLine& Front() const { return slots_[head_].line; }
  const QueuedLine& Peek(std::size_t i) const { return slots_[head_ + i].line; }
  void PopFront();
  // True when the lines popped so far cover a prefix of the stream's frames
  // (no frame before the last popped line's last frame is still queued).
  // Only then may their frames be counted in the position: mid-group (lines
  // whose pieces interleave) the position would not describe a prefix.
  bool AtBoundary() const { return head_ == tail_ || slots_[head_].first > popped_reach_; }

  // In-band daemon errors (stream type 3) seen since the last call.
  std::vector<std::string> TakeSystemErrors() { return std::exchange(system_errors_, {}); }

  // Bytes held in queued lines (ready or waiting behind an unfinished one).
  std::size_t queued_bytes() const { return queued_bytes_; }
  std::size_t held_bytes() const;
  std::uint64_t reorders() const { return reorders_; }
  std::uint64_t untimed_frames() const { return untimed_frames_; }
  const ResumeFilter& filter() const { return filter_; }
  const LineAssembler& assembler() const { return assembler_; }

 private:
  struct Slot {
    QueuedLine line;
    bool filled = false;
    std::uint64_t first = 0;  // index of the frame that created the slot
    std::uint64_t last = 0;   // index of the frame being taken when filled
  };

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  void OnMessage(const Message& message);
  void OnLine(const Line& line);
  void Placeholder(StreamType stream);
  void EnforceHoldLimit();
  // Appends an empty slot at the back (reusing a spare one) and returns its
  // index.
  std::size_t PushSlot(StreamType stream);
  // Removes the unfilled slot at `index` from the middle of the queue.
  void EraseSlot(std::size_t index);
  static std::size_t Index(StreamType s) { return s == StreamType::kStderr ? 1 : 0; }

  FrameDecoder decoder_;
  ResumeFilter filter_;
  LineAssembler assembler_;
  std::size_t max_held_bytes_;
  // The queue is slots_[head_, tail_); the slots outside it are spares whose
  // text keeps its capacity. Indexes, not pointers: the ring is compacted
  // (and an unfinished line that gives up its place erased) by moving slots.
  std::vector<Slot> slots_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
  std::array<std::size_t, 2> unfilled_{kNone, kNone};  // stdout, stderr
  std::uint64_t frame_index_ = 0;  // frames taken by the assembler so far
  std::uint64_t popped_reach_ = 0;  // the highest `last` of a popped line
  std::size_t queued_bytes_ = 0;
  std::uint64_t reorders_ = 0;
  std::uint64_t untimed_frames_ = 0;
  std::vector<std::string> system_errors_;
};

}  // namespace logcap
