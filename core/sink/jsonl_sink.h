// JSON Lines sinks: one JSON object per line (json_line.h) written to stdout
// or appended to a file, through a BufferedSink. The writer loops over
// partial writes and EINTR; a failing write (ENOSPC, EIO...) is counted in
// write_errors, logged when a failure streak starts and ends, and retried
// with a capped backoff while the buffer fills up, so the engine feels the
// backpressure; nothing is dropped before Close's deadline. The writer never
// sits in a write() that Close could not interrupt: a regular file takes
// writes of up to 1 MiB; so does a pipe, FIFO, device or terminal written
// without blocking (O_NONBLOCK on a description the sink opened itself, or
// already set; a pipe given as a shared descriptor, like stdout, is reopened
// through /proc/self/fd as a private one) and a socket (send MSG_DONTWAIT),
// the writer polling for POLLOUT (or Close's abort) only after EAGAIN. A
// blocking descriptor it cannot make non-blocking (a shared terminal) is
// polled before every write of at most PIPE_BUF bytes. EPIPE on an fd sink
// (stdout, a pipe) is fatal (Sink::fatal_error): the reader is gone for good.
// File sinks (a path): a torn last record is cut at open
// (jsonl_file_ops.h) and a record cut short at Close's deadline is cut
// again, so every line is valid JSON; records in a regular file are
// acknowledged only after an fdatasync covering them, at most
// fsync_interval after they were written (a failed fdatasync is fatal: the
// kernel may have dropped the pages); with max_bytes the file is rotated
// (path -> path.1 ... path.<keep>) before a record would pass it, never
// splitting a record; Reopen() (SIGHUP) reopens the path before the next
// record. Stdout and pipes are acknowledged on write. The writer gathers
// records for up to gather_wait (5 ms) before it writes, so sparse streams
// cost one wake and one write per few milliseconds, not per line.
// Ownership: the sink owns its descriptor (a dup of stdout for the stdout
// sink, so the process's own fd 1 is left alone). Thread-safety: as Sink.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/unique_fd.h"
#include "core/sink/sink.h"

namespace logcap {

// How long a JSON Lines writer gathers records before a write (see
// JsonlFileOptions::gather_wait).
inline constexpr std::chrono::milliseconds kDefaultGatherWait{5};

struct JsonlFileOptions {
  // Records are acknowledged after an fdatasync at most this long after
  // they were written; 0: acknowledged on write, never synced.
  std::chrono::nanoseconds fsync_interval = std::chrono::seconds(1);
  // Rotate before a record would make the file larger than this; 0: never.
  // A record larger than max_bytes gets a file of its own.
  std::uint64_t max_bytes = 0;
  std::size_t keep = 5;  // rotated files kept, path.1 .. path.<keep> (>= 1)
  // The writer gathers records for up to this long after the first one
  // waiting (or until 1 MiB waits, or Close) before it writes: at 10,000
  // sparse streams a line arrives per socket event, and a wake plus a
  // write per line cost the engine about 40% of its CPU. 0: write at once.
  std::chrono::nanoseconds gather_wait = kDefaultGatherWait;
  // Tests only: called instead of fdatasync(2); 0 or -1 with errno set.
  std::function<int(int fd)> sync_for_test;
};

// Writes JSON Lines to `fd`; `description` is what description() returns.
// Acknowledged on write; EPIPE is fatal. Records are gathered for up to
// `gather_wait` before a write (JsonlFileOptions::gather_wait).
std::unique_ptr<Sink> MakeJsonlSink(leakbench::UniqueFd fd, std::string description,
                                    std::size_t buffer_bytes,
                                    std::chrono::nanoseconds gather_wait = kDefaultGatherWait);

// Appends to `path` (see OpenSinkFile). Throws std::runtime_error saying
// which path and why if it cannot be opened, or for keep == 0.
std::unique_ptr<Sink> MakeJsonlFileSink(const std::string& path, std::size_t buffer_bytes,
                                        JsonlFileOptions options = {});

// Writes to a close-on-exec duplicate of fd 1. Throws std::runtime_error if
// stdout is closed.
std::unique_ptr<Sink> MakeJsonlStdoutSink(std::size_t buffer_bytes);

}  // namespace logcap
