#include "harness/run/loki_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace leakbench::harness {

LokiOutput::LokiOutput(const std::string& path) : path_(path) {
  file_.Reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
  if (!file_.valid()) {
    throw std::runtime_error("cannot create " + path + " for the Loki output: " + std::strerror(errno));
  }
  // One write per line, unbuffered: the audit reads the file while the
  // target is still pushing, and must never see half a line.
  receiver_ = std::make_unique<LokiPushReceiver>([this](std::string_view, std::string_view, std::string_view line) {
    std::string record(line);
    record.push_back('\n');
    std::size_t done = 0;
    while (done < record.size()) {
      const ssize_t n = ::write(file_.get(), record.data() + done, record.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ++write_errors_;
        return;
      }
      done += static_cast<std::size_t>(n);
    }
  });
}

LokiOutput::~LokiOutput() = default;

LokiOutputStats LokiOutput::stats() const {
  const LokiPushReceiver::Stats s = receiver_->stats();
  return {s.accepted, s.lines, s.rejected, receiver_->last_rejection(), write_errors_.load()};
}

}  // namespace leakbench::harness
