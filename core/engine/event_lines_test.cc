// EventLines: splitting the /events body into lines however it is sliced
// (seeded random splits), empty lines skipped, and the kMaxLine bound: a
// longer line makes Feed return false whatever the slicing.
#include "core/engine/event_lines.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace logcap {
namespace {

// Feeds `body` cut at the given offsets, stopping at the first failure (the
// caller would reconnect); collects the lines.
std::vector<std::string> FeedSliced(EventLines& lines, std::string_view body, std::vector<std::size_t> cuts,
                                    bool* ok) {
  std::vector<std::string> out;
  auto collect = [&out](std::string_view line) { out.emplace_back(line); };
  std::size_t at = 0;
  *ok = true;
  cuts.push_back(body.size());
  for (std::size_t cut : cuts) {
    if (cut < at) continue;
    if (!lines.Feed(body.substr(at, cut - at), collect)) {
      *ok = false;
      break;
    }
    at = cut;
  }
  return out;
}

TEST(EventLinesTest, SplitsOnNewlinesAndSkipsEmptyLines) {
  EventLines lines;
  bool ok = false;
  const auto out = FeedSliced(lines, "{\"a\":1}\n\n{\"b\":2}\n{\"c\"", {}, &ok);
  EXPECT_TRUE(ok);
  EXPECT_EQ(out, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_EQ(lines.buffered(), 4u);
  std::vector<std::string> rest;
  EXPECT_TRUE(lines.Feed(":3}\n", [&rest](std::string_view l) { rest.emplace_back(l); }));
  EXPECT_EQ(rest, std::vector<std::string>{"{\"c\":3}"});
  EXPECT_EQ(lines.buffered(), 0u);
}

TEST(EventLinesTest, ResetForgetsTheUnfinishedLine) {
  EventLines lines;
  std::vector<std::string> out;
  auto collect = [&out](std::string_view l) { out.emplace_back(l); };
  EXPECT_TRUE(lines.Feed("{\"half", collect));
  lines.Reset();
  EXPECT_EQ(lines.buffered(), 0u);
  EXPECT_TRUE(lines.Feed("{}\n", collect));
  EXPECT_EQ(out, std::vector<std::string>{"{}"});
}

TEST(EventLinesTest, RandomSplitsGiveTheSameLines) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> expected;
    std::string body;
    const int n = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      std::string line(rng() % 300, 'x');
      for (char& c : line) c = static_cast<char>('a' + rng() % 26);
      body += line;
      body += '\n';
      if (rng() % 5 == 0) body += '\n';  // an empty line now and then
      if (!line.empty()) expected.push_back(line);
    }
    std::vector<std::size_t> cuts;
    for (std::size_t k = rng() % 12; k > 0; --k) cuts.push_back(rng() % (body.size() + 1));
    std::sort(cuts.begin(), cuts.end());
    if (round % 10 == 0) {  // byte by byte
      cuts.clear();
      for (std::size_t i = 1; i < body.size(); ++i) cuts.push_back(i);
    }
    EventLines lines;
    bool ok = false;
    EXPECT_EQ(FeedSliced(lines, body, cuts, &ok), expected) << "round " << round;
    EXPECT_TRUE(ok);
    EXPECT_EQ(lines.buffered(), 0u);
  }
}

TEST(EventLinesTest, LineOfExactlyMaxIsAccepted) {
  const std::string line(EventLines::kMaxLine, 'x');
  for (std::vector<std::size_t> cuts :
       {std::vector<std::size_t>{}, {1}, {EventLines::kMaxLine}, {12345, 700000}}) {
    EventLines lines;
    bool ok = false;
    const auto out = FeedSliced(lines, line + "\n", cuts, &ok);
    EXPECT_TRUE(ok);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].size(), EventLines::kMaxLine);
  }
}

TEST(EventLinesTest, OverlongLineIsRejectedHoweverSliced) {
  const std::string line(EventLines::kMaxLine + 1, 'x');
  std::mt19937_64 rng(3);
  std::vector<std::vector<std::size_t>> splits = {{}, {1}, {EventLines::kMaxLine}, {EventLines::kMaxLine + 1}};
  for (int i = 0; i < 6; ++i) {
    std::vector<std::size_t> cuts;
    for (int k = 0; k < 4; ++k) cuts.push_back(rng() % (line.size() + 1));
    std::sort(cuts.begin(), cuts.end());
    splits.push_back(cuts);
  }
  for (const auto& cuts : splits) {
    EventLines lines;
    bool ok = true;
    const auto out = FeedSliced(lines, "{}\n" + line + "\n", cuts, &ok);
    EXPECT_FALSE(ok);
    EXPECT_LE(out.size(), 1u);  // the first line, if fed before the failure
    EXPECT_LE(lines.buffered(), EventLines::kMaxLine);
  }
}

TEST(EventLinesTest, UnfinishedOverlongLineIsRejectedWithoutNewline) {
  EventLines lines;
  auto ignore = [](std::string_view) {};
  const std::string chunk(EventLines::kMaxLine / 2, 'y');
  EXPECT_TRUE(lines.Feed(chunk, ignore));
  EXPECT_TRUE(lines.Feed(chunk, ignore));
  EXPECT_FALSE(lines.Feed("z", ignore));
  EXPECT_EQ(lines.buffered(), 0u);
  // It recovers for a new stream.
  std::vector<std::string> out;
  EXPECT_TRUE(lines.Feed("{}\n", [&out](std::string_view l) { out.emplace_back(l); }));
  EXPECT_EQ(out, std::vector<std::string>{"{}"});
}

}  // namespace
}  // namespace logcap
