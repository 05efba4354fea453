// Finds the containers to follow: ping, list the running ones, then follow
// /events from the moment of the list; any end of the events stream is a
// resync (ping, list again, events from the last one seen).
//
// Backs off while the daemon is unreachable (one warning when it goes away),
// rotates the events stream like a follow stream (its lease is drawn by
// StreamScheduler::DrawLease through `events_lease`), and counts its errors
// as "connect" and "events". What the list and the events say goes to the
// handlers; which containers are followed is the engine's business.
//
// Loop thread only; the loop, the client and the metrics must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/backoff.h"
#include "core/docker/curl_loop.h"
#include "core/docker/docker_client.h"
#include "core/docker/docker_json.h"
#include "core/engine/event_lines.h"
#include "core/metrics/engine_metrics.h"

namespace logcap {

class Discovery {
 public:
  struct Handlers {
    // After every successful list: the first connect and each resync.
    std::function<void(std::vector<ContainerSummary>)> listed;
    // Each container event (type "container", with an id), in order, never
    // from inside a libcurl callback.
    std::function<void(const ContainerEvent&)> container_event;
    // How long the next events stream may live.
    std::function<std::chrono::nanoseconds()> events_lease;
  };

  Discovery(CurlLoop& loop, DockerClient& client, EngineMetrics& metrics, Handlers handlers);
  Discovery(const Discovery&) = delete;
  Discovery& operator=(const Discovery&) = delete;

  // Pings, lists and follows events, retrying until Stop().
  void Start();
  // Cancels the events stream and every timer; no handler runs afterwards.
  void Stop();

  // The daemon answered and the list was read (false again once a ping or
  // list fails).
  bool connected() const { return connected_; }
  // Failed pings and lists, and ends of the events stream.
  std::uint64_t errors() const { return errors_; }
  std::uint64_t events_connects() const { return events_connects_; }

 private:
  void Connect();
  void RetryConnect(const std::string& why);
  void OnList(const TransferResult& result, std::vector<ContainerSummary> list);
  void StartEvents();
  void RotateEvents();
  DataResult OnEventsData(std::uint64_t serial, std::string_view data);
  void OnEventsDone(std::uint64_t serial, const TransferResult& result);
  void HandleEvents();

  CurlLoop& loop_;
  DockerClient& client_;
  EngineMetrics& metrics_;
  Handlers handlers_;

  bool stopped_ = false;
  bool connected_ = false;
  leakbench::Backoff backoff_;
  TimerId connect_timer_ = 0;
  std::int64_t list_started_ns_ = 0;

  TransferId events_transfer_ = 0;
  std::uint64_t events_serial_ = 0;
  TimerId rotate_timer_ = 0;
  EventLines lines_;
  std::vector<ContainerEvent> pending_;
  bool handling_posted_ = false;
  std::int64_t last_event_ns_ = 0;

  std::uint64_t errors_ = 0;
  std::uint64_t events_connects_ = 0;
};

}  // namespace logcap
