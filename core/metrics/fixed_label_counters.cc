#include "core/metrics/fixed_label_counters.h"

namespace logcap {

FixedLabelCounters::FixedLabelCounters(prometheus::Family<prometheus::Counter>& family,
                                       const std::string& label,
                                       std::initializer_list<std::string_view> values) {
  for (const std::string_view value : values) {
    counters_.emplace(std::string(value), &family.Add({{label, std::string(value)}}));
  }
  other_ = &family.Add({{label, std::string(kOther)}});
}

void FixedLabelCounters::Add(std::string_view value, double n) {
  const auto it = counters_.find(value);
  (it == counters_.end() ? other_ : it->second)->Increment(n);
}

}  // namespace logcap
