// Keeps every message logged through spdlog (the payload, without the
// pattern, and its level) while it is the default logger; restores the
// previous one at destruction. For tests that check what the engine logged.
// Thread-safe: the engine's threads log, the test thread reads.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace logcap::testing {

class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("captured-log", std::make_shared<Sink>(this));
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.second);
    return out;
  }
  // Messages at `level` (e.g. spdlog::level::err).
  std::vector<std::string> MessagesAt(spdlog::level::level_enum level) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [l, m] : entries_) {
      if (l == level) out.push_back(m);
    }
    return out;
  }
  std::size_t Count(const std::string& needle) const {
    const auto all = messages();
    return static_cast<std::size_t>(
        std::count_if(all.begin(), all.end(), [&](const std::string& m) { return m.find(needle) != std::string::npos; }));
  }

 private:
  class Sink : public spdlog::sinks::base_sink<std::mutex> {
   public:
    explicit Sink(CapturedLog* owner) : owner_(owner) {}

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
      std::lock_guard lock(owner_->mutex_);
      owner_->entries_.emplace_back(msg.level, std::string(msg.payload.data(), msg.payload.size()));
    }
    void flush_() override {}

   private:
    CapturedLog* owner_;
  };

  std::shared_ptr<spdlog::logger> previous_;
  mutable std::mutex mutex_;
  std::vector<std::pair<spdlog::level::level_enum, std::string>> entries_;
};

}  // namespace logcap::testing
