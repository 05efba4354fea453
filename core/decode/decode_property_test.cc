// Property tests: random lines encoded the way dockerd sends them (by an
// encoder written here, independently of the decoder), fed in random splits
// through FrameDecoder + LineAssembler, must come back exactly; and a stream
// cut at a random byte and resumed the way the engine resumes (since= the
// position timestamp, drop the frames already delivered at it) must lose and
// duplicate nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "common/rfc3339_nano.h"
#include "core/decode/frame_decoder.h"
#include "core/decode/line_assembler.h"
#include "core/decode/log_timestamp.h"

namespace logcap {
namespace {

constexpr std::size_t kPiece = 16384;  // dockerd's json-file split size
constexpr int64_t kBase = 1795878188LL * 1'000'000'000 + 776043549;

struct TestLine {
  StreamType stream;
  int64_t ts;
  std::string text;
  bool terminated;  // false only for the very last line of a body
};

struct Record {  // one json-file record = one frame (or one TTY piece)
  StreamType stream;
  int64_t ts;
  std::string content;  // what follows the timestamp, '\n' included if any
};

// The daemon side: lines to records. A TTY line ends "\r\n" (the '\r' is
// content the TTY added); content is cut into 16 KiB pieces, the newline
// goes to the last one.
std::vector<Record> ToRecords(const std::vector<TestLine>& lines, bool tty) {
  std::vector<Record> records;
  for (const TestLine& line : lines) {
    const std::string content = tty && line.terminated ? line.text + "\r" : line.text;
    std::size_t pos = 0;
    do {
      const std::size_t n = std::min(kPiece, content.size() - pos);
      records.push_back({line.stream, line.ts, content.substr(pos, n)});
      pos += n;
    } while (pos < content.size());
    // A piece of exactly 16 KiB is emitted without its newline.
    if (line.terminated) {
      if (records.back().content.size() == kPiece) {
        records.push_back({line.stream, line.ts, "\n"});
      } else {
        records.back().content.push_back('\n');
      }
    }
  }
  return records;
}

std::string Encode(const std::vector<Record>& records, bool tty, bool timestamps) {
  std::string body;
  for (const Record& r : records) {
    std::string payload = timestamps ? leakbench::FormatRfc3339Nano(r.ts) + " " + r.content : r.content;
    if (!tty) {
      const auto n = static_cast<uint32_t>(payload.size());
      const char header[8] = {static_cast<char>(r.stream), 0, 0, 0,
                              static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                              static_cast<char>(n >> 8), static_cast<char>(n)};
      body.append(header, 8);
    }
    body.append(payload);
  }
  return body;
}

std::string RandomText(std::mt19937_64& rng, std::size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789 \r\t\x01\x7f\xff";
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string text(length, ' ');
  for (char& c : text) c = kAlphabet[pick(rng)];
  return text;
}

std::size_t RandomLength(std::mt19937_64& rng) {
  const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
  if (kind < 5) return std::uniform_int_distribution<std::size_t>(0, 80)(rng);
  if (kind < 7) return std::uniform_int_distribution<std::size_t>(kPiece - 3, kPiece + 3)(rng);
  return std::uniform_int_distribution<std::size_t>(0, 70000)(rng);
}

std::vector<TestLine> RandomLines(std::mt19937_64& rng, bool tty) {
  std::vector<TestLine> lines;
  const int count = std::uniform_int_distribution<int>(1, 12)(rng);
  int64_t ts = kBase;
  for (int i = 0; i < count; ++i) {
    // Mostly equal timestamps, as in a burst; never decreasing.
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) ts += 1500;
    const StreamType stream = tty ? StreamType::kStdout
                                  : static_cast<StreamType>(
                                        std::uniform_int_distribution<int>(1, 2)(rng));
    lines.push_back({stream, ts, RandomText(rng, RandomLength(rng)), true});
  }
  // Sometimes the container exits after a line without a newline.
  if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
    TestLine& last = lines.back();
    last.terminated = false;
    if (last.text.empty()) last.text = "x";
  }
  return lines;
}

struct GotLine {
  StreamType stream;
  int64_t ts;
  std::string text;
  uint32_t frames;
};

// The engine side: decoder + assembler over random slices of `body`.
struct Pipeline {
  Pipeline(bool tty, bool timestamps)
      : decoder(FrameDecoderOptions{.mode = tty ? FrameMode::kRaw : FrameMode::kMultiplexed,
                                    .timestamps = timestamps}) {}

  void Feed(std::mt19937_64& rng, std::string_view body) {
    const LineCallback on_line = [this](const Line& l) {
      ASSERT_TRUE(l.complete || l.part_index == 0);
      got.push_back({l.stream, l.ts_ns, std::string(l.text), l.frames});
    };
    const MessageCallback on_message = [&](const Message& m) {
      ++messages;
      assembler.Add(m, on_line);
    };
    std::size_t pos = 0;
    while (pos < body.size()) {
      std::size_t n = 0;
      switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
        case 0: n = 1; break;
        case 1: n = std::uniform_int_distribution<std::size_t>(1, 16)(rng); break;
        case 2: n = std::uniform_int_distribution<std::size_t>(1, 5000)(rng); break;
        default: n = std::uniform_int_distribution<std::size_t>(1, 40000)(rng); break;
      }
      n = std::min(n, body.size() - pos);
      const DecodeStatus status = decoder.Feed(body.substr(pos, n), on_message);
      ASSERT_TRUE(status.ok()) << status.detail;
      pos += n;
    }
  }

  void Finish() {
    const LineCallback on_line = [this](const Line& l) {
      got.push_back({l.stream, l.ts_ns, std::string(l.text), l.frames});
    };
    const DecodeStatus status =
        decoder.Finish([&](const Message& m) { ++messages, assembler.Add(m, on_line); });
    ASSERT_TRUE(status.ok()) << status.detail;
    assembler.Flush(on_line);
  }

  FrameDecoder decoder;
  LineAssembler assembler;
  std::vector<GotLine> got;
  uint64_t messages = 0;
};

void ExpectSameLines(const std::vector<TestLine>& want, const std::vector<GotLine>& got,
                     bool timestamps) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].stream, want[i].stream) << i;
    ASSERT_EQ(got[i].text.size(), want[i].text.size()) << i;
    ASSERT_TRUE(got[i].text == want[i].text) << "line " << i << " differs";
    if (timestamps) {
      ASSERT_EQ(got[i].ts, want[i].ts) << i;
    }
  }
}

TEST(DecodePropertyTest, RandomLinesSurviveRandomSplits) {
  std::mt19937_64 rng(0x1eafbe9c);
  for (int iteration = 0; iteration < 240; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    const bool tty = iteration % 2 == 1;
    const bool timestamps = iteration % 4 != 3;
    const std::vector<TestLine> lines = RandomLines(rng, tty);
    const std::vector<Record> records = ToRecords(lines, tty);
    const std::string body = Encode(records, tty, timestamps);

    Pipeline pipeline(tty, timestamps);
    pipeline.Feed(rng, body);
    pipeline.Finish();
    ASSERT_NO_FATAL_FAILURE(ExpectSameLines(lines, pipeline.got, timestamps));
    if (timestamps) {
      // Every record is counted exactly once, in the line holding its end.
      uint64_t frames = 0;
      for (const GotLine& g : pipeline.got) frames += g.frames;
      EXPECT_EQ(frames, records.size());
      EXPECT_EQ(pipeline.messages, records.size());
    }
  }
}

// Cut the body at a random byte (a rotation), Discard(), compute the
// position the engine would hold, replay the records the daemon returns for
// since=<position ts>, drop the frames already delivered at that ts, and
// check that the lines of both sessions add up to the original exactly.
TEST(DecodePropertyTest, ResumeAtPositionLosesAndDuplicatesNothing) {
  std::mt19937_64 rng(0x5eed0003);
  for (int iteration = 0; iteration < 160; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    const bool tty = iteration % 2 == 1;
    const std::vector<TestLine> lines = RandomLines(rng, tty);
    const std::vector<Record> records = ToRecords(lines, tty);
    const std::string body = Encode(records, tty, /*timestamps=*/true);

    Pipeline first(tty, true);
    const std::size_t cut = std::uniform_int_distribution<std::size_t>(0, body.size())(rng);
    first.Feed(rng, std::string_view(body).substr(0, cut));
    first.assembler.Discard();  // the engine closes the stream itself

    int64_t position_ts = kNoTimestamp;
    uint64_t position_frames = 0;
    for (const GotLine& g : first.got) {
      if (g.frames == 0) continue;
      if (g.ts == position_ts) {
        position_frames += g.frames;
      } else {
        position_ts = g.ts;
        position_frames = g.frames;
      }
    }
    std::vector<Record> replay;
    uint64_t to_drop = position_frames;
    for (const Record& r : records) {
      if (position_ts != kNoTimestamp && r.ts < position_ts) continue;  // since= filter
      if (r.ts == position_ts && to_drop > 0) {
        --to_drop;
        continue;
      }
      replay.push_back(r);
    }
    ASSERT_EQ(to_drop, 0u);

    Pipeline second(tty, true);
    second.Feed(rng, Encode(replay, tty, true));
    second.Finish();
    std::vector<GotLine> all = first.got;
    all.insert(all.end(), second.got.begin(), second.got.end());
    ASSERT_NO_FATAL_FAILURE(ExpectSameLines(lines, all, true));
  }
}

}  // namespace
}  // namespace logcap
