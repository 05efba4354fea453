// Decides which containers may hold one of the max_streams follow-stream
// slots, and until when: the pool and the rotation timer in one place, with
// time passed in (no clock, no I/O), so the cap, the leases and the
// fairness are unit-tested with an injected clock.
//
// Leases: a stream may live at most `rotation`; each lease is drawn in
// [L - j, L] (j = min(jitter, L/4)) so that many streams opened together do
// not all reopen in the same instant, and none outlives L. While containers
// wait for a slot (oversubscribed), L is the shorter `oversubscribed_lease`
// and leases already running are cut down to it, so waiting containers get
// their turn soon. Turns are fair: waiting containers form one FIFO queue, a
// released container goes to its back, and one in backoff (not_before in
// the future) keeps its place without blocking those behind it.
//
// Opens are rate-limited (max_opens_per_second), so a pool of max_streams
// slots cannot turn over faster than that: the oversubscribed lease is never
// shorter than max_streams / max_opens_per_second, or leases would end
// before the opens they were granted for. With lease_starts_at_open, a
// lease's clock starts when the engine reports the stream open (Opened()),
// not at the grant: the wait for the open budget and the inspect are not
// taken out of the container's turn. Until then the slot is held at most
// `rotation` (a stuck open cannot keep it for good). The engine restarts the
// lease when the daemon answers (Answered()) and holds a lease whose
// request is still unanswered until a deadline (HoldUntil()).
//
// Not thread-safe: owned by the engine on its loop thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace logcap {

class StreamScheduler {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;
  using Duration = std::chrono::nanoseconds;
  // Uniform doubles in [0, 1) for the jitter.
  using Uniform = std::function<double()>;

  struct Options {
    std::size_t max_streams = 50;
    Duration rotation = std::chrono::minutes(5);
    Duration jitter = std::chrono::seconds(10);
    // 0: rotation / 4. Raised to max_streams / max_opens_per_second.
    Duration oversubscribed_lease = Duration(0);
    // 0: opens are not limited.
    double max_opens_per_second = 0;
    bool lease_starts_at_open = false;
  };

  struct Grant {
    std::string id;
    Duration waited;      // since it was enqueued
    TimePoint lease_end;  // when the stream must be closed (see lease_starts_at_open)
  };

  // Requires max_streams >= 1 and rotation > 0 (checked, aborts).
  StreamScheduler(Options options, Uniform uniform);

  // The container wants a stream: it joins the back of the queue and is not
  // granted a slot before `not_before`. Enqueueing a waiting container only
  // moves its not_before; an active one is ignored.
  void Enqueue(const std::string& id, TimePoint now, TimePoint not_before);
  // Forgets the container. Returns true if it held a slot (now free).
  bool Remove(const std::string& id);
  // Frees the slot of an active container (its stream closed). It does not
  // wait for another turn unless Enqueue()d again.
  void Release(const std::string& id);

  // Gives free slots to eligible waiting containers, in queue order.
  std::vector<Grant> GrantSlots(TimePoint now);
  // The container's stream is open (lease_starts_at_open): its lease runs
  // from `now`. Ignored for a container without a slot or already open.
  void Opened(const std::string& id, TimePoint now);
  // The daemon answered the container's follow request: the lease runs from
  // `now` (drawn length, cut as at the open when oversubscribed), so a
  // daemon slow to answer does not see the stream rotated away at once.
  // Ignored for a container without an open stream.
  void Answered(const std::string& id, TimePoint now);
  // The lease of an open stream ends at `until` instead (a request still
  // unanswered at its lease end waits for its answer up to a deadline).
  void HoldUntil(const std::string& id, TimePoint until);
  // The lease of a stream outside the pool (the engine's /events stream),
  // drawn like a slot's lease when nobody waits: in [rotation - j, rotation].
  // It holds no slot and is never cut.
  Duration DrawLease() { return LeaseLength(false, uniform_()); }
  // Active containers whose lease has ended.
  std::vector<std::string> Expired(TimePoint now) const;
  // The earliest moment at which GrantSlots or Expired can change their
  // answer (a lease end, or a backoff end while a slot is free).
  std::optional<TimePoint> NextDeadline() const;

  std::size_t active() const { return active_.size(); }
  std::size_t waiting() const { return queue_.size(); }
  bool IsActive(const std::string& id) const { return active_.count(id) != 0; }
  bool IsWaiting(const std::string& id) const { return waiting_.count(id) != 0; }
  std::optional<TimePoint> LeaseEnd(const std::string& id) const;
  const Options& options() const { return options_; }

 private:
  struct Active {
    TimePoint opened;     // the lease's start: the grant, or the open
    TimePoint lease_end;
    double fraction;      // its jitter draw, reused when the lease is cut
    Duration length;      // the lease drawn at the grant
    bool started = true;  // false while the open is awaited
  };
  struct Waiting {
    TimePoint enqueued;
    TimePoint not_before;
  };

  Duration LeaseLength(bool oversubscribed, double fraction) const;
  void StartLease(Active& a, TimePoint now) const;
  bool Oversubscribed() const { return !queue_.empty() && active_.size() >= options_.max_streams; }
  void CutLeases();

  Options options_;
  Uniform uniform_;
  // Waiting ids in fair order: pointers to the keys of waiting_ (stable
  // while the entry exists), so a waiting container's 64-hex id is stored
  // once here, not twice.
  std::deque<const std::string*> queue_;
  std::unordered_map<std::string, Waiting> waiting_;
  std::unordered_map<std::string, Active> active_;
};

}  // namespace logcap
