#include "core/config/leak_kind.h"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/echo_value.h"
#include "core/config/join_names.h"

namespace logcap {
namespace {

constexpr std::pair<std::string_view, LeakKind> kNames[] = {
    {"none", LeakKind::kNone},
    {"thread", LeakKind::kThread},
    {"fd", LeakKind::kFd},
    {"memory", LeakKind::kMemory},
    {"stream", LeakKind::kStream},
    {"series-rotation", LeakKind::kSeriesRotation},
    {"series-container", LeakKind::kSeriesContainer},
};

}  // namespace

LeakKind ParseLeakKind(std::string_view name) {
  for (const auto& [spelling, kind] : kNames) {
    if (spelling == name) return kind;
  }
  std::vector<std::string_view> known;
  for (const auto& entry : kNames) known.push_back(entry.first);
  throw std::invalid_argument("expected one of " + JoinNames(known) + ", got " + leakbench::QuoteValue(name));
}

std::string_view LeakKindName(LeakKind kind) {
  for (const auto& [spelling, k] : kNames) {
    if (k == kind) return spelling;
  }
  return "?";
}

}  // namespace logcap
