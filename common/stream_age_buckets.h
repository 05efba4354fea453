// The bucket bounds (seconds) of log_capturer_container_stream_age_seconds: what the engine observes into, and what leakbench's fleet judge and generated alert rules compare rotation interval + tolerance against.
// Part of log-capturer's metrics contract, so it lives in common/: the
// harness may not include core/ (docs/design.md, "The independence rule").
// Every minute up to 8 min (the 5-minute default and its tolerance), then
// coarser up to 2 h, so that a long rotation interval can still be judged.
#pragma once

#include <array>

namespace leakbench {

inline constexpr std::array<double, 14> kStreamAgeBucketsSeconds = {60,  120, 180, 240,  300,  360,  420,
                                                                    480, 600, 900, 1200, 1800, 3600, 7200};

}  // namespace leakbench
