#include "core/metrics/engine_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <CivetServer.h>
#include <malloc.h>

#include <array>
#include <atomic>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/config/host_port.h"
#include "core/metrics/container_series.h"
#include "core/metrics/exposer_shutdown.h"
#include "core/metrics/malloc_policy.h"
#include "core/metrics/process_collector.h"
#include "common/stream_age_buckets.h"

namespace logcap {
namespace {

using prometheus::Registry;

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

prometheus::Gauge& Gauge(Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

prometheus::Counter& Counter(Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

prometheus::Histogram& Histogram(Registry& r, const std::string& name, const std::string& help,
                                 prometheus::Histogram::BucketBoundaries buckets) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r).Add({}, std::move(buckets));
}

prometheus::Family<prometheus::Counter>& CounterFamily(Registry& r, const std::string& name,
                                                       const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

// One series of `family` per value of an enum class (ErrorType,
// DropReason), labelled `label`=ToString(value), indexed by the value, all
// created at zero. `all` lists every value in enum order.
template <typename Enum, std::size_t N>
std::array<prometheus::Counter*, N> MakeEnumCounters(prometheus::Family<prometheus::Counter>& family,
                                                     const std::string& label, const std::array<Enum, N>& all) {
  std::array<prometheus::Counter*, N> counters{};
  for (const Enum value : all) {
    counters[static_cast<std::size_t>(value)] = &family.Add({{label, std::string(ToString(value))}});
  }
  return counters;
}

using ErrorCounters = std::array<prometheus::Counter*, kAllErrorTypes.size()>;
using DropCounters = std::array<prometheus::Counter*, kAllDropReasons.size()>;

// Parses `listen` ("HOST:PORT") for the HTTP endpoint.
HostPort ListenAddress(const std::string& listen) {
  try {
    return ParseMetricsListen(listen);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("metrics endpoint: " + std::string(e.what()) +
                             "; give --metrics-listen HOST:PORT such as 127.0.0.1:9464 (port 0 "
                             "picks a free port, \"\" disables the endpoint)");
  }
}

// civetweb's options for the endpoint (see its UserManual.md): a fixed pool
// of workers, all started at once (civetweb 1.15 starts num_threads
// workers up front, so connections never add threads); request_timeout_ms
// bounds every read and write, so an idle or trickling client gives its
// worker back; no keep-alive, so a scraper does not sit on a worker
// between scrapes.
std::vector<std::string> ExposerOptions(const HostPort& where) {
  return {"listening_ports",    where.ToString(),
          "num_threads",        std::to_string(EngineMetrics::kHttpWorkerThreads),
          "request_timeout_ms", std::to_string(EngineMetrics::kHttpRequestTimeout.count()),
          "enable_keep_alive",  "no"};
}

std::atomic<std::uint64_t> requests_ended{0};

// civetweb's end_request callback, run by the worker that served the
// request once the response is written (before the connection closes). A
// scrape builds every series' samples and the whole text (~20 MiB at 10,000
// containers) in that worker thread's own malloc arena, and glibc keeps
// freed arena memory: each of the kHttpWorkerThreads workers kept about one
// scrape's worth (see malloc_policy.h). malloc_trim(0) hands the free pages
// of every arena back to the kernel; it runs on the worker, not on the
// engine's threads.
void EndRequest(const mg_connection* /*conn*/, int /*status*/) {
  ::malloc_trim(0);
  requests_ended.fetch_add(1, std::memory_order_release);
}

const CivetCallbacks& ServerCallbacks() {
  static const CivetCallbacks callbacks = [] {
    CivetCallbacks c;
    c.end_request = &EndRequest;
    return c;
  }();
  return callbacks;
}

// Starts the HTTP endpoint on `where`.
std::unique_ptr<prometheus::Exposer> Listen(const HostPort& where) {
  if (where.host == "0.0.0.0" || where.host == "::") {
    spdlog::warn("metrics endpoint: listening on {} serves /metrics on every network interface; anyone who "
                 "can reach this host can read it (use --metrics-listen 127.0.0.1:PORT to keep it local)",
                 where.ToString());
  }
  try {
    return std::make_unique<prometheus::Exposer>(ExposerOptions(where), &ServerCallbacks());
  } catch (const std::exception& e) {
    throw std::runtime_error("metrics endpoint: cannot listen on " + where.ToString() + " (" +
                             e.what() +
                             "); is the port in use or the address not on this host? Pick "
                             "another with --metrics-listen HOST:PORT, or port 0 for a free one");
  }
}

}  // namespace

struct EngineMetrics::Impl {
  std::shared_ptr<Registry> registry = std::make_shared<Registry>();
  std::shared_ptr<ProcessCollector> process = std::make_shared<ProcessCollector>();
  Registry& r = *registry;

  prometheus::Gauge& streams_active = Gauge(
      r, "log_capturer_container_streams_active", "Docker log follow streams open now (the daemon answered them; requested ones count from its answer).");
  prometheus::Counter& rotations =
      Counter(r, "log_capturer_container_stream_rotations_total",
              "Follow streams closed by the engine because their lease ended.");
  prometheus::Histogram& stream_age =
      Histogram(r, "log_capturer_container_stream_age_seconds",
                "Age of every follow stream when it closed, in seconds.",
                {leakbench::kStreamAgeBucketsSeconds.begin(), leakbench::kStreamAgeBucketsSeconds.end()});
  ErrorCounters errors = MakeEnumCounters(
      CounterFamily(r, "log_capturer_container_stream_errors_total",
                    "Errors on Docker requests and follow streams, by error_type."),
      "error_type", kAllErrorTypes);
  prometheus::Gauge& containers_waiting =
      Gauge(r, "log_capturer_containers_waiting",
            "Monitored containers waiting for a free stream slot.");
  prometheus::Gauge& containers_monitored =
      Gauge(r, "log_capturer_containers_monitored",
            "Containers selected for capture (streaming or waiting).");
  prometheus::Histogram& slot_wait =
      Histogram(r, "log_capturer_stream_wait_seconds",
                "Time a container waited for a slot before its stream opened, in seconds.",
                {0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600});
  ContainerSeries containers{
      CounterFamily(r, "log_capturer_lines_total",
                    "Log lines captured and handed to the sink, per container."),
      CounterFamily(r, "log_capturer_bytes_total",
                    "Bytes of log lines captured and handed to the sink, per container."),
      prometheus::BuildGauge()
          .Name("log_capturer_capture_lag_seconds")
          .Help("Now minus the timestamp of the last line captured, per container, in seconds.")
          .Register(r)};
  DropCounters dropped = MakeEnumCounters(
      CounterFamily(r, "log_capturer_lines_dropped_total",
                    "Lines not handed to the sink as read, by reason (replayed duplicates, "
                    "truncated or split long lines, ...)."),
      "reason", kAllDropReasons);
  prometheus::Gauge& sink_buffered = Gauge(r, "log_capturer_sink_buffered_bytes",
                                           "Bytes buffered for the sink, not yet written.");
  prometheus::Counter& sink_refusals =
      Counter(r, "log_capturer_sink_refusals_total",
              "Times the sink refused more data (backpressure), pausing reads.");
  prometheus::Counter& sink_dropped =
      Counter(r, "log_capturer_sink_records_dropped_total",
              "Records the sink gave up (a batch Loki rejected under sink.on_reject: drop, "
              "records left at a fatal sink error).");
  std::atomic<std::uint64_t> sink_dropped_seen{0};
  prometheus::Counter& opens_delayed =
      Counter(r, "log_capturer_stream_opens_delayed_total",
              "Follow-stream opens held back by docker.max_opens_per_second.");
  prometheus::Gauge& streams_paused =
      Gauge(r, "log_capturer_stream_paused", "Follow streams paused by sink backpressure.");
  prometheus::Counter& out_of_order =
      Counter(r, "log_capturer_lines_out_of_order_total",
              "Lines stamped before a line of their container delivered ahead of them.");
  prometheus::Gauge& reopen_lookback =
      Gauge(r, "log_capturer_reopen_lookback_seconds",
            "How far before its position a follow stream reopens now (grows with the inversions seen).");
  prometheus::Family<prometheus::Gauge>& leak_series =
      prometheus::BuildGauge()
          .Name("log_capturer_leak_series")
          .Help("Fault injection only: series added on purpose and never deleted.")
          .Register(r);

  // Last, so it stops serving before anything above is destroyed.
  std::unique_ptr<prometheus::Exposer> exposer;
  HostPort address;  // where the exposer listens, with the bound port

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (exposer) DestroyExposerPromptly(std::move(exposer), address);
  }
};

EngineMetrics::EngineMetrics(const std::string& listen) : impl_(std::make_unique<Impl>()) {
  if (listen.empty()) return;
  impl_->address = ListenAddress(listen);
  if (!FixMallocThresholds()) spdlog::warn("metrics endpoint: mallopt refused fixed malloc thresholds");
  impl_->exposer = Listen(impl_->address);
  const std::vector<int> ports = impl_->exposer->GetListeningPorts();
  if (!ports.empty()) impl_->address.port = static_cast<std::uint16_t>(ports.front());
  impl_->exposer->RegisterCollectable(impl_->registry);
  impl_->exposer->RegisterCollectable(impl_->process);
}

EngineMetrics::~EngineMetrics() = default;

std::uint16_t EngineMetrics::port() const { return impl_->exposer ? impl_->address.port : 0; }

void EngineMetrics::SetStreamsActive(std::size_t n) {
  impl_->streams_active.Set(static_cast<double>(n));
}

void EngineMetrics::AddRotation() { impl_->rotations.Increment(); }

void EngineMetrics::ObserveStreamAge(std::chrono::nanoseconds age) {
  impl_->stream_age.Observe(Seconds(age));
}

void EngineMetrics::AddError(ErrorType type) {
  impl_->errors[static_cast<std::size_t>(type)]->Increment();
}

void EngineMetrics::SetContainersWaiting(std::size_t n) {
  impl_->containers_waiting.Set(static_cast<double>(n));
}

void EngineMetrics::SetContainersMonitored(std::size_t n) {
  impl_->containers_monitored.Set(static_cast<double>(n));
}

void EngineMetrics::ObserveSlotWait(std::chrono::nanoseconds wait) {
  impl_->slot_wait.Observe(Seconds(wait));
}

void EngineMetrics::AddCaptured(std::string_view container_id, std::string_view container_name,
                                std::uint64_t lines, std::uint64_t bytes) {
  impl_->containers.AddCaptured(container_id, container_name, lines, bytes);
}

void EngineMetrics::SetCaptureLag(std::string_view container_id,
                                  std::string_view container_name, double seconds) {
  impl_->containers.SetLag(container_id, container_name, seconds);
}

void EngineMetrics::ContainerRemoved(std::string_view container_id) {
  impl_->containers.Remove(container_id);
}

void EngineMetrics::AddLinesDropped(DropReason reason, std::uint64_t n) {
  impl_->dropped[static_cast<std::size_t>(reason)]->Increment(static_cast<double>(n));
}

void EngineMetrics::SetSinkBufferedBytes(std::uint64_t n) {
  impl_->sink_buffered.Set(static_cast<double>(n));
}

void EngineMetrics::AddSinkRefusal() { impl_->sink_refusals.Increment(); }

void EngineMetrics::SetSinkRecordsDropped(std::uint64_t total) {
  const std::uint64_t seen = impl_->sink_dropped_seen.exchange(total);
  if (total > seen) impl_->sink_dropped.Increment(static_cast<double>(total - seen));
}
void EngineMetrics::AddOpenDelayed() { impl_->opens_delayed.Increment(); }

void EngineMetrics::SetStreamsPaused(std::size_t n) {
  impl_->streams_paused.Set(static_cast<double>(n));
}

void EngineMetrics::AddOutOfOrder() { impl_->out_of_order.Increment(); }

void EngineMetrics::SetReopenLookback(std::chrono::nanoseconds lookback) {
  impl_->reopen_lookback.Set(std::chrono::duration<double>(lookback).count());
}

void EngineMetrics::AddLeakedSeries(std::string_view key) {
  impl_->leak_series.Add({{"key", std::string(key)}}).Set(1);
}

void EngineMetrics::SetKeepRemovedSeries(bool keep) { impl_->containers.set_keep_removed(keep); }

std::uint64_t EngineMetrics::RequestsEnded() { return requests_ended.load(std::memory_order_acquire); }

std::string EngineMetrics::Serialize() const {
  std::vector<prometheus::MetricFamily> families = impl_->registry->Collect();
  std::vector<prometheus::MetricFamily> process = impl_->process->Collect();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace logcap
