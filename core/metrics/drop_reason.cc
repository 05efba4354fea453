#include "core/metrics/drop_reason.h"

namespace logcap {

std::string_view ToString(DropReason reason) {
  switch (reason) {
    case DropReason::kReplayed: return "replayed";
    case DropReason::kTruncated: return "truncated";
    case DropReason::kSplit: return "split";
    case DropReason::kMalformed: return "malformed";
    case DropReason::kOther: return "other";
  }
  return "other";
}

}  // namespace logcap
