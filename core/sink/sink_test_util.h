// Helpers shared by the sink tests (test-only): deadline-bounded waiting,
// unique temporary paths, whole-file reads and record construction. Plain
// functions on values; thread-safe.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>

#include <gtest/gtest.h>

#include "core/sink/log_record.h"

namespace logcap::testing_util {

// Polls `done` every millisecond until it holds or `timeout` passes; true if
// it held. For state owned by another thread (a sink's writer) that offers
// no condition variable to wait on.
template <class Predicate>
bool WaitUntil(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A path under gtest's temporary directory that no other test (or test
// process) uses.
inline std::string UniqueTempPath(std::string_view stem) {
  static std::atomic<int> counter{0};
  return ::testing::TempDir() + "logcap_sink_" + std::string(stem) + "_" +
         std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline LogRecord Record(std::string_view name, std::string_view line, std::int64_t ts_ns = 0,
                        RecordStream stream = RecordStream::kStdout) {
  LogRecord record;
  record.ts_ns = ts_ns;
  record.container_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  record.container_name = name;
  record.stream = stream;
  record.line = line;
  return record;
}

}  // namespace logcap::testing_util
