// StreamReader: decode -> resume filter -> assembler -> ordered queue.
// Lines leave in the order of their first frame (a complete line behind an
// unfinished one waits), replayed frames are dropped, type-3 frames become
// system errors, max_held_bytes gives up the order, Finish delivers what is
// pending. Property tests: a random body (mixed streams, 16 KiB-split long
// lines, equal timestamps) fed in random slices comes out whole, once, in
// first-frame order; and a stream cut anywhere and resumed the way the
// engine resumes (PositionTracker, dockerd's inclusive since= replay)
// delivers every line exactly once. Bodies are built by a small encoder
// written here.
#include "core/engine/stream_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/rfc3339_nano.h"
#include "core/position/position.h"

namespace logcap {
namespace {

constexpr std::int64_t kTs = 1'795'878'188'776'043'549;  // 2026-11-28
constexpr std::size_t kPiece = 16 * 1024;                // dockerd's split size

constexpr StreamType kOut = StreamType::kStdout;
constexpr StreamType kErr = StreamType::kStderr;

// One multiplexed frame: [stream,0,0,0,len32 BE] "<RFC3339Nano> <content>".
std::string Frame(StreamType stream, std::int64_t ts, std::string_view content) {
  const std::string payload = leakbench::FormatRfc3339Nano(ts) + " " + std::string(content);
  const auto n = static_cast<std::uint32_t>(payload.size());
  std::string frame = {static_cast<char>(stream), 0, 0, 0, static_cast<char>(n >> 24),
                       static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
  return frame + payload;
}

// A type-3 frame: no timestamp.
std::string SystemErrorFrame(std::string_view text) {
  const auto n = static_cast<std::uint32_t>(text.size());
  std::string frame = {3, 0, 0, 0, static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  return frame + std::string(text);
}

std::vector<QueuedLine> PopAll(StreamReader& reader) {
  std::vector<QueuedLine> out;
  while (reader.HasReady()) {
    out.push_back(reader.Front());
    reader.PopFront();
  }
  return out;
}

void FeedOk(StreamReader& reader, std::string_view data) {
  const DecodeStatus status = reader.Feed(data);
  ASSERT_TRUE(status.ok()) << status.detail;
}

StreamReaderOptions Options(std::size_t max_held_bytes = 4 << 20) {
  StreamReaderOptions o;
  o.max_held_bytes = max_held_bytes;
  return o;
}

TEST(StreamReaderTest, SimpleLinesInOrder) {
  StreamReader r(Options(), Position{});
  FeedOk(r, Frame(kOut, kTs, "one\n") + Frame(kErr, kTs + 1, "two\n") + Frame(kOut, kTs + 1, "three\n"));
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "one");
  EXPECT_EQ(lines[0].stream, kOut);
  EXPECT_EQ(lines[0].ts_ns, kTs);
  EXPECT_EQ(lines[0].frames, 1u);
  EXPECT_TRUE(lines[0].complete);
  EXPECT_EQ(lines[1].text, "two");
  EXPECT_EQ(lines[1].stream, kErr);
  EXPECT_EQ(lines[2].text, "three");
  EXPECT_EQ(r.queued_bytes(), 0u);
  EXPECT_EQ(r.held_bytes(), 0u);
  EXPECT_EQ(r.reorders(), 0u);
}

TEST(StreamReaderTest, LineBehindAnUnfinishedOneWaitsForIt) {
  const std::string first(kPiece, 'a');
  StreamReader r(Options(), Position{});
  FeedOk(r, Frame(kOut, kTs, first));  // first piece, no '\n'
  FeedOk(r, Frame(kErr, kTs + 5, "err\n"));
  EXPECT_FALSE(r.HasReady());
  EXPECT_EQ(r.held_bytes(), 3u);  // the stderr line waits
  EXPECT_EQ(r.queued_bytes(), 3u);
  FeedOk(r, Frame(kOut, kTs, "tail\n"));
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].stream, kOut);
  EXPECT_EQ(lines[0].text, first + "tail");
  EXPECT_EQ(lines[0].frames, 2u);
  EXPECT_EQ(lines[0].ts_ns, kTs);
  EXPECT_EQ(lines[1].stream, kErr);
  EXPECT_EQ(lines[1].text, "err");
  EXPECT_EQ(r.held_bytes(), 0u);
  EXPECT_EQ(r.reorders(), 0u);
}

TEST(StreamReaderTest, InterleavedLongLinesOfBothStreamsLeaveTogether) {
  // stdout A = a1 a2, stderr B = b1 b2, records a1 b1 a2 b2, one timestamp.
  // A is complete after a2, but b1 (before a2) is not delivered: A alone
  // would make the position (ts, 2), and a replay would drop a1 and b1.
  const std::string a1(kPiece, 'a');
  const std::string b1(kPiece, 'b');
  StreamReader r(Options(), Position{});
  FeedOk(r, Frame(kOut, kTs, a1) + Frame(kErr, kTs, b1) + Frame(kOut, kTs, "A\n"));
  EXPECT_FALSE(r.HasReady());
  EXPECT_EQ(r.held_bytes(), kPiece + 1);
  FeedOk(r, Frame(kErr, kTs, "B\n"));
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, a1 + "A");
  EXPECT_EQ(lines[0].frames, 2u);
  EXPECT_EQ(lines[1].text, b1 + "B");
  EXPECT_EQ(lines[1].frames, 2u);
  EXPECT_EQ(r.reorders(), 0u);
}

// The position may only count a group of interleaved lines as a whole:
// AtBoundary() is false between popping A and popping B (see Engine::Deliver).
TEST(StreamReaderTest, AtBoundaryOnlyAfterTheWholeGroupIsPopped) {
  const std::string a1(kPiece, 'a');
  const std::string b1(kPiece, 'b');
  StreamReader r(Options(), Position{});
  EXPECT_TRUE(r.AtBoundary());
  FeedOk(r, Frame(kOut, kTs, a1) + Frame(kErr, kTs, b1) + Frame(kOut, kTs, "A\n") + Frame(kErr, kTs, "B\n") +
                Frame(kOut, kTs + 1, "C\n"));
  ASSERT_TRUE(r.HasReady());
  r.PopFront();  // A
  EXPECT_FALSE(r.AtBoundary()) << "b1 came before A's last piece and is not popped";
  ASSERT_TRUE(r.HasReady());
  r.PopFront();  // B
  EXPECT_TRUE(r.AtBoundary());
  ASSERT_TRUE(r.HasReady());
  r.PopFront();  // C
  EXPECT_TRUE(r.AtBoundary());
}

TEST(StreamReaderTest, ChainOfInterleavedLongLinesWaitsForTheLast) {
  // a1 b1 a2(A ends) c1 b2(B ends) c2(C ends): B waits for C (c1 is before
  // b2), so A, whose group includes B, waits for C too.
  const std::string p(kPiece, 'p');
  StreamReader r(Options(), Position{});
  FeedOk(r, Frame(kOut, kTs, p) + Frame(kErr, kTs, p) + Frame(kOut, kTs, "A\n") + Frame(kOut, kTs, p) +
                Frame(kErr, kTs, "B\n"));
  EXPECT_FALSE(r.HasReady());
  FeedOk(r, Frame(kOut, kTs, "C\n"));
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, p + "A");
  EXPECT_EQ(lines[1].text, p + "B");
  EXPECT_EQ(lines[2].text, p + "C");
}

TEST(StreamReaderTest, CutBetweenInterleavedLongLinesResumesExactly) {
  // The stream is cut after a2: nothing was delivered, so the reopen from
  // the empty position gets both lines whole.
  const std::string a1(kPiece, 'a');
  const std::string b1(kPiece, 'b');
  const std::string body = Frame(kOut, kTs, a1) + Frame(kErr, kTs, b1) + Frame(kOut, kTs, "A\n");
  StreamReader first(Options(), Position{});
  FeedOk(first, body);
  EXPECT_TRUE(PopAll(first).empty());
  StreamReader second(Options(), Position{});
  FeedOk(second, body + Frame(kErr, kTs, "B\n"));
  EXPECT_EQ(PopAll(second).size(), 2u);
}

TEST(StreamReaderTest, HoldLimitBreaksAGroupToo) {
  // A (stdout, complete) waits for B (stderr, unfinished, started before
  // A's last piece); when too much waits, B gives up its place.
  StreamReader r(Options(/*max_held_bytes=*/kPiece + 100), Position{});
  FeedOk(r, Frame(kOut, kTs, std::string(kPiece, 'a')) + Frame(kErr, kTs, std::string(kPiece, 'b')) +
                Frame(kOut, kTs, "A\n"));
  EXPECT_FALSE(r.HasReady());
  EXPECT_EQ(r.reorders(), 0u);
  FeedOk(r, Frame(kOut, kTs + 1, std::string(200, 'c') + "\n"));
  EXPECT_EQ(r.reorders(), 1u);
  auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, std::string(kPiece, 'a') + "A");
  EXPECT_EQ(lines[1].text, std::string(200, 'c'));
  FeedOk(r, Frame(kErr, kTs, "B\n"));
  lines = PopAll(r);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, std::string(kPiece, 'b') + "B");
  EXPECT_EQ(lines[0].frames, 2u);
}

TEST(StreamReaderTest, LinesAheadOfAnUnfinishedOneAreReady) {
  StreamReader r(Options(), Position{});
  FeedOk(r, Frame(kErr, kTs, "before\n") + Frame(kOut, kTs, std::string(kPiece, 'x')));
  ASSERT_TRUE(r.HasReady());
  EXPECT_EQ(r.Front().text, "before");
  r.PopFront();
  EXPECT_FALSE(r.HasReady());
  EXPECT_EQ(r.assembler().PendingFrames(kOut), 1u);
}

TEST(StreamReaderTest, ReplayedFramesAreDroppedAndNewOnesAtTheSameTimestampPass) {
  StreamReader r(Options(), Position{kTs, 2});
  FeedOk(r, Frame(kOut, kTs, "old 1\n") + Frame(kErr, kTs, "old 2\n") + Frame(kOut, kTs, "new same ts\n") +
                Frame(kOut, kTs + 1, "newer\n"));
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "new same ts");
  EXPECT_EQ(lines[0].ts_ns, kTs);
  EXPECT_EQ(lines[1].text, "newer");
  EXPECT_EQ(r.filter().replayed_dropped(), 2u);
  EXPECT_EQ(r.filter().short_replays(), 0u);
}

TEST(StreamReaderTest, ReplayDropsEveryPieceOfADeliveredLongLine) {
  // The position counts the 2 frames of a long line delivered before the
  // reopen: both pieces are dropped, nothing of it is pending.
  StreamReader r(Options(), Position{kTs, 2});
  FeedOk(r, Frame(kOut, kTs, std::string(kPiece, 'a')) + Frame(kOut, kTs, "b\n") + Frame(kErr, kTs, "c\n"));
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "c");
  EXPECT_EQ(r.assembler().PendingFrames(), 0u);
}

TEST(StreamReaderTest, SystemErrorFrameGoesToTakeSystemErrors) {
  StreamReader r(Options(), Position{});
  FeedOk(r, Frame(kOut, kTs, "a\n") + SystemErrorFrame("Error grabbing logs: boom") + Frame(kOut, kTs + 1, "b\n"));
  EXPECT_EQ(r.TakeSystemErrors(), std::vector<std::string>{"Error grabbing logs: boom"});
  EXPECT_TRUE(r.TakeSystemErrors().empty());
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].text, "b");
}

TEST(StreamReaderTest, SystemErrorDoesNotCountAsAReplayedFrame) {
  StreamReader r(Options(), Position{kTs, 1});
  FeedOk(r, SystemErrorFrame("Error grabbing logs: x") + Frame(kOut, kTs, "old\n") + Frame(kOut, kTs, "new\n"));
  EXPECT_EQ(r.TakeSystemErrors().size(), 1u);
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "new");
}

TEST(StreamReaderTest, HoldLimitGivesUpTheOrder) {
  StreamReader r(Options(/*max_held_bytes=*/100), Position{});
  FeedOk(r, Frame(kOut, kTs, std::string(kPiece, 'a')));
  FeedOk(r, Frame(kErr, kTs + 1, std::string(60, 'e') + "\n"));
  EXPECT_FALSE(r.HasReady());  // 60 bytes held: within the limit
  EXPECT_EQ(r.held_bytes(), 60u);
  EXPECT_EQ(r.reorders(), 0u);
  FeedOk(r, Frame(kErr, kTs + 2, std::string(60, 'f') + "\n"));
  EXPECT_EQ(r.reorders(), 1u);
  auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, std::string(60, 'e'));
  EXPECT_EQ(lines[1].text, std::string(60, 'f'));
  EXPECT_EQ(r.held_bytes(), 0u);
  // The unfinished line is not lost: it comes out when it ends, after them.
  FeedOk(r, Frame(kErr, kTs + 3, "later\n"));
  FeedOk(r, Frame(kOut, kTs, "end\n"));
  lines = PopAll(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "later");
  EXPECT_EQ(lines[1].text, std::string(kPiece, 'a') + "end");
  EXPECT_EQ(lines[1].frames, 2u);
  EXPECT_EQ(r.queued_bytes(), 0u);
}

TEST(StreamReaderTest, FinishDeliversAnUnfinishedLastLine) {
  StreamReader r(Options(), Position{});
  FeedOk(r, Frame(kOut, kTs, "whole\n") + Frame(kOut, kTs + 1, "no newline") + Frame(kErr, kTs + 2, "held\n"));
  ASSERT_TRUE(r.HasReady());
  EXPECT_EQ(r.Front().text, "whole");
  r.PopFront();
  EXPECT_FALSE(r.HasReady());
  const DecodeStatus status = r.Finish();
  EXPECT_TRUE(status.ok());
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "no newline");
  EXPECT_FALSE(lines[0].complete);
  EXPECT_EQ(lines[0].frames, 1u);
  EXPECT_EQ(lines[1].text, "held");
  EXPECT_TRUE(lines[1].complete);
}

TEST(StreamReaderTest, FinishInsideAFrameIsTruncatedButDeliversTheRest) {
  StreamReader r(Options(), Position{});
  const std::string cut = Frame(kOut, kTs + 1, "never finished\n");
  FeedOk(r, Frame(kOut, kTs, "ok\n") + cut.substr(0, cut.size() - 4));
  const DecodeStatus status = r.Finish();
  EXPECT_EQ(status.error, DecodeError::kTruncated);
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "ok");
}

TEST(StreamReaderTest, ProtocolErrorIsReported) {
  StreamReader r(Options(), Position{});
  std::string bad = Frame(kOut, kTs, "x\n");
  bad[0] = 7;
  EXPECT_EQ(r.Feed(Frame(kOut, kTs, "fine\n") + bad).error, DecodeError::kBadStreamType);
  const auto lines = PopAll(r);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "fine");
  EXPECT_FALSE(r.Feed(Frame(kOut, kTs, "after\n")).ok());  // stays failed
}

// ---------------------------------------------------------------------------
// Property tests.

struct Record {  // one frame
  StreamType stream;
  std::int64_t ts;
  std::string content;  // '\n' included on a line's last record
};

struct Body {
  std::vector<std::string> lines;  // texts, in first-frame order (unique)
  std::vector<StreamType> streams;
  std::vector<std::int64_t> ts;
  std::vector<std::uint32_t> frames;
  std::vector<Record> records;
};

std::string Encode(const std::vector<Record>& records) {
  std::string out;
  for (const Record& r : records) out += Frame(r.stream, r.ts, r.content);
  return out;
}

// A body the way dockerd writes one: per stream, a line is one record, or
// 16 KiB pieces sharing one timestamp (only the last with '\n'; a line of
// exactly 16 KiB gets a record of its own for the '\n'); the two streams'
// records interleave at random. Timestamps never decrease along the body
// (often equal), so an inclusive since= replay of the body is well defined.
// `overlap`: long lines on both streams may be in progress at once.
Body MakeBody(std::mt19937_64& rng, int n_lines, bool overlap) {
  Body body;
  std::int64_t now = kTs;
  std::vector<std::string> pieces[2];  // records still to come, per stream
  std::int64_t line_ts[2] = {0, 0};
  int started = 0;
  while (started < n_lines || !pieces[0].empty() || !pieces[1].empty()) {
    int s = static_cast<int>(rng() % 2);
    if (started >= n_lines && pieces[s].empty()) s = 1 - s;
    const StreamType stream = s == 0 ? kOut : kErr;
    if (pieces[s].empty()) {
      // A new line. Time moves on only when no line is half written.
      if (pieces[1 - s].empty() && rng() % 3 != 0) now += 1 + static_cast<std::int64_t>(rng() % 3000);
      const int idx = started++;
      std::string text = "L" + std::to_string(idx) + ":";
      const bool other_long = !pieces[1 - s].empty();  // a long line half written
      std::size_t length = rng() % 100;
      if (rng() % 4 == 0 && (overlap || !other_long)) {
        static constexpr std::size_t kLong[] = {kPiece - 1, kPiece, kPiece + 1, 2 * kPiece, 2 * kPiece + 7, 40000};
        length = kLong[rng() % std::size(kLong)];
      }
      while (text.size() < length) text.push_back(static_cast<char>('a' + rng() % 26));
      body.lines.push_back(text);
      body.streams.push_back(stream);
      body.ts.push_back(now);
      line_ts[s] = now;
      std::vector<std::string> split;
      for (std::size_t at = 0; at < text.size(); at += kPiece) split.push_back(text.substr(at, kPiece));
      if (split.back().size() == kPiece) split.emplace_back();
      split.back().push_back('\n');
      body.frames.push_back(static_cast<std::uint32_t>(split.size()));
      // Reverse so that pop_back() gives the next piece.
      pieces[s].assign(split.rbegin(), split.rend());
    }
    // Every record of a line carries the line's timestamp.
    body.records.push_back({stream, line_ts[s], pieces[s].back()});
    pieces[s].pop_back();
  }
  return body;
}

// Feeds `data` in random slices (sometimes one byte, sometimes huge).
void FeedRandomly(std::mt19937_64& rng, StreamReader& reader, std::string_view data,
                  std::vector<QueuedLine>* out) {
  while (!data.empty()) {
    std::size_t n = 0;
    switch (rng() % 4) {
      case 0: n = 1 + rng() % 8; break;
      case 1: n = 1 + rng() % 200; break;
      case 2: n = 1 + rng() % 20000; break;
      default: n = data.size(); break;
    }
    n = std::min(n, data.size());
    FeedOk(reader, data.substr(0, n));
    data.remove_prefix(n);
    for (auto& l : PopAll(reader)) out->push_back(std::move(l));
  }
}

TEST(StreamReaderPropertyTest, RandomSlicesDeliverEveryLineOnceInFirstFrameOrder) {
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    const Body body = MakeBody(rng, 10 + static_cast<int>(rng() % 40), /*overlap=*/seed % 2 == 0);
    const std::string bytes = Encode(body.records);
    StreamReader r(Options(), Position{});
    std::vector<QueuedLine> out;
    FeedRandomly(rng, r, bytes, &out);
    ASSERT_TRUE(r.Finish().ok());
    for (auto& l : PopAll(r)) out.push_back(std::move(l));
    ASSERT_EQ(out.size(), body.lines.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      ASSERT_EQ(out[i].text, body.lines[i]) << "line " << i;
      EXPECT_EQ(out[i].stream, body.streams[i]);
      EXPECT_EQ(out[i].ts_ns, body.ts[i]);
      EXPECT_EQ(out[i].frames, body.frames[i]);
      EXPECT_TRUE(out[i].complete);
    }
    EXPECT_EQ(r.reorders(), 0u);
    EXPECT_EQ(r.queued_bytes(), 0u);
  }
}

// Cuts the body at a random byte, delivers what is ready (advancing a
// PositionTracker like the engine), then reopens: a new reader from the
// tracker's position gets every record stamped at or after the position's
// timestamp, in order (dockerd's inclusive since=). Every line must come
// out exactly once over both streams.
void CheckCutAndResume(std::mt19937_64& rng, const Body& body, const std::string& bytes, std::size_t cut_at,
                       const std::string& trace) {
  SCOPED_TRACE(trace + " cut at " + std::to_string(cut_at));
  StreamReader first(Options(), Position{});
  std::vector<QueuedLine> delivered;
  FeedRandomly(rng, first, std::string_view(bytes).substr(0, cut_at), &delivered);
  PositionTracker tracker;
  for (const QueuedLine& l : delivered) tracker.Advance(l.ts_ns, l.frames);
  // The engine closes the stream itself: no Finish(), the reader is dropped.
  const Position position = tracker.position();
  std::vector<Record> replay;
  for (const Record& rec : body.records) {
    if (position.empty() || rec.ts >= position.since_ns) replay.push_back(rec);
  }
  StreamReader second(Options(), position);
  FeedRandomly(rng, second, Encode(replay), &delivered);
  ASSERT_TRUE(second.Finish().ok());
  for (auto& l : PopAll(second)) delivered.push_back(std::move(l));

  std::map<std::string, int> seen;
  for (const QueuedLine& l : delivered) {
    ++seen[l.text];
    EXPECT_TRUE(l.complete) << l.text.substr(0, 20);
  }
  for (const std::string& line : body.lines) {
    EXPECT_EQ(seen[line], 1) << "line " << line.substr(0, 20) << " (" << line.size() << " bytes)";
  }
  EXPECT_EQ(delivered.size(), body.lines.size());
  EXPECT_EQ(second.filter().short_replays(), 0u);
}

TEST(StreamReaderPropertyTest, CutAndResumeLosesAndDuplicatesNothing) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed * 7919);
    const Body body = MakeBody(rng, 8 + static_cast<int>(rng() % 25), /*overlap=*/seed % 2 == 0);
    const std::string bytes = Encode(body.records);
    // Random byte cuts, plus every frame boundary.
    std::vector<std::size_t> cuts;
    for (int i = 0; i < 10; ++i) cuts.push_back(rng() % (bytes.size() + 1));
    std::size_t at = 0;
    for (const Record& rec : body.records) {
      at += Frame(rec.stream, rec.ts, rec.content).size();
      cuts.push_back(at);
    }
    for (std::size_t cut : cuts) {
      CheckCutAndResume(rng, body, bytes, cut, "seed " + std::to_string(seed));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace logcap
