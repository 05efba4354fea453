// The fake's stream record read as the judge reads it: open streams over a
// scrape window, rotations by time, ages, and delivery per container (gaps
// at a reopen are lost at the source, overlaps are sent twice, a gone
// container is a gap-free prefix, a young container is not judged); and
// the typed truth refuses a missing key instead of reading it as 0.
#include <gtest/gtest.h>

#include "harness/run/fake_truth.h"
#include "harness/run/stream_truth.h"

namespace leakbench::harness {
namespace stream_truth_test {

constexpr std::int64_t kS = 1'000'000'000;

FollowStream Stream(std::string container, std::int64_t opened_s, std::int64_t closed_s, std::uint64_t first,
                    std::uint64_t last, std::string reason = "client_closed") {
  FollowStream s;
  s.container_id = std::move(container);
  s.opened_at_ns = opened_s * kS;
  s.answered_at_ns = s.opened_at_ns;
  s.closed_at_ns = closed_s * kS;
  s.open = closed_s == 0;
  s.close_reason = s.open ? "" : std::move(reason);
  s.first_seq = first;
  s.last_seq = last;
  s.lines_sent = first == 0 ? 0 : last - first + 1;
  return s;
}

FakeContainer Container(std::string id, std::uint64_t emitted, std::int64_t started_s = 1) {
  FakeContainer c;
  c.cid = id.substr(0, 12);
  c.id = std::move(id);
  c.state = "running";
  c.emitted = emitted;
  c.started_at_ns = started_s * kS;
  return c;
}

const std::string kA(64, 'a'), kB(64, 'b'), kGone(64, 'c');

TEST(StreamTimeline, CountsTheFewestAndMostStreamsOpenDuringAWindow) {
  // a: 10..20, b: 15..30, c: 18..open
  const StreamTimeline t({Stream(kA, 10, 20, 1, 5), Stream(kB, 15, 30, 1, 5), Stream(kGone, 18, 0, 1, 5)});
  EXPECT_EQ(t.OpenDuring(12 * kS, 12 * kS).min, 1u);
  const auto r = t.OpenDuring(14 * kS, 21 * kS);  // 1, then 2, then 3, then 2
  EXPECT_EQ(r.min, 1u);
  EXPECT_EQ(r.max, 3u);
  const auto late = t.OpenDuring(31 * kS, 40 * kS);
  EXPECT_EQ(late.min, 1u);
  EXPECT_EQ(late.max, 1u);
  EXPECT_EQ(t.OpenDuring(0, 5 * kS).max, 0u);
  EXPECT_EQ(t.ClosedByClientAt(19 * kS), 0u);
  EXPECT_EQ(t.ClosedByClientAt(20 * kS), 1u);
  EXPECT_EQ(t.ClosedByClientAt(100 * kS), 2u);
}

TEST(StreamTimeline, AStreamTheDaemonHasNotAnsweredMayOrMayNotBeCounted) {
  // a: requested at 10, answered at 12 (a slow daemon), closed at 20;
  // b: requested at 11, never answered, closed at 13.
  FollowStream a = Stream(kA, 10, 20, 1, 5);
  a.answered_at_ns = 12 * kS;
  FollowStream b = Stream(kB, 11, 13, 0, 0);
  b.answered_at_ns = 0;
  const StreamTimeline t({a, b});
  // A follower counting from the answer reads 0, one counting from the request 2.
  const auto waiting = t.OpenDuring(11 * kS, 11 * kS + kS / 2);
  EXPECT_EQ(waiting.min, 0u);
  EXPECT_EQ(waiting.max, 2u);
  const auto answered = t.OpenDuring(14 * kS, 15 * kS);
  EXPECT_EQ(answered.min, 1u);
  EXPECT_EQ(answered.max, 1u);
  EXPECT_EQ(t.OpenDuring(21 * kS, 22 * kS).max, 0u);
}

TEST(StreamTimeline, TheAnswerTimeIsPartOfTheRecord) {
  EXPECT_THROW(ParseFollowStreams(nlohmann::json::parse(
                   R"([{"endpoint":"logs","follow":true,"id":1,"container_id":"x","opened_at_ns":1,"closed_at_ns":0,)"
                   R"("open":true,"close_reason":"","lines_sent":0,"first_seq":0,"last_seq":0}])")),
               TruthError);
}

TEST(StreamTimeline, StreamsEndedByTheDaemonAreNotRotations) {
  const StreamTimeline t({Stream(kA, 1, 5, 1, 5, "container_stopped"), Stream(kA, 5, 9, 6, 9)});
  EXPECT_EQ(t.ClosedByClientAt(100 * kS), 1u);
  EXPECT_EQ(t.OpenedAt(0), 0u);
  EXPECT_EQ(t.OpenedAt(1 * kS), 1u) << "every stream opened counts, whoever ended it";
  EXPECT_EQ(t.OpenedAt(100 * kS), 2u);
  const StreamAges ages = AgesOf({Stream(kA, 1, 50, 1, 5, "daemon_restart"), Stream(kA, 5, 9, 6, 9)}, 60 * kS, 60);
  EXPECT_EQ(ages.rotated, 1u);
  EXPECT_EQ(ages.streams, 2u);
  // Not a rotation, but the target held it 49 s before the daemon ended it:
  // a follower that never rotates must not pass because the daemon (a
  // restart, a container's end) closed its streams for it.
  EXPECT_DOUBLE_EQ(ages.max_age_s, 49.0);
}

TEST(Delivery, EveryLineSentOnceIsClean) {
  const Delivery d = JudgeDelivery({Stream(kA, 1, 5, 1, 40), Stream(kA, 5, 9, 41, 100)}, {Container(kA, 100)},
                                   90 * kS);
  EXPECT_EQ(d.containers, 1u);
  EXPECT_EQ(d.containers_delivered, 1u);
  EXPECT_EQ(d.lines_emitted, 100u);
  EXPECT_EQ(d.lines_delivered, 100u);
  EXPECT_EQ(d.lost_at_source, 0u);
  EXPECT_EQ(d.delivered_twice, 0u);
}

TEST(Delivery, AGapAtAReopenIsLostAndAnOverlapIsSentTwice) {
  // Reopened with `since` too late: 41..44 never requested; then too early: 60..69 twice.
  const Delivery d = JudgeDelivery(
      {Stream(kA, 1, 5, 1, 40), Stream(kA, 5, 9, 45, 69), Stream(kA, 9, 0, 60, 100)}, {Container(kA, 100)}, 90 * kS);
  EXPECT_EQ(d.lost_at_source, 4u);
  EXPECT_EQ(d.delivered_twice, 10u);
  ASSERT_FALSE(d.examples.empty());
  EXPECT_EQ(d.examples[0], kA.substr(0, 12) + ": seq 41..44 never sent");
}

TEST(Delivery, TheTailNotYetSentIsLost) {
  const Delivery d = JudgeDelivery({Stream(kA, 1, 0, 1, 90)}, {Container(kA, 100)}, 90 * kS);
  EXPECT_EQ(d.lost_at_source, 10u);
}

TEST(Delivery, AContainerNeverFollowedIsNotCaptured) {
  const Delivery d = JudgeDelivery({Stream(kA, 1, 0, 1, 100)}, {Container(kA, 100), Container(kB, 50)}, 90 * kS);
  EXPECT_EQ(d.containers, 2u);
  EXPECT_EQ(d.containers_delivered, 1u);
  EXPECT_EQ(d.lost_at_source, 50u);
}

TEST(Delivery, YoungContainersAreNotJudgedAndGoneOnesAreAGapFreePrefix) {
  const Delivery d = JudgeDelivery({Stream(kGone, 1, 5, 1, 10), Stream(kGone, 5, 8, 13, 20)},
                                   {Container(kB, 30, /*started_s=*/95)}, 90 * kS);
  EXPECT_EQ(d.containers, 0u);
  EXPECT_EQ(d.containers_too_young, 1u);
  EXPECT_EQ(d.containers_gone, 1u);
  EXPECT_EQ(d.lost_at_source, 2u) << "11 and 12 were never sent before the container went";
}

TEST(Delivery, ExactSeqRangesFromTheProxyShowAHoleInsideOneStream) {
  // A real daemon's stream carried 1..3 and 5..6: first/last alone would hide seq 4.
  FollowStream s = Stream(kA, 1, 5, 1, 6);
  s.seq_ranges = {{1, 3}, {5, 6}};
  const Delivery d = JudgeDelivery({s}, {Container(kA, 6)}, 90 * kS);
  EXPECT_EQ(d.lost_at_source, 1u);
  EXPECT_EQ(d.lines_delivered, 5u);
  const auto parsed = ParseFollowStreams(nlohmann::json::parse(
      R"([{"endpoint":"logs","follow":true,"id":1,"container_id":"x","opened_at_ns":1,"answered_at_ns":1,"closed_at_ns":0,"open":true,)"
      R"("close_reason":"","lines_sent":5,"first_seq":1,"last_seq":6,"seq_ranges":[[1,3],[5,6]]}])"));
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0].seq_ranges.size(), 2u);
  EXPECT_THROW(ParseFollowStreams(nlohmann::json::parse(
                   R"([{"endpoint":"logs","follow":true,"id":1,"container_id":"x","opened_at_ns":1,"answered_at_ns":1,"closed_at_ns":0,)"
                   R"("open":true,"close_reason":"","lines_sent":5,"first_seq":1,"last_seq":6,"seq_ranges":[[3,1]]}])")),
               TruthError);
}

TEST(FakeTruth, AMissingKeyIsAnErrorNotZero) {
  nlohmann::json truth = {{"now_ns", 5},           {"follow_streams_open", 1}, {"follow_streams_peak", 2},
                          {"streams_closed_total", 3}, {"streams_closed_dropped", 0}, {"daemon_restarts", 0}};
  EXPECT_EQ(ParseTruth(truth).follow_streams_peak, 2u);
  truth.erase("follow_streams_peak");
  EXPECT_THROW(
      {
        try {
          ParseTruth(truth);
        } catch (const TruthError& e) {
          EXPECT_NE(std::string(e.what()).find("follow_streams_peak"), std::string::npos) << e.what();
          throw;
        }
      },
      TruthError);
  truth["follow_streams_peak"] = "two";
  EXPECT_THROW(ParseTruth(truth), TruthError);
  EXPECT_THROW(ParseContainers(nlohmann::json::array({{{"id", kA}}})), TruthError);
  EXPECT_THROW(ParseFollowStreams(nlohmann::json::object()), TruthError);
}

}  // namespace stream_truth_test
}  // namespace leakbench::harness
