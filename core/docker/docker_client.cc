#include "core/docker/docker_client.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <utility>

#include "common/log_escape.h"
#include "core/docker/request_path.h"

namespace logcap {
namespace {

// "1.41" -> {1, 41}; {-1, -1} when it does not parse.
std::pair<int, int> ParseVersion(std::string_view v) {
  int major = -1;
  int minor = -1;
  const auto dot = v.find('.');
  if (dot == std::string_view::npos) return {-1, -1};
  auto r1 = std::from_chars(v.data(), v.data() + dot, major);
  auto r2 = std::from_chars(v.data() + dot + 1, v.data() + v.size(), minor);
  if (r1.ec != std::errc() || r1.ptr != v.data() + dot || r2.ec != std::errc() || r2.ptr != v.data() + v.size() ||
      major < 0 || minor < 0) {  // from_chars takes a '-': "1.-5" is no version
    return {-1, -1};
  }
  return {major, minor};
}

// Turns a 2xx answer whose body does not parse into a failed result.
TransferResult BadResponse(const TransferResult& r, const std::string& why) {
  TransferResult bad = r;
  bad.kind = TransferResult::Kind::kBadResponse;
  bad.message = why;
  return bad;
}

// The result a request for a container whose id is not a Docker id gets
// instead of being sent.
TransferResult RejectedId(std::string_view id) {
  TransferResult bad;
  bad.kind = TransferResult::Kind::kBadResponse;
  bad.message = "container id \"" + std::string(id) +
                "\" is not 12 to 64 lowercase hex digits; not requested (the daemon sent a malformed id)";
  return bad;
}

}  // namespace

DockerClient::DockerClient(CurlLoop& loop, DockerClientOptions options)
    : loop_(loop), options_(std::move(options)) {}

std::string DockerClient::Negotiate(std::string_view daemon_version) {
  const auto ours = ParseVersion(kClientApiVersion);
  const auto theirs = ParseVersion(daemon_version);
  if (theirs.first < 0) return std::string(kClientApiVersion);
  if (theirs < ours) return std::string(daemon_version);
  return std::string(kClientApiVersion);
}

std::string DockerClient::Url(std::string_view path_and_query) const {
  std::string url = options_.host.base_url;
  if (!api_version_.empty()) url += "/v" + api_version_;
  url += path_and_query;
  return url;
}

TransferRequest DockerClient::Request(std::string_view path_and_query, bool stream) const {
  TransferRequest r;
  r.url = Url(path_and_query);
  r.unix_socket = options_.host.socket_path;
  r.connect_timeout = options_.connect_timeout;
  r.total_timeout = stream ? std::chrono::milliseconds(0) : options_.request_timeout;
  if (stream) r.receive_buffer_bytes = options_.stream_buffer_bytes;
  return r;
}

TransferId DockerClient::Ping(std::function<void(const TransferResult&)> done) {
  TransferRequest r = Request("", false);
  r.url = options_.host.base_url + "/_ping";  // never versioned
  r.on_done = [this, done = std::move(done)](const TransferResult& result, std::string&&) {
    if (result.kind == TransferResult::Kind::kComplete) api_version_ = Negotiate(result.api_version);
    done(result);
  };
  return loop_.Start(std::move(r));
}

TransferId DockerClient::ListContainers(
    std::function<void(const TransferResult&, std::vector<ContainerSummary>)> done) {
  TransferRequest r = Request("/containers/json", false);
  r.on_done = [done = std::move(done)](const TransferResult& result, std::string&& body) {
    if (result.kind != TransferResult::Kind::kComplete) return done(result, {});
    std::vector<ContainerSummary> list;
    std::vector<std::string> skipped;
    try {
      list = ParseContainerList(body, &skipped);
    } catch (const DockerJsonError& e) {
      return done(BadResponse(result, e.what()), {});
    }
    for (const std::string& why : skipped) {
      spdlog::warn("docker: skipping a container the daemon listed: {}", leakbench::EscapeForLog(why));
    }
    done(result, std::move(list));
  };
  return loop_.Start(std::move(r));
}

TransferId DockerClient::Inspect(const std::string& id,
                                 std::function<void(const TransferResult&, std::optional<ContainerInfo>)> done) {
  if (!IsContainerId(id)) {
    loop_.Post([id, done = std::move(done)] { done(RejectedId(id), std::nullopt); });
    return 0;
  }
  TransferRequest r = Request("/containers/" + EncodePathSegment(id) + "/json", false);
  r.on_done = [done = std::move(done)](const TransferResult& result, std::string&& body) {
    if (result.kind != TransferResult::Kind::kComplete) return done(result, std::nullopt);
    std::optional<ContainerInfo> info;
    try {
      info = ParseContainerInspect(body);
    } catch (const DockerJsonError& e) {
      return done(BadResponse(result, e.what()), std::nullopt);
    }
    done(result, std::move(info));
  };
  return loop_.Start(std::move(r));
}

TransferId DockerClient::FollowLogs(const std::string& id, const std::string& since,
                                    std::function<DataResult(std::string_view)> on_data,
                                    std::function<void(const TransferResult&)> done,
                                    std::function<void()> answered) {
  if (!IsContainerId(id)) {
    loop_.Post([id, done = std::move(done)] { done(RejectedId(id)); });
    return 0;
  }
  TransferRequest r = Request("/containers/" + EncodePathSegment(id) +
                                  "/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=" + EncodePathSegment(since),
                              true);
  r.on_data = std::move(on_data);
  r.on_done = [done = std::move(done)](const TransferResult& result, std::string&&) { done(result); };
  r.on_answered = std::move(answered);
  return loop_.Start(std::move(r));
}

TransferId DockerClient::FollowEvents(const std::string& since, std::function<DataResult(std::string_view)> on_data,
                                      std::function<void(const TransferResult&)> done) {
  // filters={"type":["container"]}, URL-encoded.
  std::string path = "/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D";
  if (!since.empty()) path += "&since=" + EncodePathSegment(since);
  TransferRequest r = Request(path, true);
  r.on_data = std::move(on_data);
  r.on_done = [done = std::move(done)](const TransferResult& result, std::string&&) { done(result); };
  return loop_.Start(std::move(r));
}

}  // namespace logcap
