#include "harness/run/stream_truth.h"

#include <algorithm>
#include <map>
#include <utility>

namespace leakbench::harness {

StreamTimeline::StreamTimeline(const std::vector<FollowStream>& streams) {
  for (const FollowStream& s : streams) {
    requested_.Add(s.opened_at_ns, s.closed_at_ns, s.open);
    const bool answered = s.answered_at_ns != 0 && (s.open || s.answered_at_ns <= s.closed_at_ns);
    if (answered) answered_.Add(s.answered_at_ns, s.closed_at_ns, s.open);
    opens_.push_back(s.opened_at_ns);
    if (s.closed_by_client()) client_closes_.push_back(s.closed_at_ns);
  }
  requested_.Finish();
  answered_.Finish();
  std::sort(client_closes_.begin(), client_closes_.end());
  std::sort(opens_.begin(), opens_.end());
}

StreamTimeline::Range StreamTimeline::OpenDuring(std::int64_t from_ns, std::int64_t to_ns) const {
  return {answered_.Over(from_ns, to_ns).min, requested_.Over(from_ns, to_ns).max};
}

void StreamTimeline::Steps::Add(std::int64_t from_ns, std::int64_t to_ns, bool open) {
  events_.push_back({from_ns, +1});
  if (!open) events_.push_back({to_ns, -1});
}

void StreamTimeline::Steps::Finish() {
  std::sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
    return a.at != b.at ? a.at < b.at : a.delta > b.delta;
  });
  count_after_.reserve(events_.size());
  std::int64_t open = 0;
  for (const Event& e : events_) {
    open += e.delta;
    count_after_.push_back(open);
  }
}

StreamTimeline::Range StreamTimeline::Steps::Over(std::int64_t from_ns, std::int64_t to_ns) const {
  // Open at from_ns: every event at or before it applied.
  auto it = std::upper_bound(events_.begin(), events_.end(), from_ns,
                             [](std::int64_t t, const Event& e) { return t < e.at; });
  std::size_t i = static_cast<std::size_t>(it - events_.begin());
  std::int64_t open = i == 0 ? 0 : count_after_[i - 1];
  std::int64_t lo = open, hi = open;
  for (; i < events_.size() && events_[i].at <= to_ns; ++i) {
    open = count_after_[i];
    lo = std::min(lo, open);
    hi = std::max(hi, open);
  }
  return {static_cast<std::uint64_t>(std::max<std::int64_t>(lo, 0)),
          static_cast<std::uint64_t>(std::max<std::int64_t>(hi, 0))};
}

std::uint64_t StreamTimeline::ClosedByClientAt(std::int64_t at_ns) const {
  return static_cast<std::uint64_t>(std::upper_bound(client_closes_.begin(), client_closes_.end(), at_ns) -
                                    client_closes_.begin());
}

std::uint64_t StreamTimeline::OpenedAt(std::int64_t at_ns) const {
  return static_cast<std::uint64_t>(std::upper_bound(opens_.begin(), opens_.end(), at_ns) - opens_.begin());
}

StreamAges AgesOf(const std::vector<FollowStream>& streams, std::int64_t now_ns, double now_t) {
  StreamAges a;
  a.streams = streams.size();
  std::vector<double> closed;
  std::vector<StreamAges::Rotation> rotations;
  for (const FollowStream& s : streams) {
    const std::int64_t end = s.open ? now_ns : s.closed_at_ns;
    const double age = static_cast<double>(end - s.opened_at_ns) / 1e9;
    // However it ended, the target held the stream this long: a stream the
    // daemon ended at 25 s was one the target never rotated. Only the
    // streams the target closed are its rotations.
    a.max_age_s = std::max(a.max_age_s, age);
    if (!s.open && s.closed_by_client()) {
      closed.push_back(age);
      rotations.push_back({now_t - static_cast<double>(now_ns - s.closed_at_ns) / 1e9, age});
    }
  }
  a.rotated = closed.size();
  if (!closed.empty()) {
    std::sort(closed.begin(), closed.end());
    a.median_age_s = closed[closed.size() / 2];
    a.p95_age_s = closed[std::min(closed.size() - 1, closed.size() * 95 / 100)];
  }
  std::sort(rotations.begin(), rotations.end(), [](const auto& x, const auto& y) { return x.t < y.t; });
  if (rotations.size() <= kMaxRotationRecords) {
    a.rotations = std::move(rotations);
  } else {
    for (std::size_t i = 0; i < kMaxRotationRecords; ++i) {
      a.rotations.push_back(rotations[i * (rotations.size() - 1) / (kMaxRotationRecords - 1)]);
    }
  }
  return a;
}

namespace {

struct Coverage {
  std::uint64_t distinct = 0;  // seqs in the union of the intervals, within [1, limit]
  std::uint64_t twice = 0;     // sum of interval lengths minus the union
  std::uint64_t max_last = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps;  // within [1, limit]
};

// `intervals` sorted by first; `limit` caps what counts as emitted.
Coverage Cover(std::vector<std::pair<std::uint64_t, std::uint64_t>>& intervals, std::uint64_t limit) {
  Coverage c;
  std::sort(intervals.begin(), intervals.end());
  std::uint64_t covered_to = 0;  // every seq in [1, covered_to] seen so far (when no gap)
  std::uint64_t sum = 0, uni = 0;
  for (const auto& [first, last] : intervals) {
    sum += last - first + 1;
    c.max_last = std::max(c.max_last, last);
    if (first > covered_to + 1 && covered_to < limit) {
      c.gaps.emplace_back(covered_to + 1, std::min(first - 1, limit));
    }
    if (last > covered_to) {
      const std::uint64_t from = std::max(first, covered_to + 1);
      uni += last - from + 1;
      if (from <= limit) c.distinct += std::min(last, limit) - from + 1;
      covered_to = last;
    }
  }
  if (covered_to < limit) c.gaps.emplace_back(covered_to + 1, limit);
  c.twice = sum - uni;
  return c;
}

}  // namespace

Delivery JudgeDelivery(const std::vector<FollowStream>& streams, const std::vector<FakeContainer>& containers,
                       std::int64_t cutoff_ns) {
  Delivery d;
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> by_container;
  for (const FollowStream& s : streams) {
    auto& v = by_container[s.container_id];
    if (!s.seq_ranges.empty()) {
      v.insert(v.end(), s.seq_ranges.begin(), s.seq_ranges.end());
    } else if (s.lines_sent > 0 && s.first_seq > 0 && s.last_seq >= s.first_seq) {
      v.emplace_back(s.first_seq, s.last_seq);
    }
  }
  auto note_gaps = [&d](const std::string& id, const Coverage& c) {
    for (const auto& [a, b] : c.gaps) {
      if (d.examples.size() >= 5) return;
      d.examples.push_back(id.substr(0, 12) + ": seq " + std::to_string(a) + (a == b ? "" : ".." + std::to_string(b)) +
                           " never sent");
    }
  };
  std::map<std::string, const FakeContainer*> live;
  for (const FakeContainer& c : containers) live[c.id] = &c;
  for (const FakeContainer& c : containers) {
    auto& intervals = by_container[c.id];
    const bool started_early = c.started_at_ns != 0 && c.started_at_ns <= cutoff_ns;
    if (!started_early || c.emitted == 0) {
      if (c.emitted > 0) ++d.containers_too_young;
      Coverage any = Cover(intervals, 0);
      d.delivered_twice += any.twice;
      continue;
    }
    Coverage cov = Cover(intervals, c.emitted);
    ++d.containers;
    d.lines_emitted += c.emitted;
    d.lines_delivered += cov.distinct;
    d.lost_at_source += c.emitted - cov.distinct;
    d.delivered_twice += cov.twice;
    if (cov.distinct > 0) ++d.containers_delivered;
    note_gaps(c.id, cov);
  }
  for (auto& [id, intervals] : by_container) {
    if (live.contains(id) || intervals.empty()) continue;
    ++d.containers_gone;
    Coverage probe = Cover(intervals, 0);  // max_last only
    Coverage cov = Cover(intervals, probe.max_last);
    d.lost_at_source += probe.max_last - cov.distinct;
    d.delivered_twice += cov.twice;
    note_gaps(id, cov);
  }
  return d;
}

}  // namespace leakbench::harness
