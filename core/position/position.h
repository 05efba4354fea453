// A container's read position in its Docker log: the last delivered frame's
// timestamp (Unix ns) and how many frames carrying exactly that timestamp were
// already delivered. Docker's `since=` is inclusive to the nanosecond, so a
// reopen with since=<ts> replays those frames; the count tells ResumeFilter how
// many to drop. Optionally (lookback > 0) the reopen starts a little earlier
// so that lines the daemon stored out of time order are not lost (see
// PositionTracker). PositionTracker is a plain value owned by one container's
// stream state (the event loop); it is not thread-safe, copy it to hand it on.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace logcap {

// Value type persisted in the state file. `count == 0` means "nothing
// delivered yet": a reopen reads the whole history.
//
// Invariant: every frame delivered so far whose timestamp is >= since_ns is
// accounted for, either in `count` (at ts_ns) or in `earlier` (strictly
// between since_ns and ts_ns, sorted, distinct timestamps). With no lookback,
// since_ns == ts_ns and `earlier` is empty: the plain (ts, count) position.
struct Position {
  std::int64_t ts_ns = 0;
  std::uint64_t count = 0;
  std::int64_t since_ns = 0;
  std::vector<std::pair<std::int64_t, std::uint64_t>> earlier;

  // The usual constructor: (ts, count), since = ts.
  Position() = default;
  Position(std::int64_t ts, std::uint64_t n)
      : ts_ns(ts), count(n), since_ns(ts) {}

  bool empty() const { return count == 0; }
  // Frames a daemon replays with since=since_ns that were already delivered.
  std::uint64_t replay_count() const;
  friend bool operator==(const Position&, const Position&) = default;
};

// Formats a Unix-ns timestamp the way the Docker API accepts `since`:
// "SECONDS.NANOSECONDS" with exactly 9 fractional digits
// ("1795878188.000000080"). Negative inputs are clamped to 0 (Docker reads
// since<=0 as "everything").
std::string FormatSince(std::int64_t ts_ns);

// Tracks the position as frames are delivered downstream.
//
// Out-of-order frames: stdout and stderr are copied into the json-file log by
// separate goroutines, so a frame can be stamped a few ms EARLIER than one
// stored before it (measured: up to 4 ms). Such a frame is still delivered (it
// is a real, new line) and counted in out_of_order(), but the position is a
// high-water mark and does not move backwards: moving it back would make the
// next reopen replay everything after it (duplicates).
//
// Dockerd 20.10 applies `since` to every stored line, so a reopen at
// since=<ts> never returns an inverted line stamped before ts that had not
// been read yet when the stream was cut: with lookback 0 that line is lost.
// With lookback L > 0 the reopen uses since = ts - L instead and the position
// also remembers the frames delivered in [ts - L, ts); the daemon then
// replays a known number of already-delivered frames (a prefix of its
// answer, in storage order) and the inverted line comes after them. At most
// kMaxEarlier distinct earlier timestamps are kept; past that, since moves up.
class PositionTracker {
 public:
  static constexpr std::size_t kMaxEarlier = 4096;

  enum class AdvanceResult {
    kNewTimestamp,   // ts > position: position is now (ts, 1)
    kSameTimestamp,  // ts == position: count incremented
    kOutOfOrder,     // ts < position: position unchanged, counted
  };

  PositionTracker() = default;
  explicit PositionTracker(Position start, std::chrono::nanoseconds lookback =
                                               std::chrono::nanoseconds(0))
      : pos_(std::move(start)),
        lookback_ns_(std::max<std::int64_t>(lookback.count(), 0)) {}

  // Records that one frame stamped `ts_ns` was delivered downstream.
  AdvanceResult Advance(std::int64_t ts_ns);
  // Records `frames` frames with the same stamp (the records of one line
  // merged by core/decode, Line::frames); the result of the first one. No-op
  // returning kSameTimestamp for frames == 0 (e.g. type-3 error messages).
  AdvanceResult Advance(std::int64_t ts_ns, std::uint64_t frames);

  // The position (entries pruned from `earlier` are removed here, once).
  const Position& position() const {
    Compact();
    return pos_;
  }

  // The `since=` query value for the next reopen, 9 fractional digits. For an
  // empty position, "0.000000000" (everything).
  std::string SinceParam() const { return FormatSince(pos_.since_ns); }

  // Frames delivered with a timestamp lower than the position at the time.
  std::uint64_t out_of_order() const { return out_of_order_; }
  // Largest inversion seen, in ns (how far behind the position a frame was).
  std::int64_t max_inversion_ns() const { return max_inversion_ns_; }
  // The inversion of the last frame that came out of order, in ns.
  std::int64_t last_inversion_ns() const { return last_inversion_ns_; }

  // Changes the lookback for what follows (core/position/adaptive_lookback.h
  // decides it). since only ever moves up, so a larger lookback takes effect
  // as the position advances: the frames before the current since were not
  // remembered and cannot be accounted for in a replay.
  void set_lookback(std::chrono::nanoseconds lookback) { lookback_ns_ = std::max<std::int64_t>(lookback.count(), 0); }
  std::chrono::nanoseconds lookback() const { return std::chrono::nanoseconds(lookback_ns_); }
  // Entries of `earlier` that pruning moved (erasing a prefix moves the rest):
  // its cost, which stays O(1) per new timestamp (tests check it).
  std::uint64_t entries_moved() const { return entries_moved_; }

 private:
  // Drops the entries of pos_.earlier that fell out of the window. O(1)
  // amortised per new timestamp: they are only counted in pruned_ (a
  // vector's front is not erased per timestamp) and erased in one go once
  // they are as many as the live ones, or when position() is read.
  void Prune();
  void Compact() const;

  mutable Position pos_;  // pos_.earlier[0, pruned_) are gone (see Prune)
  mutable std::size_t pruned_ = 0;
  mutable std::uint64_t entries_moved_ = 0;
  std::int64_t lookback_ns_ = 0;
  std::uint64_t out_of_order_ = 0;
  std::int64_t max_inversion_ns_ = 0;
  std::int64_t last_inversion_ns_ = 0;
};

}  // namespace logcap
