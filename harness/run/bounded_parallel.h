// Runs fn(0) .. fn(n-1) on at most `width` threads at once (e.g. creating
// 200 containers through the Docker API, which a daemon serves in
// parallel); returns when every call is done and then rethrows the first
// exception one of them threw (the others still ran). fn must be safe to
// call from several threads at once.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace leakbench::harness {

inline void BoundedParallel(std::size_t n, std::size_t width, const std::function<void(std::size_t)>& fn) {
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::exception_ptr first;
  auto worker = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        fn(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mu);
        if (!first) first = std::current_exception();
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    const std::size_t count = std::min(n, std::max<std::size_t>(width, 1));
    for (std::size_t k = 1; k < count; ++k) threads.emplace_back(worker);
    worker();
  }  // joined here
  if (first) std::rethrow_exception(first);
}

}  // namespace leakbench::harness
