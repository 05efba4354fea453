// A sink that pushes lines to Grafana Loki: POST <url>/loki/api/v1/push with
// a JSON body {"streams":[{"stream":{labels..,"container_name":..,
// "stream":"stdout"},"values":[["<ts ns>","<line>"],..]},..]}, one stream
// per (container_name, stream) of the batch, lines escaped as in
// json_line.h (valid JSON whatever the bytes). Batched by a BufferedSink:
// a push goes out when batch_bytes are buffered or batch_wait has passed
// since the batch's first record (and at Close). Answers (loki_response.h):
// 2xx acknowledges the batch. A failed connection, 408, 429 or 5xx is
// retried with exponential backoff and full jitter (at least retry_base / 2,
// at most retry_cap, longer if Retry-After, in seconds or as an HTTP-date,
// asks for it, up to max_retry_after) until it succeeds or Close's deadline
// passes, while the buffer fills up (backpressure). Any other 4xx is a
// configuration error (URL, tenant, credentials) or data Loki refuses: with
// sink.on_reject: retry (the default) it is logged with Loki's reply and
// what to check, and retried with the same backoff, never acknowledged
// until Loki takes it; with drop the batch is given up, counted in
// records_dropped and logged with its first and last record. libcurl does
// not call curl_global_init here: main (or the test) does it once.
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
  // The longest wait a Retry-After header can ask for.
  std::chrono::nanoseconds max_retry_after = std::chrono::minutes(5);
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(5);
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(30);
  std::uint64_t jitter_seed = 0;  // 0: seeded from std::random_device
};

// Uses config.url, loki_labels, buffer_bytes, batch_bytes, batch_wait and
// on_reject.
// Throws std::runtime_error for a URL that is not http:// or https://, a
// label name Loki would reject, or a zero batch_bytes.
std::unique_ptr<Sink> MakeLokiSink(const SinkConfig& config, LokiOptions options = {});

}  // namespace logcap
