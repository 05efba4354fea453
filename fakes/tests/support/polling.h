// Bounded waiting for tests: poll a condition until it holds or a deadline
// passes, instead of sleeping and hoping. Header-only; thread-compatible.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

namespace leakbench::testing {

// Polls `pred` every few milliseconds until it holds or `limit` passes;
// returns whether it held.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(2)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Time left until `until`, never negative: for deadlines of successive reads.
inline std::chrono::milliseconds Left(std::chrono::steady_clock::time_point until) {
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    until - std::chrono::steady_clock::now()));
}

}  // namespace leakbench::testing
