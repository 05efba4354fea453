// The bucket bounds (seconds) of log_capturer_container_stream_age_seconds: what the engine observes into, and what leakbench's generated alert rules can compare a rotation bound against.
#pragma once

#include <array>

namespace logcap {

inline constexpr std::array<double, 6> kStreamAgeBucketsSeconds = {60, 120, 180, 240, 300, 360};

}  // namespace logcap
