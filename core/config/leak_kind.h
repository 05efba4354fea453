// Spellings of the fault-injection kinds (--inject-leak KIND): "none",
// "thread", "fd", "memory", "stream", "series-rotation", "series-container".
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "core/config/config.h"

namespace logcap {

// Throws std::invalid_argument listing the accepted names.
LeakKind ParseLeakKind(std::string_view name);
std::string_view LeakKindName(LeakKind kind);

}  // namespace logcap
