// Why the engine did not hand a line to the sink as read, counted in
// log_capturer_lines_dropped_total{reason}: one enum shared by the engine
// (which reports drops) and the metrics (which create one series per reason
// up front), so a reason cannot be misspelt. ToString gives the exported
// label value; these strings are part of the metrics' interface (tests,
// soak dashboards and alerts match them). Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace logcap {

enum class DropReason {
  kReplayed,   // a frame already delivered before a reopen
  kTruncated,  // a line cut at the length limit
  kSplit,      // a long line split into pieces
  kMalformed,  // an undecodable frame
  kOther,      // anything else
};

// Every reason, in enum order (the order the series are created in).
inline constexpr std::array<DropReason, 5> kAllDropReasons = {
    DropReason::kReplayed, DropReason::kTruncated, DropReason::kSplit, DropReason::kMalformed,
    DropReason::kOther};

// kAllDropReasons[i] is the reason whose value is i (the metrics index by it).
constexpr bool DropReasonsInEnumOrder() {
  for (std::size_t i = 0; i < kAllDropReasons.size(); ++i) {
    if (static_cast<std::size_t>(kAllDropReasons[i]) != i) return false;
  }
  return true;
}
static_assert(DropReasonsInEnumOrder() && kAllDropReasons.back() == DropReason::kOther,
              "kAllDropReasons must list every DropReason in enum order");

// The label value: "replayed", "truncated", "split", "malformed", "other".
std::string_view ToString(DropReason reason);

}  // namespace logcap
