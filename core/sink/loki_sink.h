// A sink that pushes lines to Grafana Loki: POST <url>/loki/api/v1/push with
// a JSON body {"streams":[{"stream":{labels..,"container_name":..,
// "stream":"stdout"},"values":[["<ts ns>","<line>"],..]},..]}, one stream
// per (container_name, stream) of the batch, lines escaped as in
// json_line.h (valid JSON whatever the bytes). Batched by a BufferedSink:
// a push goes out when batch_bytes are buffered or batch_wait has passed
// since the batch's first record (and at Close). A push that fails to
// connect or gets 408, 429 or 5xx is retried with exponential backoff and
// full jitter (at least retry_base / 2, at most retry_cap, longer if
// Retry-After asks for it, up to retry_cap) until it succeeds
// or Close's deadline passes, while the buffer fills up (backpressure); any
// other non-2xx answer drops the batch (records_dropped) and logs Loki's
// reply. libcurl does not call curl_global_init here: main (or the test)
// does it once.
// Ownership: the sink owns one curl easy handle and the multi handle that
// drives it (so that Close can interrupt a push with curl_multi_wakeup),
// both used only by its writer thread. Thread-safety: as Sink.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "core/config/config.h"
#include "core/sink/sink.h"

namespace logcap {

struct LokiOptions {
  // Retry backoff: delay n is uniform in [retry_base / 2, min(retry_cap,
  // retry_base * 2^n)].
  std::chrono::nanoseconds retry_base = std::chrono::milliseconds(500);
  std::chrono::nanoseconds retry_cap = std::chrono::seconds(30);
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(5);
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(30);
  std::uint64_t jitter_seed = 0;  // 0: seeded from std::random_device
};

// Uses config.url, loki_labels, buffer_bytes, batch_bytes and batch_wait.
// Throws std::runtime_error for a URL that is not http:// or https://, a
// label name Loki would reject, or a zero batch_bytes.
std::unique_ptr<Sink> MakeLokiSink(const SinkConfig& config, LokiOptions options = {});

}  // namespace logcap
