#include "core/sink/jsonl_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <ctime>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "core/sink/buffered_sink.h"
#include "core/sink/json_line.h"

namespace logcap {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kFirstRetryDelay{10};
constexpr milliseconds kMaxRetryDelay{1000};
// Bytes per write() to a regular file (progress is reported per write).
constexpr std::size_t kFileWriteBytes = 1 << 20;

std::string ErrnoText(int error) { return std::generic_category().message(error); }

// After an EPIPE with SIGPIPE blocked in this thread, the signal is pending
// on it; take it so that it is never delivered.
void ConsumePendingSigpipe() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  const timespec zero = {0, 0};
  while (sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
  }
}

class JsonlTransport final : public SinkTransport {
 public:
  JsonlTransport(leakbench::UniqueFd fd, std::string description)
      : fd_(std::move(fd)), description_(std::move(description)) {
    struct stat st = {};
    regular_file_ = ::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode);
    wake_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_.valid()) {
      throw std::runtime_error("sink " + description_ + ": eventfd: " + ErrnoText(errno));
    }
  }

  bool Encode(const LogRecord& record, std::string& out) override {
    return AppendJsonLine(record, out);
  }

  void Deliver(std::string_view chunk, DeliveryContext& context) override {
    std::size_t offset = 0;
    milliseconds delay = kFirstRetryDelay;
    std::uint64_t failures = 0;
    while (offset < chunk.size() && !context.aborted()) {
      if (!regular_file_ && !WaitWritable()) continue;
      const std::size_t want =
          std::min(chunk.size() - offset, regular_file_ ? kFileWriteBytes : std::size_t{PIPE_BUF});
      const ssize_t n = ::write(fd_.get(), chunk.data() + offset, want);
      if (n > 0) {
        const std::string_view piece = chunk.substr(offset, static_cast<std::size_t>(n));
        // Escaped records hold no raw '\n': each one ends a record.
        const auto records = static_cast<std::uint64_t>(std::count(piece.begin(), piece.end(), '\n'));
        context.Written(piece.size(), records, piece.size());
        offset += piece.size();
        if (failures > 0) {
          spdlog::info("sink {}: writing again after {} failed writes", description_, failures);
          failures = 0;
          delay = kFirstRetryDelay;
        }
        continue;
      }
      const int error = n < 0 ? errno : EIO;  // write() of >0 bytes returning 0
      if (error == EINTR || error == EAGAIN) continue;  // EAGAIN: a non-blocking fd; poll again
      if (error == EPIPE) ConsumePendingSigpipe();
      context.Failed();
      if (failures++ == 0 || failures % 100 == 0) {
        spdlog::warn("sink {}: write failed ({} in a row): {}; retrying, lines wait in the buffer",
                     description_, failures, ErrnoText(error));
      }
      if (!context.WaitFor(delay)) return;
      delay = std::min(delay * 2, kMaxRetryDelay);
    }
  }

  void Abort() override {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_.get(), &one, sizeof one);
  }

  std::string description() const override { return description_; }

 private:
  // Waits until the fd takes a write (or reports an error, which the write
  // then returns). False when woken by Abort or a signal.
  bool WaitWritable() {
    pollfd fds[2] = {{fd_.get(), POLLOUT, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) return false;
    if (fds[1].revents != 0) return false;
    return fds[0].revents != 0;
  }

  leakbench::UniqueFd fd_;
  leakbench::UniqueFd wake_;  // eventfd: Abort wakes WaitWritable
  const std::string description_;
  bool regular_file_ = false;
};

}  // namespace

std::unique_ptr<Sink> MakeJsonlSink(leakbench::UniqueFd fd, std::string description,
                                    std::size_t buffer_bytes) {
  return std::make_unique<BufferedSink>(
      std::make_unique<JsonlTransport>(std::move(fd), std::move(description)),
      BufferedSinkOptions{.buffer_bytes = buffer_bytes});
}

std::unique_ptr<Sink> MakeJsonlFileSink(const std::string& path, std::size_t buffer_bytes) {
  leakbench::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    const int error = errno;
    throw std::runtime_error("cannot open sink file " + path + ": " + ErrnoText(error) +
                             " (check that the directory exists and this user may write there)");
  }
  return MakeJsonlSink(std::move(fd), "file:" + path, buffer_bytes);
}

std::unique_ptr<Sink> MakeJsonlStdoutSink(std::size_t buffer_bytes) {
  leakbench::UniqueFd fd(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
  if (!fd.valid()) {
    const int error = errno;
    throw std::runtime_error("cannot use stdout as the sink: " + ErrnoText(error) +
                             " (is fd 1 closed?)");
  }
  return MakeJsonlSink(std::move(fd), "stdout", buffer_bytes);
}

}  // namespace logcap
