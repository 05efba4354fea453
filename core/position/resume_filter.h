// Drops the frames a Docker daemon replays after a reopen with
// since=<position's since>. `since` is inclusive to the nanosecond, so the
// daemon sends again every stored frame stamped at or after it; the ones
// already delivered (Position::replay_count(): `count` at the position's
// timestamp, plus the lookback window's frames if any) come first, in storage
// order, and are dropped; everything after them passes, including NEW frames
// that carry the same timestamp. One ResumeFilter per opened stream, owned by
// that stream's state on the event loop; not thread-safe.
#pragma once

#include <cstdint>

#include "core/position/position.h"

namespace logcap {

class ResumeFilter {
 public:
  enum class Verdict {
    kPass,             // deliver it (and Advance the position)
    kDropReplayed,     // already delivered in an earlier session
    kDropBeforeSince,  // stamped before since: a daemon must not send it
  };

  // `resume_from` is the position the stream was opened with (since=its
  // since_ns, i.e. PositionTracker::SinceParam()).
  // An empty position means the stream was opened without a position: nothing
  // is dropped.
  explicit ResumeFilter(Position resume_from);

  // Classifies the next frame of the stream, in stream order. Let T be the
  // position's timestamp and S its since (S == T without lookback).
  //
  // While replaying (fewer than replay_count() frames dropped so far):
  //   S <= ts <= T -> kDropReplayed
  //   ts <  S      -> kDropBeforeSince (counted; not part of the replay)
  //   ts >  T      -> the replay was SHORT (history evicted or rewritten):
  //                   counted in short_replays()/missing_frames(), the replay
  //                   ends, and the frame passes. A later frame is never
  //                   dropped.
  // After the replay: ts < S -> kDropBeforeSince (counted; Docker 20.10
  // filters each line by since, so only a misbehaving daemon sends it);
  // anything else -> kPass.
  Verdict Accept(std::int64_t ts_ns);

  // True while already-delivered frames are still expected.
  bool replaying() const { return remaining_ > 0; }
  const Position& resume_from() const { return from_; }

  std::uint64_t replayed_dropped() const { return replayed_dropped_; }
  std::uint64_t before_since_dropped() const { return before_since_dropped_; }
  // 1 if this stream's replay ended early (at most once per stream).
  std::uint64_t short_replays() const { return short_replays_; }
  // Frames expected in the replay that never came before a later frame did.
  std::uint64_t missing_frames() const { return missing_frames_; }

 private:
  Position from_;
  std::uint64_t remaining_;
  std::uint64_t replayed_dropped_ = 0;
  std::uint64_t before_since_dropped_ = 0;
  std::uint64_t short_replays_ = 0;
  std::uint64_t missing_frames_ = 0;
};

}  // namespace logcap
