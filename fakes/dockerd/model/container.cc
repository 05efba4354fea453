#include "fakes/dockerd/model/container.h"

#include <algorithm>
#include <cmath>

namespace fakedocker {

const char* StateName(ContainerState s) {
  switch (s) {
    case ContainerState::kCreated: return "created";
    case ContainerState::kRunning: return "running";
    case ContainerState::kExited: return "exited";
    case ContainerState::kRemoving: return "removing";
    case ContainerState::kRemoved: return "removed";
  }
  return "unknown";
}

Container::Container(std::string id, ContainerSpec spec, size_t retention, uint64_t seed,
                     UnixNanos created)
    : id_(std::move(id)), spec_(std::move(spec)), history_(retention), rng_(seed), created_(created) {}

void Container::set_generator(const GeneratorSpec& g, UnixNanos now) {
  spec_.generator = g;
  rate_epoch_ = now;
  emitted_since_epoch_ = 0;
}

void Container::MarkRunning(UnixNanos now, int pid) {
  state_ = ContainerState::kRunning;
  started_at_ = now;
  pid_ = pid;
  ++restart_count_;
  rate_epoch_ = now;
  emitted_since_epoch_ = 0;
}

template <typename F>
void Container::ForEachObserver(F f) {
  // Observers may register or expire while being told; work on a copy.
  auto observers = observers_;
  for (auto& weak : observers) {
    if (auto o = weak.lock()) f(*o);
  }
  std::erase_if(observers_, [](const auto& w) { return w.expired(); });
}

void Container::MarkExited(UnixNanos now, int exit_code) {
  state_ = ContainerState::kExited;
  finished_at_ = now;
  exit_code_ = exit_code;
  NotifyLines();
  ForEachObserver([](ContainerObserver& o) { o.OnStopped(); });
}

void Container::MarkRemoved() {
  state_ = ContainerState::kRemoved;
  ForEachObserver([](ContainerObserver& o) { o.OnStopped(); });
}

void Container::NotifyLines() {
  if (!pending_notify_) return;
  pending_notify_ = false;
  ForEachObserver([](ContainerObserver& o) { o.OnLines(); });
}

bool Container::exit_due() const {
  return spec_.generator.exit_after != 0 && emitted() >= spec_.generator.exit_after;
}

void Container::Append(UnixNanos ts) {
  const GeneratorSpec& g = spec_.generator;
  LogEntry e;
  e.seq = next_seq_++;
  bool err = !spec_.tty && g.stderr_fraction > 0 &&
             std::uniform_real_distribution<double>(0, 1)(rng_) < g.stderr_fraction;
  // Only the stamp lags: last_ts_ below keeps the write time, so stdout
  // stamps and bursts are what they are without a lag.
  e.ts = err ? std::max<UnixNanos>(0, ts - g.stderr_lag_ns) : ts;
  e.stream = err ? StreamId::kStderr : StreamId::kStdout;
  uint32_t lo = std::min(g.min_bytes, g.max_bytes), hi = std::max(g.min_bytes, g.max_bytes);
  uint32_t bytes = lo == hi ? lo : std::uniform_int_distribution<uint32_t>(lo, hi)(rng_);
  e.bytes = std::max<uint32_t>(bytes, static_cast<uint32_t>(MinimumLineBytes(e.seq, e.stream)));
  (err ? emitted_stderr_ : emitted_stdout_)++;
  emitted_bytes_ += e.bytes + 1;
  history_.Append(e);
  last_ts_ = ts;
  pending_notify_ = true;
}

size_t Container::EmitDue(UnixNanos now) {
  const GeneratorSpec& g = spec_.generator;
  if (!running() || g.rate <= 0 || exit_due()) return 0;
  // A wall clock stepped back behind the epoch: nothing is due yet (and the
  // negative count below must never reach the unsigned cast).
  if (now < rate_epoch_) return 0;
  const double interval = 1e9 / g.rate;
  const uint64_t due = static_cast<uint64_t>(std::floor(static_cast<double>(now - rate_epoch_) / interval)) + 1;
  size_t n = 0;
  const uint32_t burst = std::max<uint32_t>(1, g.burst);
  while (emitted_since_epoch_ < due && !exit_due()) {
    uint64_t k = emitted_since_epoch_;
    uint64_t group_first = k - k % burst;
    UnixNanos ts = rate_epoch_ + static_cast<UnixNanos>(std::llround(static_cast<double>(group_first) * interval));
    bool same_group = k % burst != 0;
    // Never go back in time, and distinct groups never share a timestamp.
    if (!history_.empty() || last_ts_ != 0) ts = same_group ? last_ts_ : std::max(ts, last_ts_ + 1);
    Append(ts);
    ++emitted_since_epoch_;
    ++n;
  }
  return n;
}

size_t Container::EmitNow(UnixNanos now, size_t count, bool same_timestamp) {
  UnixNanos ts = std::max(now, last_ts_ + 1);
  for (size_t i = 0; i < count; ++i) {
    Append(ts);
    if (!same_timestamp) ++ts;
  }
  return count;
}

}  // namespace fakedocker
