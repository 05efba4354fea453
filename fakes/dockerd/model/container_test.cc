#include "fakes/dockerd/model/container.h"

#include <gtest/gtest.h>

#include <memory>
#include <utility>
#include <vector>

namespace fakedocker {
namespace {

constexpr UnixNanos kMs = 1'000'000;
constexpr UnixNanos kSecond = 1'000'000'000;
constexpr UnixNanos kEpoch = 1'700'000'000 * kSecond;
const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

GeneratorSpec Gen(double rate, uint32_t burst = 1) {
  GeneratorSpec g;
  g.rate = rate;
  g.burst = burst;
  g.stderr_fraction = 0;
  return g;
}

std::unique_ptr<Container> Make(GeneratorSpec g, uint64_t seed = 1, bool tty = false, size_t retention = 100'000) {
  ContainerSpec spec;
  spec.name = "c1";
  spec.tty = tty;
  spec.generator = g;
  return std::make_unique<Container>(kId, std::move(spec), retention, seed, kEpoch - kSecond);
}

std::unique_ptr<Container> Running(GeneratorSpec g, uint64_t seed = 1, bool tty = false) {
  auto c = Make(g, seed, tty);
  c->MarkRunning(kEpoch, 4242);
  return c;
}

std::vector<LogEntry> Entries(const Container& c) {
  std::vector<LogEntry> out;
  const LogHistory& h = c.history();
  for (uint64_t i = h.begin(); i < h.end(); ++i) out.push_back(h.at(i));
  return out;
}

class RecordingObserver : public ContainerObserver {
 public:
  void OnLines() override { ++lines; }
  void OnStopped() override { ++stopped; }
  int lines = 0;
  int stopped = 0;
};

TEST(Container, Identity) {
  auto c = Make(Gen(10));
  EXPECT_EQ(c->id(), kId);
  EXPECT_EQ(c->cid12(), "0123456789ab");
  EXPECT_EQ(c->name(), "c1");
  EXPECT_EQ(c->state(), ContainerState::kCreated);
  EXPECT_EQ(c->created(), kEpoch - kSecond);
  EXPECT_EQ(c->pid(), 0);
  EXPECT_STREQ(StateName(c->state()), "created");
}

TEST(Container, LifecycleStates) {
  auto c = Make(Gen(10));
  c->MarkRunning(kEpoch, 77);
  EXPECT_TRUE(c->running());
  EXPECT_EQ(c->pid(), 77);
  EXPECT_EQ(c->started_at(), kEpoch);
  EXPECT_EQ(c->restart_count(), 0);
  c->MarkExited(kEpoch + kSecond, 137);
  EXPECT_EQ(c->state(), ContainerState::kExited);
  EXPECT_STREQ(StateName(c->state()), "exited");
  EXPECT_EQ(c->pid(), 0);
  EXPECT_EQ(c->exit_code(), 137);
  EXPECT_EQ(c->finished_at(), kEpoch + kSecond);
  c->MarkRunning(kEpoch + 2 * kSecond, 78);
  EXPECT_EQ(c->restart_count(), 1);
}

TEST(Container, NothingBeforeItRuns) {
  auto c = Make(Gen(10));
  EXPECT_EQ(c->EmitDue(kEpoch + 10 * kSecond), 0u);
  EXPECT_TRUE(c->history().empty());
}

TEST(Container, RateZeroEmitsNothingByItself) {
  auto c = Running(Gen(0));
  EXPECT_EQ(c->EmitDue(kEpoch + 100 * kSecond), 0u);
}

TEST(Container, RateTenOverOneSecond) {
  auto c = Running(Gen(10));
  EXPECT_EQ(c->EmitDue(kEpoch + kSecond), 11u);
  auto lines = Entries(*c);
  ASSERT_EQ(lines.size(), 11u);
  for (size_t k = 0; k < lines.size(); ++k) {
    EXPECT_EQ(lines[k].ts, kEpoch + static_cast<UnixNanos>(k) * 100 * kMs) << k;
    EXPECT_EQ(lines[k].seq, k + 1) << k;
  }
  EXPECT_EQ(c->emitted(), 11u);
  // Nothing more is due until the next 100ms step.
  EXPECT_EQ(c->EmitDue(kEpoch + kSecond + 99 * kMs), 0u);
  EXPECT_EQ(c->EmitDue(kEpoch + kSecond + 100 * kMs), 1u);
  EXPECT_EQ(c->history().back().ts, kEpoch + 1100 * kMs);
}

TEST(Container, LineZeroIsDueAtTheEpoch) {
  auto c = Running(Gen(10));
  EXPECT_EQ(c->EmitDue(kEpoch), 1u);
  EXPECT_EQ(c->history().back().ts, kEpoch);
  EXPECT_EQ(c->EmitDue(kEpoch), 0u);
}

TEST(Container, ClockBeforeTheEpochEmitsNothing) {
  // The wall clock may step back after a start; that must not look like an
  // enormous backlog. exit_after bounds the damage if it did.
  GeneratorSpec g = Gen(10);
  g.exit_after = 1000;
  auto c = Running(g);
  EXPECT_EQ(c->EmitDue(kEpoch - 5 * kSecond), 0u);
  EXPECT_EQ(c->EmitDue(kEpoch - 1), 0u);
  EXPECT_EQ(c->EmitDue(kEpoch), 1u);
}

TEST(Container, TimestampsStrictlyIncreaseAndSeqIsDense) {
  auto c = Running(Gen(1000));
  // Irregular ticks, as an event loop would produce them.
  UnixNanos now = kEpoch;
  for (UnixNanos step : {3 * kMs, 7 * kMs, 1 * kMs, 250 * kMs, 13 * kMs, 500 * kMs}) {
    now += step;
    c->EmitDue(now);
  }
  c->EmitNow(now, 5, false);
  c->EmitDue(now + 10 * kMs);
  auto lines = Entries(*c);
  ASSERT_GT(lines.size(), 700u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].seq, i + 1);
    if (i > 0) {
      EXPECT_GT(lines[i].ts, lines[i - 1].ts) << i;
    }
  }
}

TEST(Container, StampsDoNotDependOnTheTick) {
  // Lines are stamped with their scheduled time: many small ticks and one
  // big tick give the same timestamps.
  for (double rate : {3.0, 7.0, 1000.0 / 3}) {
    SCOPED_TRACE(rate);
    auto once = Running(Gen(rate));
    auto ticked = Running(Gen(rate));
    once->EmitDue(kEpoch + 3 * kSecond);
    for (UnixNanos t = kEpoch; t <= kEpoch + 3 * kSecond; t += 7 * kMs) ticked->EmitDue(t);
    ticked->EmitDue(kEpoch + 3 * kSecond);
    auto a = Entries(*once);
    auto b = Entries(*ticked);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].ts, b[i].ts) << i;
  }
}

TEST(Container, BurstSharesOneTimestamp) {
  auto c = Running(Gen(10, 3));
  EXPECT_EQ(c->EmitDue(kEpoch + kSecond), 11u);
  auto lines = Entries(*c);
  ASSERT_EQ(lines.size(), 11u);
  for (size_t k = 0; k < lines.size(); ++k) {
    if (k % 3 == 0) {
      if (k > 0) {
        EXPECT_GT(lines[k].ts, lines[k - 1].ts) << k;
      }
      EXPECT_EQ(lines[k].ts, kEpoch + static_cast<UnixNanos>(k) * 100 * kMs) << k;
    } else {
      EXPECT_EQ(lines[k].ts, lines[k - 1].ts) << k;
    }
  }
  // A group split across ticks still shares its timestamp.
  auto split = Running(Gen(10, 3));
  split->EmitDue(kEpoch + 100 * kMs);  // lines 0, 1
  split->EmitDue(kEpoch + 200 * kMs);  // line 2
  auto s = Entries(*split);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].ts, s[2].ts);
}

TEST(Container, StderrFractionZeroAndOne) {
  GeneratorSpec g = Gen(100);
  g.stderr_fraction = 0;
  auto out = Running(g);
  out->EmitDue(kEpoch + kSecond);
  for (const auto& e : Entries(*out)) EXPECT_EQ(e.stream, StreamId::kStdout);
  EXPECT_EQ(out->emitted_stderr(), 0u);
  EXPECT_EQ(out->emitted_stdout(), out->emitted());

  g.stderr_fraction = 1;
  auto err = Running(g);
  err->EmitDue(kEpoch + kSecond);
  for (const auto& e : Entries(*err)) EXPECT_EQ(e.stream, StreamId::kStderr);
  EXPECT_EQ(err->emitted_stdout(), 0u);
  EXPECT_EQ(err->emitted_stderr(), err->emitted());
}

TEST(Container, StderrFractionHalfMixes) {
  GeneratorSpec g = Gen(1000);
  g.stderr_fraction = 0.5;
  auto c = Running(g);
  c->EmitDue(kEpoch + kSecond);
  EXPECT_EQ(c->emitted_stdout() + c->emitted_stderr(), c->emitted());
  EXPECT_GT(c->emitted_stderr(), 300u);
  EXPECT_GT(c->emitted_stdout(), 300u);
}

// A lagging stderr copier: stderr lines are stamped stderr_lag before they
// are written, stored in write order; stdout stamps and bursts are unchanged.
TEST(Container, StderrLagStampsStderrLinesEarlier) {
  GeneratorSpec g = Gen(10, /*burst=*/2);
  g.stderr_fraction = 0.5;
  g.stderr_lag_ns = 2 * kSecond;
  auto c = Running(g);
  EXPECT_EQ(c->EmitDue(kEpoch + kSecond), 11u);
  c->EmitNow(kEpoch + 5 * kSecond, 20, /*same_timestamp=*/false);
  auto lines = Entries(*c);
  ASSERT_EQ(lines.size(), 31u);
  ASSERT_GT(c->emitted_stderr(), 3u);
  ASSERT_GT(c->emitted_stdout(), 3u);
  for (size_t k = 0; k < lines.size(); ++k) {
    // Without the lag: bursts of two 100ms apart, then 1ns apart from 5s.
    const UnixNanos written = k < 11 ? kEpoch + static_cast<UnixNanos>(k / 2 * 2) * 100 * kMs
                                     : kEpoch + 5 * kSecond + static_cast<UnixNanos>(k - 11);
    const UnixNanos lag = lines[k].stream == StreamId::kStderr ? 2 * kSecond : 0;
    EXPECT_EQ(lines[k].ts, written - lag) << k;
    EXPECT_EQ(lines[k].seq, k + 1) << k;
  }
}

TEST(Container, StderrLagDoesNothingOnTty) {
  GeneratorSpec g = Gen(10);
  g.stderr_fraction = 1;
  g.stderr_lag_ns = 2 * kSecond;
  auto c = Running(g, 1, /*tty=*/true);
  c->EmitDue(kEpoch + kSecond);
  auto lines = Entries(*c);
  ASSERT_EQ(lines.size(), 11u);
  for (size_t k = 0; k < lines.size(); ++k) EXPECT_EQ(lines[k].ts, kEpoch + static_cast<UnixNanos>(k) * 100 * kMs);
}

TEST(Container, TtyWritesOnlyStdout) {
  GeneratorSpec g = Gen(100);
  g.stderr_fraction = 1;
  auto c = Running(g, 1, /*tty=*/true);
  EXPECT_TRUE(c->tty());
  c->EmitDue(kEpoch + kSecond);
  c->EmitNow(kEpoch + 2 * kSecond, 10, false);
  for (const auto& e : Entries(*c)) EXPECT_EQ(e.stream, StreamId::kStdout);
  EXPECT_EQ(c->emitted_stderr(), 0u);
}

TEST(Container, LineBytesStayInRange) {
  GeneratorSpec g = Gen(1000);
  g.min_bytes = 80;
  g.max_bytes = 120;
  auto c = Running(g);
  c->EmitDue(kEpoch + kSecond);
  uint64_t total = 0;
  bool saw_min = false, saw_max = false;
  for (const auto& e : Entries(*c)) {
    EXPECT_GE(e.bytes, 80u);
    EXPECT_LE(e.bytes, 120u);
    saw_min |= e.bytes == 80;
    saw_max |= e.bytes == 120;
    total += e.bytes + 1;
  }
  EXPECT_TRUE(saw_min);
  EXPECT_TRUE(saw_max);
  EXPECT_EQ(c->emitted_bytes(), total);
}

TEST(Container, TinyLinesGrowToHoldThePrefix) {
  GeneratorSpec g = Gen(100);
  g.min_bytes = g.max_bytes = 1;
  g.stderr_fraction = 0.5;
  auto c = Running(g);
  c->EmitDue(kEpoch + kSecond);
  for (const auto& e : Entries(*c)) EXPECT_EQ(e.bytes, MinimumLineBytes(e.seq, e.stream));
}

TEST(Container, SameSeedSameLines) {
  GeneratorSpec g = Gen(500);
  g.min_bytes = 50;
  g.max_bytes = 5000;
  g.stderr_fraction = 0.3;
  auto a = Running(g, 99);
  auto b = Running(g, 99);
  auto other = Running(g, 100);
  a->EmitDue(kEpoch + kSecond);
  b->EmitDue(kEpoch + kSecond);
  other->EmitDue(kEpoch + kSecond);
  auto la = Entries(*a), lb = Entries(*b), lo = Entries(*other);
  ASSERT_EQ(la.size(), lb.size());
  bool differs = false;
  for (size_t i = 0; i < la.size(); ++i) {
    EXPECT_EQ(la[i].bytes, lb[i].bytes) << i;
    EXPECT_EQ(la[i].stream, lb[i].stream) << i;
    EXPECT_EQ(la[i].ts, lb[i].ts) << i;
    differs |= la[i].bytes != lo[i].bytes || la[i].stream != lo[i].stream;
  }
  EXPECT_TRUE(differs) << "another seed should give other sizes or streams";
}

TEST(Container, ExitAfterStopsEmission) {
  GeneratorSpec g = Gen(10);
  g.exit_after = 5;
  auto c = Running(g);
  EXPECT_FALSE(c->exit_due());
  EXPECT_EQ(c->EmitDue(kEpoch + 300 * kMs), 4u);
  EXPECT_FALSE(c->exit_due());
  EXPECT_EQ(c->EmitDue(kEpoch + 10 * kSecond), 1u);
  EXPECT_TRUE(c->exit_due());
  EXPECT_EQ(c->emitted(), 5u);
  EXPECT_EQ(c->EmitDue(kEpoch + 20 * kSecond), 0u);
  EXPECT_EQ(c->emitted(), 5u);
}

TEST(Container, NoExitWhenExitAfterIsZero) {
  auto c = Running(Gen(10));
  c->EmitDue(kEpoch + 100 * kSecond);
  EXPECT_FALSE(c->exit_due());
}

TEST(Container, EmitNowSharedTimestamp) {
  auto c = Running(Gen(0));
  EXPECT_EQ(c->EmitNow(kEpoch + kSecond, 3, /*same_timestamp=*/true), 3u);
  auto lines = Entries(*c);
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& e : lines) EXPECT_EQ(e.ts, kEpoch + kSecond);
  // The next emit never goes back to or repeats that timestamp.
  EXPECT_EQ(c->EmitNow(kEpoch + kSecond, 2, false), 2u);
  lines = Entries(*c);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[3].ts, kEpoch + kSecond + 1);
  EXPECT_EQ(lines[4].ts, kEpoch + kSecond + 2);
  EXPECT_EQ(lines[4].seq, 5u);
  // An earlier `now` cannot make time run backwards either.
  c->EmitNow(kEpoch, 1, false);
  EXPECT_EQ(c->history().back().ts, kEpoch + kSecond + 3);
}

TEST(Container, EmitNowDistinctTimestamps) {
  auto c = Running(Gen(0));
  c->EmitNow(kEpoch + kSecond, 4, false);
  auto lines = Entries(*c);
  ASSERT_EQ(lines.size(), 4u);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i].ts, kEpoch + kSecond + static_cast<UnixNanos>(i));
}

TEST(Container, RetentionBoundsHistoryNotCounters) {
  ContainerSpec spec;
  spec.generator = Gen(10);
  Container c(kId, spec, 5, 1, kEpoch);
  c.MarkRunning(kEpoch, 1);
  c.EmitDue(kEpoch + kSecond);
  EXPECT_EQ(c.emitted(), 11u);
  EXPECT_EQ(c.history().end() - c.history().begin(), 5u);
  EXPECT_EQ(c.history().at(c.history().begin()).seq, 7u);
}

TEST(Container, ObserversHearOfLinesOncePerNotify) {
  auto c = Running(Gen(10));
  auto obs = std::make_shared<RecordingObserver>();
  c->AddObserver(obs);
  c->NotifyLines();
  EXPECT_EQ(obs->lines, 0) << "no new lines, no call";
  c->EmitDue(kEpoch + kSecond);
  c->EmitNow(kEpoch + 2 * kSecond, 3, true);
  EXPECT_EQ(obs->lines, 0) << "emitting does not call observers by itself";
  c->NotifyLines();
  EXPECT_EQ(obs->lines, 1);
  c->NotifyLines();
  EXPECT_EQ(obs->lines, 1);
  c->EmitNow(kEpoch + 3 * kSecond, 1, false);
  c->NotifyLines();
  EXPECT_EQ(obs->lines, 2);
  EXPECT_EQ(obs->stopped, 0);
}

TEST(Container, ObserversHearOfTheExit) {
  auto c = Running(Gen(10));
  auto obs = std::make_shared<RecordingObserver>();
  c->AddObserver(obs);
  c->EmitDue(kEpoch + kSecond);
  c->MarkExited(kEpoch + kSecond, 0);
  EXPECT_EQ(obs->lines, 1) << "lines written before the exit are announced first";
  EXPECT_EQ(obs->stopped, 1);
  c->MarkRemoved();
  EXPECT_EQ(obs->stopped, 2);
  EXPECT_EQ(c->state(), ContainerState::kRemoved);
}

TEST(Container, ExpiredObserversAreSkipped) {
  auto c = Running(Gen(10));
  auto kept = std::make_shared<RecordingObserver>();
  auto gone = std::make_shared<RecordingObserver>();
  std::weak_ptr<RecordingObserver> gone_weak = gone;
  c->AddObserver(kept);
  c->AddObserver(gone);
  gone.reset();
  EXPECT_TRUE(gone_weak.expired());
  c->EmitDue(kEpoch);
  c->NotifyLines();
  c->MarkExited(kEpoch + kSecond, 0);
  EXPECT_EQ(kept->lines, 1);
  EXPECT_EQ(kept->stopped, 1);
}

TEST(Container, SetGeneratorResetsTheRateEpoch) {
  auto c = Running(Gen(10));
  EXPECT_EQ(c->EmitDue(kEpoch + kSecond), 11u);  // up to epoch + 1000ms
  const UnixNanos reset_at = kEpoch + 1050 * kMs;
  c->set_generator(Gen(2), reset_at);
  EXPECT_EQ(c->spec().generator.rate, 2);
  // Line 0 of the new schedule is due at once, then one every 500ms.
  EXPECT_EQ(c->EmitDue(reset_at), 1u);
  EXPECT_EQ(c->history().back().ts, reset_at);
  EXPECT_EQ(c->EmitDue(reset_at + 499 * kMs), 0u);
  EXPECT_EQ(c->EmitDue(reset_at + 500 * kMs), 1u);
  EXPECT_EQ(c->history().back().ts, reset_at + 500 * kMs);
  EXPECT_EQ(c->history().back().seq, 13u);  // seq carries on across the change
  EXPECT_EQ(c->EmitDue(reset_at + 2 * kSecond), 3u);
}

TEST(Container, RestartResetsTheRateEpoch) {
  auto c = Running(Gen(10));
  c->EmitDue(kEpoch + kSecond);
  c->MarkExited(kEpoch + kSecond, 0);
  EXPECT_EQ(c->EmitDue(kEpoch + 5 * kSecond), 0u);
  c->MarkRunning(kEpoch + 10 * kSecond, 5);
  EXPECT_EQ(c->EmitDue(kEpoch + 10 * kSecond), 1u);
  EXPECT_EQ(c->history().back().ts, kEpoch + 10 * kSecond);
  EXPECT_EQ(c->history().back().seq, 12u);
}

}  // namespace
}  // namespace fakedocker
