#include "harness/proxy/proxy_record.h"

#include <time.h>

#include <algorithm>

#include "harness/proxy/docker_path.h"

namespace leakbench::proxy {

using json = nlohmann::json;

std::int64_t RealtimeNanos() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

ProxyRecord::ProxyRecord(NowFn now, std::size_t keep_closed) : now_(std::move(now)), keep_closed_(keep_closed) {}

std::uint64_t ProxyRecord::ConnectionOpened() {
  std::lock_guard lock(mu_);
  ++connections_open_;
  ++connections_total_;
  return next_connection_++;
}

void ProxyRecord::ConnectionClosed(std::uint64_t) {
  std::lock_guard lock(mu_);
  if (connections_open_ > 0) --connections_open_;
}

void ProxyRecord::Forwarded(std::uint64_t to_daemon, std::uint64_t to_client) {
  std::lock_guard lock(mu_);
  bytes_to_daemon_ += to_daemon;
  bytes_to_client_ += to_client;
}

void ProxyRecord::UpstreamFailed(const std::string& why) {
  std::lock_guard lock(mu_);
  ++upstream_failures_;
  last_upstream_failure_ = why.substr(0, 300);
}

std::uint64_t ProxyRecord::RequestStarted(std::uint64_t connection, const std::string& method, const std::string& target) {
  std::lock_guard lock(mu_);
  RequestRecord r;
  r.id = next_request_++;
  r.connection = connection;
  r.method = method;
  r.target = target.substr(0, 2048);
  r.started_ns = now_();
  ++requests_by_endpoint_[ClassifyTarget(target).endpoint.substr(0, 64)];
  ++requests_total_;
  const std::uint64_t id = r.id;
  requests_open_.emplace(id, std::move(r));
  return id;
}

void ProxyRecord::RequestAnswered(std::uint64_t request, int status) {
  std::lock_guard lock(mu_);
  auto it = requests_open_.find(request);
  if (it == requests_open_.end()) return;
  it->second.status = status;
  it->second.answered_ns = now_();
}

void ProxyRecord::RequestEnded(std::uint64_t request, std::uint64_t body_bytes) {
  std::lock_guard lock(mu_);
  auto it = requests_open_.find(request);
  if (it == requests_open_.end()) return;
  it->second.ended_ns = now_();
  it->second.bytes = body_bytes;
  requests_done_.push_back(std::move(it->second));
  requests_open_.erase(it);
  while (requests_done_.size() > kKeepRequests) requests_done_.pop_front();
}

std::uint64_t ProxyRecord::StreamOpened(std::uint64_t connection, std::uint64_t request, const std::string& endpoint,
                                        bool follow, const std::string& target, const std::string& container,
                                        int status, const std::string& content_type) {
  std::lock_guard lock(mu_);
  StreamRecord s;
  s.id = next_stream_++;
  s.connection = connection;
  s.endpoint = endpoint;
  s.follow = follow;
  s.target = target.substr(0, 2048);
  s.container = container.substr(0, 256);
  s.status = status;
  auto req = requests_open_.find(request);
  s.answered_ns = now_();  // called as the response head passes
  s.opened_ns = req != requests_open_.end() ? req->second.started_ns : s.answered_ns;
  s.tap = StampTap(StampTap::EncodingOf(content_type));
  ++opened_total_;
  if (endpoint == "logs" && follow) follow_peak_ = std::max(follow_peak_, ++follow_open_);
  if (endpoint == "events") ++events_open_;
  const std::uint64_t id = s.id;
  open_.emplace(id, std::move(s));
  return id;
}

void ProxyRecord::StreamData(std::uint64_t stream, std::string_view payload) {
  std::lock_guard lock(mu_);
  auto it = open_.find(stream);
  if (it == open_.end()) return;
  it->second.bytes += payload.size();
  if (it->second.endpoint == "logs") it->second.tap.Feed(payload);
}

void ProxyRecord::StreamClosed(std::uint64_t stream, const std::string& reason) {
  std::lock_guard lock(mu_);
  auto it = open_.find(stream);
  if (it == open_.end()) return;
  StreamRecord s = std::move(it->second);
  open_.erase(it);
  s.closed_ns = now_();
  s.close_reason = reason;
  s.tap.Finish();
  if (s.endpoint == "logs" && s.follow && follow_open_ > 0) --follow_open_;
  if (s.endpoint == "events" && events_open_ > 0) --events_open_;
  ++closed_total_;
  closed_.push_back(std::move(s));
  while (closed_.size() > keep_closed_) {
    closed_.pop_front();
    ++closed_dropped_;
  }
}

json ProxyRecord::StreamJson(const StreamRecord& s) {
  json ranges = json::array();
  for (const auto& [first, last] : s.tap.seqs().Ranges()) ranges.push_back({first, last});
  return {{"id", s.id},
          {"connection", s.connection},
          {"endpoint", s.endpoint},
          {"follow", s.follow},
          {"target", s.target},
          {"container_id", s.container},
          {"status", s.status},
          {"opened_at_ns", s.opened_ns},
          {"answered_at_ns", s.answered_ns},
          {"closed_at_ns", s.closed_ns},
          {"open", s.closed_ns == 0},
          {"close_reason", s.close_reason},
          {"bytes_sent", s.bytes},
          {"lines_sent", s.tap.seqs().size()},
          {"lines_seen", s.tap.lines()},
          {"repeated", s.tap.repeated()},
          {"first_seq", s.tap.seqs().min()},
          {"last_seq", s.tap.seqs().max()},
          {"seq_ranges", std::move(ranges)},
          {"cid", s.tap.cid()},
          {"tap_error", s.tap.error()}};
}

json ProxyRecord::Truth() const {
  std::lock_guard lock(mu_);
  return {{"now_ns", now_()},
          {"source", "proxy"},
          {"follow_streams_open", follow_open_},
          {"follow_streams_peak", follow_peak_},
          {"events_streams_open", events_open_},
          {"streams_open", open_.size()},
          {"streams_opened_total", opened_total_},
          {"streams_closed_total", closed_total_},
          {"streams_closed_dropped", closed_dropped_},
          {"connections_open", connections_open_},
          {"connections_total", connections_total_},
          {"requests_total", requests_total_},
          {"requests", requests_by_endpoint_},
          {"bytes_to_daemon", bytes_to_daemon_},
          {"bytes_to_client", bytes_to_client_},
          {"upstream_failures", upstream_failures_},
          {"last_upstream_failure", last_upstream_failure_},
          {"daemon_restarts", 0}};
}

json ProxyRecord::Streams(const std::string& state, std::size_t limit) const {
  std::lock_guard lock(mu_);
  json out = json::array();
  std::vector<const StreamRecord*> picked;
  if (state != "open") {
    for (const auto& s : closed_) picked.push_back(&s);
  }
  if (state != "closed") {
    for (const auto& [id, s] : open_) picked.push_back(&s);
  }
  const std::size_t skip = picked.size() > limit ? picked.size() - limit : 0;
  for (std::size_t i = skip; i < picked.size(); ++i) out.push_back(StreamJson(*picked[i]));
  return out;
}

json ProxyRecord::Requests(std::size_t limit) const {
  std::lock_guard lock(mu_);
  json out = json::array();
  auto add = [&out](const RequestRecord& r) {
    out.push_back({{"id", r.id},
                   {"connection", r.connection},
                   {"method", r.method},
                   {"target", r.target},
                   {"status", r.status},
                   {"started_ns", r.started_ns},
                   {"answered_ns", r.answered_ns},
                   {"ended_ns", r.ended_ns},
                   {"bytes", r.bytes}});
  };
  const std::size_t skip = requests_done_.size() > limit ? requests_done_.size() - limit : 0;
  for (std::size_t i = skip; i < requests_done_.size(); ++i) add(requests_done_[i]);
  for (const auto& [id, r] : requests_open_) add(r);
  return out;
}

}  // namespace leakbench::proxy
