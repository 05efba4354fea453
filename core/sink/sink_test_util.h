// Helpers shared by the sink tests (test-only): deadline-bounded waiting,
// unique temporary paths, whole-file reads, JSON Lines parsing, pipes and
// record construction. Plain functions on values; thread-safe.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/unique_fd.h"
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

// Every line of JSON Lines `text` parsed; fails the test for a line that is
// not JSON or a last line without '\n'.
inline std::vector<nlohmann::json> ParseJsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    EXPECT_NE(end, std::string::npos) << "torn last line: " << text.substr(at);
    if (end == std::string::npos) break;
    const nlohmann::json line = nlohmann::json::parse(text.substr(at, end - at), nullptr, false);
    EXPECT_FALSE(line.is_discarded()) << "not JSON: " << text.substr(at, end - at);
    lines.push_back(line);
    at = end + 1;
  }
  return lines;
}

// Both ends of a pipe (close-on-exec); fails the test when pipe2 does.
struct Pipe {
  leakbench::UniqueFd read;
  leakbench::UniqueFd write;
};

inline Pipe MakePipe() {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  return {leakbench::UniqueFd(fds[0]), leakbench::UniqueFd(fds[1])};
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
