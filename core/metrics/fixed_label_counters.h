// A counter family whose one label takes values from a fixed list, created
// at zero up front (so rate() works from the first scrape) and with every
// unknown value counted under "other": label cardinality stays bounded
// whatever the callers pass. Used for dropped lines by reason (stream
// errors are typed: ErrorType). The family is owned by the caller's
// prometheus::Registry and must outlive this object. Thread-safe: the set of
// series never changes after construction and counters are atomic.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace logcap {

class FixedLabelCounters {
 public:
  static constexpr std::string_view kOther = "other";

  // `values` need not list "other"; it is always added.
  FixedLabelCounters(prometheus::Family<prometheus::Counter>& family, const std::string& label,
                     std::initializer_list<std::string_view> values);

  void Add(std::string_view value, double n = 1);

 private:
  std::map<std::string, prometheus::Counter*, std::less<>> counters_;
  prometheus::Counter* other_ = nullptr;
};

}  // namespace logcap
