#include "core/sink/make_sink.h"

#include <stdexcept>
#include <utility>

#include "core/sink/jsonl_sink.h"
#include "core/sink/loki_sink.h"

namespace logcap {

std::unique_ptr<Sink> MakeSink(const SinkConfig& config) {
  if (config.buffer_bytes == 0) throw std::runtime_error("sink buffer_bytes must be > 0");
  switch (config.kind) {
    case SinkKind::kStdout:
      return MakeJsonlStdoutSink(config.buffer_bytes);
    case SinkKind::kFile: {
      if (config.path.empty()) throw std::runtime_error("the file sink needs a path (sink.path)");
      JsonlFileOptions options;
      options.fsync_interval = config.fsync_interval;
      options.max_bytes = config.max_bytes;
      options.keep = config.keep;
      return MakeJsonlFileSink(config.path, config.buffer_bytes, std::move(options));
    }
    case SinkKind::kLoki:
      return MakeLokiSink(config);
  }
  throw std::runtime_error("unknown sink kind");
}

}  // namespace logcap
