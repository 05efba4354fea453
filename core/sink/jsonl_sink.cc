#include "core/sink/jsonl_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "core/sink/buffered_sink.h"
#include "core/sink/json_line.h"
#include "core/sink/jsonl_file_ops.h"

namespace logcap {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kFirstRetryDelay{10};
constexpr milliseconds kMaxRetryDelay{1000};
// After a failed rotation or reopen, how long the writer keeps appending to
// the file it has before it tries again.
constexpr std::chrono::seconds kPathRetryDelay{1};
// Bytes per write() to a regular file or a descriptor that never blocks
// (progress is reported per write).
constexpr std::size_t kMaxWriteBytes = 1 << 20;

// How the writer waits for its descriptor.
enum class FdMode {
  kRegular,      // a regular file: write, never wait
  kNonBlocking,  // O_NONBLOCK on a description no one else uses (or set by
                 // its owner): write large blocks, poll only after EAGAIN
  kSocket,       // send(MSG_DONTWAIT): the same without touching the flags
  kBlocking,     // a blocking pipe/terminal shared with others: poll, then
                 // at most PIPE_BUF bytes, so a write never blocks
};

// '\n's in `text` (memchr, not a byte loop).
std::uint64_t CountNewlines(std::string_view text) {
  std::uint64_t n = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (hit == nullptr) break;
    ++n;
    p = static_cast<const char*>(hit) + 1;
  }
  return n;
}

// Decides how to write to `fd` (non-regular ones may be replaced by a
// private non-blocking description of the same pipe). `owned`: the sink
// opened the description itself (a path), so its flags are the sink's to
// set. A description shared with other processes (our stdout) keeps its
// flags: setting O_NONBLOCK there would surprise whoever else writes to it.
FdMode PrepareFd(leakbench::UniqueFd& fd, bool owned) {
  struct stat st = {};
  if (::fstat(fd.get(), &st) != 0) return FdMode::kBlocking;
  if (S_ISREG(st.st_mode)) return FdMode::kRegular;
  if (S_ISSOCK(st.st_mode)) return FdMode::kSocket;
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0) return FdMode::kBlocking;
  if ((flags & O_NONBLOCK) != 0) return FdMode::kNonBlocking;
  if (owned) {
    return ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) == 0 ? FdMode::kNonBlocking
                                                                : FdMode::kBlocking;
  }
  if (S_ISFIFO(st.st_mode)) {
    // Opening a pipe through /proc gives a new description of the same pipe,
    // ours alone. O_NONBLOCK: fails (ENXIO) instead of waiting when the
    // reader is gone; the write then reports the EPIPE.
    const std::string self = "/proc/self/fd/" + std::to_string(fd.get());
    leakbench::UniqueFd own(::open(self.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    struct stat own_st = {};
    if (own.valid() && ::fstat(own.get(), &own_st) == 0 && own_st.st_dev == st.st_dev &&
        own_st.st_ino == st.st_ino) {
      fd = std::move(own);
      return FdMode::kNonBlocking;
    }
  }
  return FdMode::kBlocking;
}

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

// The write loop of every JSON Lines sink. `path_` is empty for an fd sink
// (stdout, a pipe): no reopen, no rotation, no fsync, EPIPE is fatal. All
// members but reopen_requested_ belong to the writer thread.
class JsonlTransport final : public SinkTransport {
 public:
  JsonlTransport(OpenedSinkFile file, std::string path, std::string description,
                 JsonlFileOptions options)
      : path_(std::move(path)),
        description_(std::move(description)),
        options_(std::move(options)),
        fd_(std::move(file.fd)),
        regular_(file.regular),
        size_(file.size) {
    mode_ = PrepareFd(fd_, /*owned=*/!path_.empty());
    wake_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_.valid()) {
      throw std::runtime_error("sink " + description_ + ": eventfd: " + ErrnoText(errno));
    }
  }

  bool Encode(const LogRecord& record, std::string& out) override {
    return AppendJsonLine(record, out);
  }

  void Deliver(std::string_view chunk, std::uint64_t records, DeliveryContext& context) override {
    std::size_t offset = 0;
    milliseconds delay = kFirstRetryDelay;
    std::uint64_t failures = 0;
    bool wait = mode_ == FdMode::kBlocking;  // poll before the next write
    while (offset < chunk.size() && !context.aborted()) {
      if (partial_ == 0 && !path_.empty()) {
        AtRecordBoundary(chunk.substr(offset), context);
        if (context.aborted()) break;
      }
      if (wait && !WaitWritable()) continue;
      const std::size_t want = NextWriteBytes(chunk.substr(offset));
      const ssize_t n = mode_ == FdMode::kSocket
                            ? ::send(fd_.get(), chunk.data() + offset, want, MSG_DONTWAIT | MSG_NOSIGNAL)
                            : ::write(fd_.get(), chunk.data() + offset, want);
      if (n > 0) {
        const auto written = static_cast<std::size_t>(n);
        // Whole records in the chunk: writing its rest completes them all.
        const std::uint64_t completed =
            offset + written == chunk.size()
                ? records
                : std::min(records, CountNewlines(chunk.substr(offset, written)));
        records -= completed;
        Report(chunk.substr(offset, written), completed, offset + written == chunk.size(), context);
        offset += written;
        wait = mode_ == FdMode::kBlocking;
        if (failures > 0) {
          spdlog::info("sink {}: writing again after {} failed writes", description_, failures);
          failures = 0;
          delay = kFirstRetryDelay;
        }
        if (unsynced_ && Clock::now() >= sync_due_) SyncNow(context);
        continue;
      }
      const int error = n < 0 ? errno : EIO;  // write() of >0 bytes returning 0
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {  // full: wait until it takes more
        wait = true;
        continue;
      }
      if (error == EPIPE) {
        ConsumePendingSigpipe();
        if (path_.empty()) {
          context.Fatal(BrokenPipeMessage());
          break;
        }
      }
      context.Failed();
      if (failures++ == 0 || failures % 100 == 0) {
        spdlog::warn("sink {}: write failed ({} in a row): {}; retrying, lines wait in the buffer",
                     description_, failures, ErrnoText(error));
      }
      if (!context.WaitFor(delay)) break;
      delay = std::min(delay * 2, kMaxRetryDelay);
    }
    if (context.aborted() && partial_ > 0) CutPartialRecord();
  }

  void Abort() override {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_.get(), &one, sizeof one);
  }

  Clock::time_point SyncDue() const override { return sync_due_; }
  void Sync(DeliveryContext& context) override { SyncNow(context); }
  void Reopen() override {
    if (!path_.empty()) reopen_requested_.store(true, std::memory_order_relaxed);
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

  // How many bytes of `rest` the next write() takes. With max_bytes, whole
  // records that fit in the room the file has left (at least one).
  std::size_t NextWriteBytes(std::string_view rest) const {
    if (mode_ == FdMode::kBlocking) return std::min(rest.size(), std::size_t{PIPE_BUF});
    const std::size_t limit = std::min(rest.size(), kMaxWriteBytes);
    if (!regular_) return limit;
    // A record begun in this file ends in it, whatever its size.
    if (options_.max_bytes == 0 || partial_ > 0 || Clock::now() < next_rotation_attempt_) {
      return limit;
    }
    const std::uint64_t room = size_ < options_.max_bytes ? options_.max_bytes - size_ : 0;
    std::size_t fit = 0;
    while (fit < limit) {
      const std::size_t newline = rest.find('\n', fit);
      const std::size_t end = newline == std::string_view::npos ? rest.size() : newline + 1;
      if (fit > 0 && end > room) break;
      fit = end;
    }
    return std::min(fit, limit);
  }

  // Before the first byte of a record: reopen (SIGHUP) or rotate if due.
  void AtRecordBoundary(std::string_view rest, DeliveryContext& context) {
    if (reopen_requested_.exchange(false, std::memory_order_relaxed)) reopen_pending_ = true;
    const auto now = Clock::now();
    if (reopen_pending_ && now >= next_reopen_attempt_) {
      OpenPath(context, "reopened (SIGHUP)");
      return;
    }
    if (!regular_ || options_.max_bytes == 0 || now < next_rotation_attempt_) return;
    const std::size_t newline = rest.find('\n');
    const std::uint64_t record = newline == std::string_view::npos ? rest.size() : newline + 1;
    if (size_ == 0 || size_ + record <= options_.max_bytes) return;
    struct stat st = {};  // someone may have truncated it (copytruncate)
    if (::fstat(fd_.get(), &st) == 0) size_ = static_cast<std::uint64_t>(st.st_size);
    if (size_ == 0 || size_ + record <= options_.max_bytes) return;
    Rotate(context);
  }

  void Rotate(DeliveryContext& context) {
    SyncNow(context);  // what the old file holds is acknowledged before we leave it
    if (context.aborted()) return;
    const std::string error = ShiftRotatedFiles(path_, options_.keep);
    if (!error.empty()) {
      next_rotation_attempt_ = Clock::now() + kPathRetryDelay;
      spdlog::warn("sink {}: cannot rotate at {} bytes: {}; appending to the current file and "
                   "trying again in {} s (check the directory's permissions)",
                   description_, size_, error, kPathRetryDelay.count());
      return;
    }
    OpenPath(context, "rotated (" + path_ + ".1 .. ." + std::to_string(options_.keep) + " kept)");
  }

  // Opens path_ anew (repairing its tail), after syncing the current file.
  // On failure the writer appends to the file it has and tries again later.
  void OpenPath(DeliveryContext& context, const std::string& why) {
    SyncNow(context);
    if (context.aborted()) return;
    try {
      OpenedSinkFile file = OpenSinkFile(path_, description_);
      fd_ = std::move(file.fd);
      regular_ = file.regular;
      size_ = file.size;
      mode_ = PrepareFd(fd_, /*owned=*/true);
      reopen_pending_ = false;
      spdlog::info("sink {}: {}; writing to a new file", description_, why);
    } catch (const std::runtime_error& e) {
      reopen_pending_ = true;
      next_reopen_attempt_ = Clock::now() + kPathRetryDelay;
      spdlog::warn("sink {}: {}; appending to the file already open and trying again in {} s",
                   description_, e.what(), kPathRetryDelay.count());
    }
  }

  // `piece` was written: it completes `records` records and, if
  // `chunk_end`, ends the chunk (which holds whole records).
  void Report(std::string_view piece, std::uint64_t records, bool chunk_end,
              DeliveryContext& context) {
    if (chunk_end) {
      partial_ = 0;
    } else {
      // Escaped records hold no raw '\n': each one ends a record.
      const void* last = ::memrchr(piece.data(), '\n', piece.size());
      partial_ = last == nullptr
                     ? partial_ + piece.size()
                     : static_cast<std::size_t>(piece.data() + piece.size() -
                                                static_cast<const char*>(last) - 1);
    }
    size_ += piece.size();
    if (regular_ && options_.fsync_interval.count() > 0) {
      context.WrittenNotDurable(piece.size(), records, piece.size());
      if (!unsynced_) {
        unsynced_ = true;
        sync_due_ = Clock::now() + options_.fsync_interval;
      }
    } else {
      context.Written(piece.size(), records, piece.size());
    }
  }

  void SyncNow(DeliveryContext& context) {
    if (!unsynced_) return;
    int result = 0;
    do {
      result = options_.sync_for_test ? options_.sync_for_test(fd_.get()) : ::fdatasync(fd_.get());
    } while (result != 0 && errno == EINTR);
    if (result != 0) {
      context.Fatal("fdatasync failed: " + ErrnoText(errno) +
                    "; the records written since the last successful sync may not be on disk, "
                    "so they were not acknowledged (with --state-file a restart reads them "
                    "again). Check the disk and the kernel log (dmesg), then restart "
                    "log-capturer");
      return;
    }
    unsynced_ = false;
    sync_due_ = Clock::time_point::max();
    context.Durable();
  }

  // Close's deadline (or a fatal error) stopped a record half-written: cut it
  // off a regular file so that its last line is whole.
  void CutPartialRecord() {
    const std::size_t cut = partial_;
    partial_ = 0;
    if (!regular_) return;
    struct stat st = {};
    if (::fstat(fd_.get(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) >= cut &&
        ::ftruncate(fd_.get(), st.st_size - static_cast<off_t>(cut)) == 0) {
      size_ = static_cast<std::uint64_t>(st.st_size) - cut;
      spdlog::warn("sink {}: stopped in the middle of a record; cut its {} bytes so that the file "
                   "ends with a whole line",
                   description_, cut);
      return;
    }
    spdlog::warn("sink {}: stopped in the middle of a record and could not cut its {} bytes: {}; "
                 "the next start cuts them",
                 description_, cut, ErrnoText(errno));
  }

  std::string BrokenPipeMessage() const {
    const std::string what = description_ == "stdout" ? "stdout" : "the sink " + description_;
    return what + " is a broken pipe (EPIPE): whatever read log-capturer's output has exited, "
                  "so no line can be delivered any more. Lines not yet written were not "
                  "acknowledged (with --state-file a restart reads them again). Restart "
                  "log-capturer with a live reader on its output, or write to a file "
                  "(--sink file:PATH)";
  }

  const std::string path_;  // "" for an fd sink
  const std::string description_;
  const JsonlFileOptions options_;
  leakbench::UniqueFd fd_;
  leakbench::UniqueFd wake_;  // eventfd: Abort wakes WaitWritable
  bool regular_ = false;
  FdMode mode_ = FdMode::kBlocking;
  std::uint64_t size_ = 0;     // bytes in the current file (regular files)
  std::size_t partial_ = 0;    // bytes of a record begun but not finished
  bool unsynced_ = false;      // written since the last fdatasync
  Clock::time_point sync_due_ = Clock::time_point::max();
  std::atomic<bool> reopen_requested_{false};  // any thread
  bool reopen_pending_ = false;
  Clock::time_point next_reopen_attempt_{};
  Clock::time_point next_rotation_attempt_{};
};

// Records gathered for up to gather_wait, or until a write's worth waits
// (kMaxWriteBytes, or half the buffer when that is smaller, so that a
// small buffer never refuses the engine while the writer waits).
BufferedSinkOptions GatheringOptions(std::size_t buffer_bytes, const JsonlFileOptions& options) {
  if (options.gather_wait <= std::chrono::nanoseconds::zero()) return {.buffer_bytes = buffer_bytes};
  return {.buffer_bytes = buffer_bytes,
          .batch_bytes = std::min(kMaxWriteBytes, buffer_bytes / 2 + 1),
          .batch_wait = options.gather_wait};
}

}  // namespace

std::unique_ptr<Sink> MakeJsonlSink(leakbench::UniqueFd fd, std::string description,
                                    std::size_t buffer_bytes, std::chrono::nanoseconds gather_wait) {
  OpenedSinkFile file;
  struct stat st = {};
  file.regular = ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode);
  file.fd = std::move(fd);
  JsonlFileOptions options;
  options.fsync_interval = {};  // acknowledged on write
  options.gather_wait = gather_wait;
  return std::make_unique<BufferedSink>(
      std::make_unique<JsonlTransport>(std::move(file), "", std::move(description), options),
      GatheringOptions(buffer_bytes, options));
}

std::unique_ptr<Sink> MakeJsonlFileSink(const std::string& path, std::size_t buffer_bytes,
                                        JsonlFileOptions options) {
  if (options.keep == 0) {
    throw std::runtime_error("sink file " + path + ": keep must be at least 1 (sink.file.keep)");
  }
  const std::string description = "file:" + path;
  const BufferedSinkOptions buffered = GatheringOptions(buffer_bytes, options);
  return std::make_unique<BufferedSink>(
      std::make_unique<JsonlTransport>(OpenSinkFile(path, description), path, description,
                                       std::move(options)),
      buffered);
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
