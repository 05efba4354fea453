// The Docker Engine API calls the engine makes, as asynchronous transfers on
// the CurlLoop: ping (API version negotiation), container list, inspect, and
// the two follow streams (container logs with timestamps, /events). Request
// URLs carry the negotiated /vX.Y prefix. Callbacks run on the loop thread.
// Not thread-safe: use it on the loop thread only.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/docker_host.h"
#include "core/docker/curl_loop.h"
#include "core/docker/docker_json.h"

namespace logcap {

struct DockerClientOptions {
  DockerEndpoint host;
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds connect_timeout{5000};
  // Receive buffer of each follow stream (logs and events); 0: libcurl's
  // default. See DockerConfig::stream_buffer_bytes.
  std::size_t stream_buffer_bytes = 0;
};

class DockerClient {
 public:
  // The newest API version this client speaks; the negotiated one is the
  // lower of it and the daemon's.
  static constexpr std::string_view kClientApiVersion = "1.41";

  DockerClient(CurlLoop& loop, DockerClientOptions options);

  // GET /_ping; on success the version is negotiated (api_version()).
  TransferId Ping(std::function<void(const TransferResult&)> done);
  // GET /containers/json (running containers only). Entries that cannot be
  // used are left out, each with one warning (ParseContainerList).
  TransferId ListContainers(
      std::function<void(const TransferResult&, std::vector<ContainerSummary>)> done);
  // GET /containers/{id}/json. An id that is not IsContainerId() is never
  // sent: `done` gets kBadResponse (posted, not called from here) and the
  // returned id is 0. Every value put into a URL is percent-encoded.
  TransferId Inspect(const std::string& id,
                     std::function<void(const TransferResult&, std::optional<ContainerInfo>)> done);
  // GET /containers/{id}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=S
  // (an id that is not IsContainerId() as for Inspect). `answered`, if set,
  // runs when the daemon's 2xx headers arrive (TransferRequest::on_answered).
  TransferId FollowLogs(const std::string& id, const std::string& since,
                        std::function<DataResult(std::string_view)> on_data,
                        std::function<void(const TransferResult&)> done,
                        std::function<void()> answered = {});
  // GET /events?filters={"type":["container"]}[&since=S]
  TransferId FollowEvents(const std::string& since, std::function<DataResult(std::string_view)> on_data,
                          std::function<void(const TransferResult&)> done);

  // "" before a successful Ping (no prefix), else e.g. "1.41".
  const std::string& api_version() const { return api_version_; }
  const DockerEndpoint& host() const { return options_.host; }
  std::string Url(std::string_view path_and_query) const;

  // min(client, daemon) of two "MAJOR.MINOR" versions; the client's when the
  // daemon's does not parse.
  static std::string Negotiate(std::string_view daemon_version);

 private:
  TransferRequest Request(std::string_view path_and_query, bool stream) const;

  CurlLoop& loop_;
  DockerClientOptions options_;
  std::string api_version_;
};

}  // namespace logcap
