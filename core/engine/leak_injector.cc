#include "core/engine/leak_injector.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace logcap {

LeakInjector::LeakInjector(LeakKind kind, EngineMetrics& metrics, std::uint32_t every)
    : kind_(kind), metrics_(metrics), every_(std::max<std::uint32_t>(every, 1)) {
  if (kind_ == LeakKind::kSeriesContainer) metrics_.SetKeepRemovedSeries(true);
}

LeakInjector::~LeakInjector() {
  for (auto& t : threads_) t.request_stop();
  wake_.notify_all();
  threads_.clear();  // joins
}

void LeakInjector::OnRotation() {
  constexpr std::size_t kBlock = 64 << 10;
  leak_now_ = ++rotations_ % every_ == 0;
  if (!leak_now_) return;
  switch (kind_) {
    case LeakKind::kNone:
    case LeakKind::kStream:  // the engine keeps the stream itself
    case LeakKind::kSeriesContainer:
      if (kind_ == LeakKind::kStream) ++leaked_;
      return;
    case LeakKind::kThread:
      threads_.emplace_back([this](std::stop_token stop) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, stop, [] { return false; });
      });
      break;
    case LeakKind::kFd: {
      int fds[2];
      if (pipe2(fds, O_CLOEXEC) == 0) {
        fds_.emplace_back(fds[0]);
        fds_.emplace_back(fds[1]);
      }
      break;
    }
    case LeakKind::kMemory: {
      auto block = std::make_unique<char[]>(kBlock);
      std::memset(block.get(), static_cast<int>(leaked_ & 0xff) | 1, kBlock);  // resident, not just reserved
      blocks_.push_back(std::move(block));
      break;
    }
    case LeakKind::kSeriesRotation:
      metrics_.AddLeakedSeries("rotation-" + std::to_string(leaked_));
      break;
  }
  ++leaked_;
}

}  // namespace logcap
