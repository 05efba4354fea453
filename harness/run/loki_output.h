// A target's Loki output (scenario `target.output: loki`): leakbench's own
// Loki push endpoint on 127.0.0.1, every pushed line appended to a file in
// the run directory, so the output audit judges it like any other output.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/loki_push_receiver.h"
#include "common/unique_fd.h"

namespace leakbench::harness {

struct LokiOutputStats {
  std::uint64_t pushes = 0;    // pushes whose lines were taken
  std::uint64_t lines = 0;     // lines written to the file
  std::uint64_t rejected = 0;  // pushes answered 4xx (malformed, protobuf, gzip, ...)
  std::string last_rejection;  // why, for the last of them
  std::uint64_t write_errors = 0;  // lines that could not be written to the file
};

class LokiOutput {
 public:
  // Creates (truncates) `path` and starts listening. Throws
  // std::runtime_error, with the path or the socket error, when it cannot.
  explicit LokiOutput(const std::string& path);
  ~LokiOutput();
  LokiOutput(const LokiOutput&) = delete;
  LokiOutput& operator=(const LokiOutput&) = delete;

  // "http://127.0.0.1:PORT": what `{loki}` becomes (a Loki client adds
  // /loki/api/v1/push; log-capturer's sink is `loki:URL`).
  std::string url() const { return receiver_->url(); }
  const std::string& path() const { return path_; }
  LokiOutputStats stats() const;

 private:
  std::string path_;
  UniqueFd file_;
  std::atomic<std::uint64_t> write_errors_{0};
  std::unique_ptr<LokiPushReceiver> receiver_;
};

}  // namespace leakbench::harness
