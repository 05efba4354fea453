#include "core/engine/stream_scheduler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace logcap {

StreamScheduler::StreamScheduler(Options options, Uniform uniform)
    : options_(options), uniform_(std::move(uniform)) {
  if (options_.max_streams < 1 || options_.rotation <= Duration(0) || !uniform_) {
    std::fprintf(stderr, "StreamScheduler: max_streams >= 1 and rotation > 0 required\n");
    std::abort();
  }
  if (options_.oversubscribed_lease <= Duration(0) || options_.oversubscribed_lease > options_.rotation) {
    options_.oversubscribed_lease = std::max(options_.oversubscribed_lease, Duration(0));
    if (options_.oversubscribed_lease == Duration(0)) options_.oversubscribed_lease = options_.rotation / 4;
    options_.oversubscribed_lease = std::min(options_.oversubscribed_lease, options_.rotation);
  }
  if (options_.max_opens_per_second > 0 && std::isfinite(options_.max_opens_per_second)) {
    const auto turnover = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(
        static_cast<double>(options_.max_streams) / options_.max_opens_per_second));
    options_.oversubscribed_lease = std::min(options_.rotation, std::max(options_.oversubscribed_lease, turnover));
  }
}

StreamScheduler::Duration StreamScheduler::LeaseLength(bool oversubscribed, double fraction) const {
  const Duration length = oversubscribed ? options_.oversubscribed_lease : options_.rotation;
  const Duration jitter = std::min(std::max(options_.jitter, Duration(0)), length / 4);
  return length - std::chrono::duration_cast<Duration>(jitter * fraction);
}

void StreamScheduler::Enqueue(const std::string& id, TimePoint now, TimePoint not_before) {
  if (active_.count(id) != 0) return;
  auto it = waiting_.find(id);
  if (it != waiting_.end()) {
    it->second.not_before = not_before;
    return;
  }
  const auto added = waiting_.emplace(id, Waiting{now, not_before}).first;
  queue_.push_back(&added->first);
  CutLeases();
}

bool StreamScheduler::Remove(const std::string& id) {
  if (auto w = waiting_.find(id); w != waiting_.end()) {
    queue_.erase(std::find(queue_.begin(), queue_.end(), &w->first));
    waiting_.erase(w);
  }
  return active_.erase(id) != 0;
}

void StreamScheduler::Release(const std::string& id) { active_.erase(id); }

void StreamScheduler::CutLeases() {
  if (!Oversubscribed()) return;
  for (auto& [id, a] : active_) {
    if (a.started) a.lease_end = std::min(a.lease_end, a.opened + LeaseLength(true, a.fraction));
  }
}

void StreamScheduler::Opened(const std::string& id, TimePoint now) {
  auto it = active_.find(id);
  if (it == active_.end() || it->second.started) return;
  it->second.started = true;
  StartLease(it->second, now);
}

void StreamScheduler::Answered(const std::string& id, TimePoint now) {
  auto it = active_.find(id);
  if (it == active_.end() || !it->second.started) return;
  StartLease(it->second, now);
}

void StreamScheduler::HoldUntil(const std::string& id, TimePoint until) {
  auto it = active_.find(id);
  if (it == active_.end() || !it->second.started) return;
  it->second.lease_end = until;
}

void StreamScheduler::StartLease(Active& a, TimePoint now) const {
  a.opened = now;
  a.lease_end = now + a.length;
  if (Oversubscribed()) a.lease_end = std::min(a.lease_end, now + LeaseLength(true, a.fraction));
}

std::vector<StreamScheduler::Grant> StreamScheduler::GrantSlots(TimePoint now) {
  std::vector<Grant> grants;
  for (auto it = queue_.begin(); it != queue_.end() && active_.size() < options_.max_streams;) {
    auto w = waiting_.find(**it);
    if (w->second.not_before > now) {
      ++it;
      continue;
    }
    const double fraction = uniform_();
    it = queue_.erase(it);
    auto node = waiting_.extract(w);  // the id moves into the grant
    Grant grant{std::move(node.key()), now - node.mapped().enqueued, TimePoint{}};
    // Oversubscribed: once this slot is taken, more containers wait than
    // there are free slots left for them. (Not merely "someone waits": those
    // granted later in this same round would not have to wait at all.)
    const bool oversubscribed = queue_.size() > options_.max_streams - (active_.size() + 1);
    const Duration length = LeaseLength(oversubscribed, fraction);
    const bool started = !options_.lease_starts_at_open;
    grant.lease_end = now + (started ? length : options_.rotation);
    active_.emplace(grant.id, Active{now, grant.lease_end, fraction, length, started});
    grants.push_back(std::move(grant));
  }
  CutLeases();
  return grants;
}

std::vector<std::string> StreamScheduler::Expired(TimePoint now) const {
  std::vector<std::string> ids;
  for (const auto& [id, a] : active_) {
    if (a.lease_end <= now) ids.push_back(id);
  }
  // Equal lease ends are ordered by id, not by the hash map's whim, so the
  // order the engine re-enqueues them in (their turn) is deterministic.
  std::sort(ids.begin(), ids.end(), [this](const std::string& x, const std::string& y) {
    const TimePoint ex = active_.at(x).lease_end;
    const TimePoint ey = active_.at(y).lease_end;
    return ex != ey ? ex < ey : x < y;
  });
  return ids;
}

std::optional<StreamScheduler::TimePoint> StreamScheduler::NextDeadline() const {
  std::optional<TimePoint> next;
  auto consider = [&next](TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [id, a] : active_) consider(a.lease_end);
  if (active_.size() < options_.max_streams) {
    for (const auto& [id, w] : waiting_) consider(w.not_before);
  }
  return next;
}

std::optional<StreamScheduler::TimePoint> StreamScheduler::LeaseEnd(const std::string& id) const {
  auto it = active_.find(id);
  if (it == active_.end()) return std::nullopt;
  return it->second.lease_end;
}

}  // namespace logcap
