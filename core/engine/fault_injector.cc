#include "core/engine/fault_injector.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <limits>

#include "core/config/fault_kind.h"

namespace logcap {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

// a + b without overflow (timestamps from a daemon are not trusted).
std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b) return std::numeric_limits<std::int64_t>::max();
  if (b < 0 && a < std::numeric_limits<std::int64_t>::min() - b) return std::numeric_limits<std::int64_t>::min();
  return a + b;
}

}  // namespace

FaultInjector::FaultInjector(const FaultConfig& config)
    : config_(config),
      drop_every_(config.drop_line_every),
      skip_every_(config.skip_container_every),
      error_every_(config.error_lines_every),
      rewind_ns_(config.duplicate_on_reopen ? std::chrono::nanoseconds(kDuplicateRewind).count() : 0),
      late_ns_(static_cast<std::int64_t>(config.late_since_seconds) * kNsPerSecond) {
  if (!config_.any()) return;
  threads_.reserve(config_.threads_at_start);
  for (std::uint32_t i = 0; i < config_.threads_at_start; ++i) {
    threads_.emplace_back([this](std::stop_token stop) {
      pthread_setname_np(pthread_self(), "lc-fault-idle");
      std::unique_lock lock(mutex_);
      wake_.wait(lock, stop, [] { return false; });
    });
  }
  spdlog::warn("INJECTING FAULTS (--inject-fault, for leakbench's negative controls): {}; this engine loses, "
               "duplicates, skips or misreports on purpose",
               DescribeFaults(config_));
}

FaultInjector::~FaultInjector() {
  for (auto& t : threads_) t.request_stop();  // all wake at once, then each is joined
  threads_.clear();
}

void FaultInjector::CountLine(bool dropped) {
  ++lines_seen_;
  if (dropped) dropped_lines_.fetch_add(1, std::memory_order_relaxed);
}

bool FaultInjector::SkipNextContainer() {
  if (++containers_seen_ % skip_every_ != 0) return false;
  skipped_containers_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void FaultInjector::OnRotation() {
  if (++rotations_ % error_every_ != 0) return;
  const std::uint64_t n = error_lines_.fetch_add(1, std::memory_order_relaxed) + 1;
  spdlog::error("injected fault (--inject-fault error-lines:{}): error line {} at rotation {}; nothing failed",
                error_every_, n, rotations_);
}

std::int64_t FaultInjector::ReopenSinceNs(std::int64_t last_ts_ns) const {
  return SaturatingAdd(last_ts_ns, late_ns_ != 0 ? late_ns_ : -rewind_ns_);
}

}  // namespace logcap
