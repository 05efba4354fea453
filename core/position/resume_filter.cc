#include "core/position/resume_filter.h"

#include <utility>

namespace logcap {

ResumeFilter::ResumeFilter(Position resume_from)
    : from_(std::move(resume_from)), remaining_(from_.replay_count()) {}

ResumeFilter::Verdict ResumeFilter::Accept(std::int64_t ts_ns) {
  if (from_.empty()) return Verdict::kPass;
  if (ts_ns < from_.since_ns) {
    ++before_since_dropped_;
    return Verdict::kDropBeforeSince;
  }
  if (remaining_ == 0) return Verdict::kPass;
  if (ts_ns <= from_.ts_ns) {
    --remaining_;
    ++replayed_dropped_;
    return Verdict::kDropReplayed;
  }
  // A later frame while replayed ones are still owed: the daemon no longer
  // holds them. Never drop what comes after.
  ++short_replays_;
  missing_frames_ += remaining_;
  remaining_ = 0;
  return Verdict::kPass;
}

}  // namespace logcap
