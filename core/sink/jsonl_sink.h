// JSON Lines sinks: one JSON object per line (json_line.h) written to stdout
// or appended to a file, through a BufferedSink. The writer loops over
// partial writes and EINTR; a failing write (EPIPE, ENOSPC, EIO...) is
// counted in write_errors, logged when a failure streak starts and ends, and
// retried with a capped backoff while the buffer fills up, so the engine
// feels the backpressure; nothing is dropped before Close's deadline. On a
// pipe, socket or terminal the writer waits for POLLOUT (or Close's abort)
// and writes at most PIPE_BUF bytes at a time, so it never sits in a write()
// that Close could not interrupt.
// Ownership: the sink owns its descriptor (a dup of stdout for the stdout
// sink, so the process's own fd 1 is left alone). Thread-safety: as Sink.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/unique_fd.h"
#include "core/sink/sink.h"

namespace logcap {

// Writes JSON Lines to `fd`; `description` is what description() returns.
std::unique_ptr<Sink> MakeJsonlSink(leakbench::UniqueFd fd, std::string description,
                                    std::size_t buffer_bytes);

// Appends to `path`, opened O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, mode 0644.
// Throws std::runtime_error saying which path and why if it cannot be opened.
std::unique_ptr<Sink> MakeJsonlFileSink(const std::string& path, std::size_t buffer_bytes);

// Writes to a close-on-exec duplicate of fd 1. Throws std::runtime_error if
// stdout is closed.
std::unique_ptr<Sink> MakeJsonlStdoutSink(std::size_t buffer_bytes);

}  // namespace logcap
