// The engine's Prometheus metrics (docs/design.md's names) and the HTTP endpoint
// that serves them (prometheus-cpp's Exposer on a loopback port). The engine's
// event loop reports events through the methods below; process figures
// (threads, open fds, resident memory) are read from /proc/self at each
// scrape. Series labelled by container are deleted by ContainerRemoved().
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/metrics/drop_reason.h"
#include "core/metrics/error_type.h"

namespace logcap {

class EngineMetrics {
 public:
  // The HTTP endpoint's worker threads, all started with the endpoint (plus
  // civetweb's one listener thread): a slow or idle client holds one worker
  // until it sends a whole request or kHttpRequestTimeout passes, so up to
  // kHttpWorkerThreads - 1 of them cannot delay a scrape at all, and any
  // number delays it by about the timeout per round of workers.
  static constexpr std::size_t kHttpWorkerThreads = 4;
  static constexpr std::chrono::milliseconds kHttpRequestTimeout{2000};

  // `listen` is "HOST:PORT" ("127.0.0.1:9464", the default, loopback only;
  // port 0 picks a free port) or "" for no endpoint (metrics are still kept,
  // e.g. for tests). A wildcard host (0.0.0.0) serves every interface and
  // logs a warning. Throws std::runtime_error with context when the port
  // cannot be bound.
  explicit EngineMetrics(const std::string& listen);
  ~EngineMetrics();
  EngineMetrics(const EngineMetrics&) = delete;
  EngineMetrics& operator=(const EngineMetrics&) = delete;

  // The bound port (0 without an endpoint).
  std::uint16_t port() const;

  // log_capturer_container_streams_active (gauge): follow streams open now,
  // counted from the daemon's answer (a request still waiting for it is
  // not open at the daemon yet).
  void SetStreamsActive(std::size_t n);
  // log_capturer_container_stream_rotations_total (counter): a stream closed
  // by the engine because its lease ended.
  void AddRotation();
  // log_capturer_container_stream_age_seconds (histogram, buckets
  // kStreamAgeBucketsSeconds: 60 s to 2 h): age of every follow stream when it closed.
  void ObserveStreamAge(std::chrono::nanoseconds age);
  // log_capturer_container_stream_errors_total{error_type} (counter):
  // error_type is ToString(type); every kind's series exists from the start.
  void AddError(ErrorType type);
  // log_capturer_containers_waiting (gauge): containers waiting for a slot.
  void SetContainersWaiting(std::size_t n);
  // log_capturer_containers_monitored (gauge).
  void SetContainersMonitored(std::size_t n);
  // log_capturer_stream_wait_seconds (histogram): time a container waited
  // for a slot before its stream opened.
  void ObserveSlotWait(std::chrono::nanoseconds wait);
  // log_capturer_lines_total / log_capturer_bytes_total, both labelled
  // {container_id (12 hex), container_name}: captured and handed to the sink.
  // A longer id is cut to its first 12 characters; a new name for the same
  // id replaces the old name's series. A labelled family is printed once it
  // has a series.
  void AddCaptured(std::string_view container_id, std::string_view container_name,
                   std::uint64_t lines, std::uint64_t bytes);
  // log_capturer_capture_lag_seconds (gauge): now - timestamp of the last
  // captured line, per container (same labels as above).
  void SetCaptureLag(std::string_view container_id, std::string_view container_name,
                     double seconds);
  // Deletes every series labelled with this container.
  void ContainerRemoved(std::string_view container_id);
  // log_capturer_lines_dropped_total{reason} (counter): reason is
  // ToString(reason); every reason's series exists from the start.
  void AddLinesDropped(DropReason reason, std::uint64_t n);
  // log_capturer_sink_buffered_bytes (gauge), log_capturer_sink_refusals_total
  // (counter, backpressure events).
  void SetSinkBufferedBytes(std::uint64_t n);
  void AddSinkRefusal();
  // log_capturer_sink_records_dropped_total (counter): records the sink gave
  // up (a batch Loki rejected under sink.on_reject: drop, records left at a
  // fatal sink error). Fed the sink's cumulative SinkStats::records_dropped;
  // the counter moves by its increase.
  void SetSinkRecordsDropped(std::uint64_t total);
  // log_capturer_stream_opens_delayed_total (counter): follow-stream opens
  // held back by docker.max_opens_per_second.
  void AddOpenDelayed();
  // log_capturer_stream_paused (gauge): streams paused by backpressure.
  void SetStreamsPaused(std::size_t n);
  // log_capturer_lines_out_of_order_total (counter): lines stamped before a
  // line of their container delivered ahead of them (stdout and stderr are
  // stamped by separate goroutines); log_capturer_reopen_lookback_seconds
  // (gauge): how far before its position a stream reopens now
  // (core/position/adaptive_lookback.h).
  void AddOutOfOrder();
  void SetReopenLookback(std::chrono::nanoseconds lookback);

  // Fault injection (LeakKind::kSeriesRotation): adds one new, never
  // deleted series to log_capturer_leak_series{key}.
  void AddLeakedSeries(std::string_view key);
  // Fault injection (LeakKind::kSeriesContainer): ContainerRemoved() keeps
  // the container's series.
  void SetKeepRemovedSeries(bool keep);

  // HTTP requests (to any EngineMetrics endpoint of this process) answered
  // and followed by a malloc_trim(0) that returned the request's freed
  // memory to the kernel, so a scrape of many series does not keep its
  // ~20 MiB in the worker thread's arena (core/bench/metrics_rss.sh).
  static std::uint64_t RequestsEnded();

  // Process metrics are refreshed at every scrape; tests can read the text
  // without HTTP.
  std::string Serialize() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logcap
