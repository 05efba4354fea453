// Merges the records dockerd splits a long line into (16 KiB pieces that
// share one timestamp; only the last ends in '\n') back into one line per
// stream, bounded by max_line_bytes, and says for each delivered line how
// many records ("frames") it consumed, which is what the engine's position
// (last timestamp, frames already delivered at that timestamp) counts.
//
// Position semantics (the contract with core/position):
//  * Line::frames counts the messages whose LAST byte is in that line (or
//    line part). All of them carry Line::ts_ns. The engine adds them to its
//    position when it has delivered the line, never earlier.
//  * Pieces of an unfinished line are pending: they are counted in no
//    delivered line, so the position always points at the START of the
//    unfinished line. When the engine closes a stream itself (rotation,
//    reconnect, protocol error) it calls Discard(): a resume with
//    since=<position ts> replays the unfinished line's pieces whole (the
//    daemon replays whole records), they are dropped from nothing and
//    assembled again: not lost, not duplicated. PendingFrames() and
//    PendingTimestamp() expose them, e.g. so a position is never moved past
//    an unfinished line of another stream.
//  * When the daemon itself ends the body (terminal chunk: the container is
//    gone), its last record may lack '\n' for good ("printf abc"): Flush()
//    delivers pending pieces as lines with complete=false, counted.
//  * A piece with a new timestamp for a stream that has pending pieces means
//    the old line will never be finished: it is delivered (complete=false)
//    before the new piece is taken.
//  * kSplit: a line longer than max_line_bytes is delivered in parts of
//    max_line_bytes (part_index 0, 1, ...; complete=false on all but the
//    last). A piece that straddles a part boundary is counted in the later
//    part, so a resume in the middle of such a line re-delivers at most that
//    one piece's bytes (lines > max_line_bytes only). kTruncate: the first
//    max_line_bytes bytes are delivered once, when the line ends, with all
//    its frames and truncated=true; the rest is counted and dropped.
//  * Message::drop_trailing_cr (raw mode) removes the '\r' that ended the
//    previous piece, so a TTY line cut between '\r' and '\n' loses its
//    line ending, not content.
//  * Type-3 (system error) messages pass through as lines of stream
//    kSystemError with frames=0: they are not records a replay returns.
// Memory: at most max_line_bytes buffered per stream (3 streams).
// Line::text is valid only during the callback. Not thread-safe: one
// assembler per stream decoder.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/decode/frame_decoder.h"

namespace logcap {

enum class OverlongPolicy { kSplit, kTruncate };

struct LineAssemblerOptions {
  std::size_t max_line_bytes = 1 << 20;
  OverlongPolicy overlong = OverlongPolicy::kSplit;
};

struct Line {
  StreamType stream = StreamType::kStdout;
  int64_t ts_ns = kNoTimestamp;
  std::string_view text;     // without the newline
  uint32_t frames = 0;       // messages consumed (see the header comment)
  bool complete = true;      // ended by the daemon's '\n'
  bool truncated = false;    // kTruncate dropped bytes of this line
  uint32_t part_index = 0;   // kSplit: which part of an overlong line
  // Message::ts_text of a line that came whole in one message, else empty
  // (valid, like text, only during the callback).
  std::string_view ts_text = {};
};

using LineCallback = std::function<void(const Line&)>;

class LineAssembler {
 public:
  explicit LineAssembler(LineAssemblerOptions options = {});

  // Takes one decoded message; calls `on_line` for every line it completes.
  void Add(const Message& message, const LineCallback& on_line);

  // The daemon ended the body: delivers every pending line (complete=false).
  void Flush(const LineCallback& on_line);

  // The engine closed the stream: forgets pending pieces (they will be
  // replayed). Returns how many pending frames were dropped.
  uint32_t Discard();

  // Messages taken for `stream` and not yet counted in a delivered line.
  uint32_t PendingFrames(StreamType stream) const;
  uint32_t PendingFrames() const;
  // Timestamp of the pending line of `stream` (kNoTimestamp if none).
  int64_t PendingTimestamp(StreamType stream) const;

  // Counters for metrics.
  uint64_t lines_split() const { return lines_split_; }        // overlong lines split
  uint64_t lines_truncated() const { return lines_truncated_; }
  uint64_t bytes_truncated() const { return bytes_truncated_; }
  uint64_t unterminated_lines() const { return unterminated_lines_; }

 private:
  struct Pending {
    std::string text;
    int64_t ts_ns = kNoTimestamp;
    uint32_t frames = 0;
    uint32_t part_index = 0;
    bool active = false;
    bool truncated = false;
  };

  void Deliver(StreamType stream, Pending& pending, bool complete, const LineCallback& on_line);

  LineAssemblerOptions options_;
  std::array<Pending, 3> pending_;  // stdin, stdout, stderr
  uint64_t lines_split_ = 0;
  uint64_t lines_truncated_ = 0;
  uint64_t bytes_truncated_ = 0;
  uint64_t unterminated_lines_ = 0;
};

}  // namespace logcap
