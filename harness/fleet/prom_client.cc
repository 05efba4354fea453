#include "harness/fleet/prom_client.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "common/rfc3339_nano.h"
#include "harness/fleet/prom_http.h"

namespace leakbench::harness {
namespace prom_client {

constexpr double kMaxPointsPerChunk = 11000;  // Prometheus refuses more points per series in one request

std::string Seconds(double t) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", t);
  return buf;
}

// An instant for messages: RFC 3339, UTC.
std::string When(double t) {
  std::string text = FormatRfc3339Nano(static_cast<std::int64_t>(t * 1e9));
  return text.substr(0, 19) + "Z";
}

struct Task {
  std::size_t query = 0;
  TimeRange chunk;
};

// What to do about an error, for the user.
std::string Advice(const PromError& e, const PromClientOptions& o) {
  switch (e.kind) {
    case PromError::Kind::kBadQuery:
      return "check --selector (a label matcher set such as {job=\"log-capturer\"}) and --by (label names, "
             "comma-separated)";
    case PromError::Kind::kSampleLimit:
      return "narrow --selector, shorten --chunk (now " + Seconds(o.chunk_s) +
             " s), lengthen --step, or raise the server's limit (Prometheus: --query.max-samples)";
    case PromError::Kind::kUnauthorized:
      return "give credentials with --bearer-token-file or --basic-auth-file, or $" + std::string(kBearerTokenEnv) +
             " / $" + kBasicAuthEnv;
    case PromError::Kind::kServer:
      return "is the Prometheus HTTP API up at " + o.url + "? (" + std::to_string(o.max_attempts) +
             " attempts; --timeout sets the time per request)";
    case PromError::Kind::kBadAnswer:
      return "is " + o.url + " a Prometheus HTTP API (Prometheus, Thanos Query, Mimir's /prometheus)?";
  }
  return "";
}

std::string KindText(const PromError& e) {
  switch (e.kind) {
    case PromError::Kind::kBadQuery: return "Prometheus refused the query (HTTP " + std::to_string(e.status) + ")";
    case PromError::Kind::kSampleLimit: return "Prometheus's sample limit was hit (HTTP " + std::to_string(e.status) + ")";
    case PromError::Kind::kUnauthorized: return "Prometheus refused the credentials (HTTP " + std::to_string(e.status) + ")";
    case PromError::Kind::kServer: return "no good answer";
    case PromError::Kind::kBadAnswer: return "a bad answer";
  }
  return "";
}

// One request with its retries.
std::variant<std::vector<RangeSeries>, PromError> Fetch(PromHttp& http, const PromClientOptions& o,
                                                        const std::string& url, const RangeQuery& q,
                                                        const TimeRange& chunk, Backoff& backoff,
                                                        PromQueryStats& stats) {
  const std::vector<std::pair<std::string, std::string>> form = {
      {"query", q.expr}, {"start", Seconds(chunk.start)}, {"end", Seconds(chunk.end)}, {"step", Seconds(chunk.step)}};
  for (int attempt = 1;; ++attempt) {
    ++stats.requests;
    const PromHttpAnswer answer = http.PostForm(url, form);
    stats.bytes += answer.body.size();
    std::variant<std::vector<RangeSeries>, PromError> parsed =
        answer.status == 0 ? std::variant<std::vector<RangeSeries>, PromError>(
                                 PromError{PromError::Kind::kServer, 0,
                                           (answer.timed_out ? "timed out: " : "no answer: ") + answer.error})
                           : ParseMatrixAnswer(answer.status, answer.body);
    if (std::holds_alternative<std::vector<RangeSeries>>(parsed)) return parsed;
    const PromError& e = std::get<PromError>(parsed);
    const bool stop = o.interrupted != nullptr && o.interrupted->load();
    if (!Retryable(e) || attempt >= o.max_attempts || stop) return parsed;
    ++stats.retries;
    const auto delay = backoff.NextDelay();
    if (o.sleep) {
      o.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

// The chunks of one query, joined per series (by labels) in time order.
std::vector<RangeSeries> Join(std::vector<std::vector<RangeSeries>>& chunks) {
  std::map<Labels, std::size_t> index;
  std::map<Labels, std::size_t> total;  // points per series over every chunk: one allocation each
  for (const auto& chunk : chunks) {
    for (const RangeSeries& s : chunk) total[s.labels] += s.points.size();
  }
  std::vector<RangeSeries> out;
  for (auto& chunk : chunks) {
    for (RangeSeries& s : chunk) {
      auto [it, added] = index.try_emplace(s.labels, out.size());
      if (added) {
        out.push_back(std::move(s));
        out.back().points.reserve(total[out.back().labels]);
      } else {
        auto& points = out[it->second].points;
        points.insert(points.end(), s.points.begin(), s.points.end());
      }
    }
    chunk.clear();
    chunk.shrink_to_fit();
  }
  return out;
}

}  // namespace prom_client

std::vector<TimeRange> SplitRange(const TimeRange& range, double chunk_s) {
  if (!(range.step > 0) || !std::isfinite(range.start) || !std::isfinite(range.end) || range.end < range.start) {
    throw std::invalid_argument("a range needs start <= end and a step above 0");
  }
  const double per_chunk =
      std::clamp(std::floor(chunk_s / range.step), 1.0, prom_client::kMaxPointsPerChunk);  // points per chunk
  std::vector<TimeRange> chunks;
  for (double k = 0;; k += per_chunk) {
    TimeRange c{range.start + k * range.step, 0, range.step};
    if (c.start > range.end + 1e-9) break;
    c.end = std::min(c.start + (per_chunk - 1) * range.step, range.end);
    chunks.push_back(c);
  }
  return chunks;
}

std::vector<std::vector<RangeSeries>> RunRangeQueries(const PromClientOptions& options,
                                                      const std::vector<RangeQuery>& queries, const TimeRange& range,
                                                      PromQueryStats* stats) {
  if (options.concurrency == 0 || options.max_attempts < 1) {
    throw std::invalid_argument("concurrency and attempts must be at least 1");
  }
  std::string url = options.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/api/v1/query_range";
  const std::vector<TimeRange> chunks = SplitRange(range, options.chunk_s);
  std::vector<prom_client::Task> tasks;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    for (const TimeRange& c : chunks) tasks.push_back({q, c});
  }
  // results[query][chunk]
  std::vector<std::vector<std::vector<RangeSeries>>> results(queries.size(),
                                                             std::vector<std::vector<RangeSeries>>(chunks.size()));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::optional<PromQueryError> first_error;
  PromQueryStats total;
  total.chunks = chunks.size();
  auto worker = [&](std::size_t worker_index) {
    PromQueryStats mine;
    try {
      PromHttp http(options.auth, options.timeout);
      for (;;) {
        const std::size_t i = next.fetch_add(1);
        if (i >= tasks.size() || failed.load()) break;
        if (options.interrupted != nullptr && options.interrupted->load()) break;
        const prom_client::Task& task = tasks[i];
        Backoff backoff(options.backoff, Backoff::SeededUniform(options.seed + i * 7919 + worker_index));
        auto answer = prom_client::Fetch(http, options, url, queries[task.query], task.chunk, backoff, mine);
        if (auto* series = std::get_if<std::vector<RangeSeries>>(&answer)) {
          results[task.query][i % chunks.size()] = std::move(*series);
          continue;
        }
        const PromError& e = std::get<PromError>(answer);
        const RangeQuery& q = queries[task.query];
        std::string what = options.url + ": " + q.name + " (" + q.expr + ") from " +
                           prom_client::When(task.chunk.start) + " to " + prom_client::When(task.chunk.end) +
                           ": " + prom_client::KindText(e) + ": " + e.message + "; " + prom_client::Advice(e, options);
        std::lock_guard lock(mu);
        if (!first_error) first_error.emplace(e, what);
        failed.store(true);
        break;
      }
    } catch (const std::exception& ex) {
      std::lock_guard lock(mu);
      if (!first_error) first_error.emplace(PromError{PromError::Kind::kServer, 0, ex.what()}, ex.what());
      failed.store(true);
    }
    std::lock_guard lock(mu);
    total.requests += mine.requests;
    total.retries += mine.retries;
    total.bytes += mine.bytes;
  };
  {
    std::vector<std::jthread> workers;
    const std::size_t n = std::min(options.concurrency, std::max<std::size_t>(tasks.size(), 1));
    for (std::size_t w = 0; w < n; ++w) workers.emplace_back(worker, w);
  }
  if (stats != nullptr) *stats = total;
  if (first_error) throw *first_error;
  if (options.interrupted != nullptr && options.interrupted->load()) {
    throw PromQueryError(PromError{PromError::Kind::kServer, 0, "interrupted"}, "interrupted before every query was answered");
  }
  std::vector<std::vector<RangeSeries>> out;
  out.reserve(queries.size());
  for (auto& per_query : results) out.push_back(prom_client::Join(per_query));
  return out;
}

}  // namespace leakbench::harness
