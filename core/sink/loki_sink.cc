#include "core/sink/loki_sink.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/backoff.h"
#include "common/curl_handles.h"
#include "common/rfc3339_nano.h"
#include "core/sink/buffered_sink.h"
#include "core/sink/json_line.h"
#include "core/sink/loki_response.h"

namespace logcap {
namespace {

// A record in the sink's buffer: a 9-byte header (name bytes u32, value
// bytes u32, stream u8), the JSON-escaped container name, then the finished
// Loki value ["<ts ns>","<escaped line>"].
constexpr std::size_t kHeaderBytes = 9;
// How much of Loki's reply a log message quotes.
constexpr std::size_t kMaxReplyBytes = 1024;

struct Entry {
  std::string_view name;   // escaped
  std::string_view value;  // ["ts","line"]
  std::uint8_t stream = 0;
  std::size_t encoded_bytes = 0;
};

struct StreamKey {
  std::string_view name;
  std::uint8_t stream = 0;
  bool operator==(const StreamKey&) const = default;
};

struct StreamKeyHash {
  std::size_t operator()(const StreamKey& key) const {
    return std::hash<std::string_view>()(key.name) ^ key.stream;
  }
};

enum class PushOutcome { kOk, kRetry, kReject, kAborted };

// How often a streak of failed pushes is logged again (1st, 20th, 40th...).
constexpr std::uint64_t kLogEveryFailures = 20;

bool ValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

long Milliseconds(std::chrono::nanoseconds d) {
  return static_cast<long>(std::chrono::ceil<std::chrono::milliseconds>(d).count());
}

class LokiTransport final : public SinkTransport {
 public:
  LokiTransport(const SinkConfig& config, const LokiOptions& options)
      : description_("loki:" + config.url),
        push_url_(config.url.substr(0, config.url.find_last_not_of('/') + 1) + "/loki/api/v1/push"),
        batch_bytes_(config.batch_bytes),
        backoff_(leakbench::Backoff::Options{.base = options.retry_base,
                                             .cap = options.retry_cap,
                                             .jitter = leakbench::Backoff::Jitter::kFull,
                                             .min_delay = options.retry_base / 2},
                 leakbench::Backoff::SeededUniform(options.jitter_seed != 0 ? options.jitter_seed
                                                                            : std::random_device()())),
        max_retry_after_(options.max_retry_after),
        on_reject_(config.on_reject) {
    for (const auto& [name, value] : config.loki_labels) {
      if (name == "container_name" || name == "stream") continue;  // set per record
      labels_ += '"';
      AppendJsonEscaped(name, labels_);
      labels_ += "\":\"";
      AppendJsonEscaped(value, labels_);
      labels_ += "\",";
    }
    multi_.reset(curl_multi_init());
    easy_.reset(curl_easy_init());
    if (!multi_ || !easy_) throw std::runtime_error("sink " + description_ + ": cannot create a curl handle");
    for (const char* header : {"Content-Type: application/json", "Expect:"}) {
      curl_slist* head = curl_slist_append(headers_.get(), header);  // same head once non-empty
      if (head == nullptr) throw std::runtime_error("sink " + description_ + ": out of memory");
      if (!headers_) headers_.reset(head);
    }
    CURL* easy = easy_.get();
    curl_easy_setopt(easy, CURLOPT_URL, push_url_.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_.get());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, Milliseconds(options.connect_timeout));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, Milliseconds(options.request_timeout));
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "log-capturer");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &LokiTransport::OnReply);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
  }

  bool Encode(const LogRecord& record, std::string& out) override {
    const std::size_t start = out.size();
    out.append(kHeaderBytes, '\0');
    bool replaced = AppendJsonEscaped(record.container_name, out);
    const std::size_t value_start = out.size();
    out.append("[\"");
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, record.ts_ns);
    out.append(digits, result.ptr);
    out.append("\",\"");
    replaced |= AppendJsonEscaped(record.line, out);
    out.append("\"]");
    const auto name_bytes = static_cast<std::uint32_t>(value_start - start - kHeaderBytes);
    const auto value_bytes = static_cast<std::uint32_t>(out.size() - value_start);
    const auto stream = static_cast<std::uint8_t>(record.stream);
    char* header = out.data() + start;
    std::memcpy(header, &name_bytes, 4);
    std::memcpy(header + 4, &value_bytes, 4);
    std::memcpy(header + 8, &stream, 1);
    return replaced;
  }

  void Deliver(std::string_view chunk, std::uint64_t /*records*/, DeliveryContext& context) override {
    Parse(chunk);
    std::size_t next = 0;
    while (next < entries_.size()) {
      // A batch: at least one record, then as many as fit in batch_bytes.
      std::size_t end = next, batch_bytes = 0;
      while (end < entries_.size() &&
             (end == next || batch_bytes + entries_[end].encoded_bytes <= batch_bytes_)) {
        batch_bytes += entries_[end++].encoded_bytes;
      }
      BuildBody(next, end);
      if (!PushWithRetries(next, end, batch_bytes, context)) return;  // aborted
      next = end;
    }
  }

  void Abort() override { curl_multi_wakeup(multi_.get()); }

  std::string description() const override { return description_; }

 private:
  static std::size_t OnReply(char* data, std::size_t size, std::size_t count, void* self) {
    std::string& reply = static_cast<LokiTransport*>(self)->reply_;
    const std::size_t bytes = size * count;
    reply.append(data, std::min(bytes, kMaxReplyBytes - std::min(kMaxReplyBytes, reply.size())));
    return bytes;
  }

  void Parse(std::string_view chunk) {
    entries_.clear();
    std::size_t at = 0;
    while (at + kHeaderBytes <= chunk.size()) {
      std::uint32_t name_bytes = 0, value_bytes = 0;
      Entry entry;
      std::memcpy(&name_bytes, chunk.data() + at, 4);
      std::memcpy(&value_bytes, chunk.data() + at + 4, 4);
      std::memcpy(&entry.stream, chunk.data() + at + 8, 1);
      entry.name = chunk.substr(at + kHeaderBytes, name_bytes);
      entry.value = chunk.substr(at + kHeaderBytes + name_bytes, value_bytes);
      entry.encoded_bytes = kHeaderBytes + name_bytes + value_bytes;
      entries_.push_back(entry);
      at += entry.encoded_bytes;
    }
  }

  // body_ = the push request for entries_[begin, end), one stream per
  // (container_name, stream), records in their order within each stream.
  void BuildBody(std::size_t begin, std::size_t end) {
    streams_.clear();
    order_.clear();
    for (std::size_t i = begin; i < end; ++i) {
      const auto [it, added] =
          streams_.try_emplace(StreamKey{entries_[i].name, entries_[i].stream}, order_.size());
      if (added) order_.emplace_back();
      order_[it->second].push_back(i);
    }
    body_.assign("{\"streams\":[");
    for (const std::vector<std::size_t>& members : order_) {
      const Entry& first = entries_[members.front()];
      if (&members != &order_.front()) body_ += ',';
      body_ += "{\"stream\":{";
      body_ += labels_;
      body_ += "\"container_name\":\"";
      body_ += first.name;
      body_ += "\",\"stream\":\"";
      body_ += RecordStreamName(static_cast<RecordStream>(first.stream));
      body_ += "\"},\"values\":[";
      for (std::size_t k = 0; k < members.size(); ++k) {
        if (k > 0) body_ += ',';
        body_ += entries_[members[k]].value;
      }
      body_ += "]}";
    }
    body_ += "]}";
  }

  // "container web at 2026-..Z" for entries_[i].
  std::string Describe(std::size_t i) const {
    const Entry& entry = entries_[i];
    std::string out = "container ";
    out += entry.name;
    out += " at ";
    std::int64_t ts = 0;  // the value is ["<ts ns>","<line>"]
    const std::string_view value = entry.value;
    if (value.size() > 2) std::from_chars(value.data() + 2, value.data() + value.size(), ts);
    leakbench::AppendRfc3339Nano(ts, out);
    return out;
  }

  // Pushes body_ (entries_[begin, end)) until it is accepted, or rejected
  // under the drop policy; false if aborted. 408/429/5xx and failed
  // transfers are retried with backoff (at least what Retry-After asks, up
  // to max_retry_after); other 4xx are configuration errors: retried the
  // same way under the retry policy (nothing is acknowledged meanwhile), or
  // dropped, counted and logged under the drop policy.
  bool PushWithRetries(std::size_t begin, std::size_t end, std::size_t encoded_bytes,
                       DeliveryContext& context) {
    const std::size_t records = end - begin;
    std::uint64_t failures = 0;
    for (;;) {
      long status = 0;
      std::string error;
      const PushOutcome outcome = Push(context, &status, &error);
      if (outcome == PushOutcome::kAborted) return false;
      if (outcome == PushOutcome::kOk) {
        if (failures > 0) spdlog::info("sink {}: push accepted after {} failures", description_, failures);
        backoff_.Reset();
        context.Written(encoded_bytes, records, body_.size());
        return true;
      }
      if (outcome == PushOutcome::kReject && on_reject_ == SinkRejectPolicy::kDrop) {
        spdlog::error("sink {}: Loki rejected a batch of {} lines with HTTP {}; DROPPED them "
                      "(sink.on_reject: drop), first {}, last {}; {}. Loki said: {}",
                      description_, records, status, Describe(begin), Describe(end - 1),
                      LokiRejectHint(status), LokiReplyExcerpt(reply_));
        backoff_.Reset();
        context.Dropped(encoded_bytes, records);
        return true;
      }
      context.Failed();
      const std::chrono::nanoseconds delay = NextDelay();
      if (failures++ % kLogEveryFailures == 0) {
        if (outcome == PushOutcome::kReject) {
          spdlog::error("sink {}: Loki rejected a batch of {} lines with HTTP {} ({} in a row); "
                        "{}. The batch is kept and retried in {} ms, nothing is acknowledged "
                        "until Loki takes it (sink.on_reject: drop gives such batches up). "
                        "Loki said: {}",
                        description_, records, status, failures, LokiRejectHint(status),
                        Milliseconds(delay), LokiReplyExcerpt(reply_));
        } else {
          spdlog::warn("sink {}: push failed ({} in a row): {}; retrying in {} ms, lines wait "
                       "in the buffer",
                       description_, failures, error, Milliseconds(delay));
        }
      }
      if (!context.WaitFor(delay)) return false;
    }
  }

  // The backoff's next delay, stretched to what a Retry-After header (in
  // seconds or an HTTP-date; libcurl turns both into seconds) asked for.
  std::chrono::nanoseconds NextDelay() {
    std::chrono::nanoseconds delay = backoff_.NextDelay();
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(easy_.get(), CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
        retry_after > 0) {
      const std::chrono::nanoseconds asked = std::chrono::seconds(
          std::min<curl_off_t>(retry_after, std::chrono::duration_cast<std::chrono::seconds>(
                                                max_retry_after_).count()));
      delay = std::max(delay, std::min(asked, max_retry_after_));
    }
    return delay;
  }

  // One POST of body_, driven through the multi handle so Abort can end it.
  PushOutcome Push(DeliveryContext& context, long* status, std::string* error) {
    CURL* easy = easy_.get();
    CURLM* multi = multi_.get();
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    reply_.clear();
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
      *error = "curl_multi_add_handle failed";
      return PushOutcome::kRetry;
    }
    CURLcode result = CURLE_OK;
    bool done = false;
    while (!done && !context.aborted()) {
      int running = 0;
      if (curl_multi_perform(multi, &running) != CURLM_OK) {
        result = CURLE_FAILED_INIT;
        break;
      }
      int queued = 0;
      while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
        if (message->msg == CURLMSG_DONE) {
          result = message->data.result;
          done = true;
        }
      }
      if (!done) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    curl_multi_remove_handle(multi, easy);
    if (!done && context.aborted()) return PushOutcome::kAborted;
    if (result != CURLE_OK || !done) {
      *error = curl_easy_strerror(result);
      return PushOutcome::kRetry;
    }
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, status);
    *error = "HTTP " + std::to_string(*status) + ": " + LokiReplyExcerpt(reply_);
    switch (ClassifyLokiStatus(*status)) {
      case LokiVerdict::kAccepted:
        return PushOutcome::kOk;
      case LokiVerdict::kRetry:
        return PushOutcome::kRetry;
      case LokiVerdict::kRejected:
        return PushOutcome::kReject;
    }
    return PushOutcome::kReject;
  }

  const std::string description_;
  const std::string push_url_;
  const std::size_t batch_bytes_;
  std::string labels_;  // the configured labels, `"k":"v",` each
  leakbench::Backoff backoff_;
  const std::chrono::nanoseconds max_retry_after_;
  const SinkRejectPolicy on_reject_;
  leakbench::CurlSlistPtr headers_;
  leakbench::CurlMultiPtr multi_;
  leakbench::CurlEasyPtr easy_;
  // Writer-thread scratch, kept between chunks to reuse their memory.
  std::vector<Entry> entries_;
  std::unordered_map<StreamKey, std::size_t, StreamKeyHash> streams_;
  std::vector<std::vector<std::size_t>> order_;  // entry indexes per stream
  std::string body_;
  std::string reply_;
};

}  // namespace

std::unique_ptr<Sink> MakeLokiSink(const SinkConfig& config, LokiOptions options) {
  const std::string_view url = config.url;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    throw std::runtime_error("sink url '" + config.url +
                             "' is not an http:// or https:// URL (Loki's base URL, e.g. "
                             "http://127.0.0.1:3100)");
  }
  for (const auto& [name, value] : config.loki_labels) {
    if (!ValidLabelName(name)) {
      throw std::runtime_error("Loki label name '" + name +
                               "' is invalid (letters, digits and '_', not starting with a digit)");
    }
  }
  if (config.batch_bytes == 0) throw std::runtime_error("sink batch_bytes must be > 0 for Loki");
  if (options.retry_base.count() <= 0 || options.retry_base > options.retry_cap) {
    throw std::runtime_error("Loki retry backoff needs 0 < retry_base <= retry_cap");
  }
  return std::make_unique<BufferedSink>(std::make_unique<LokiTransport>(config, options),
                                        BufferedSinkOptions{.buffer_bytes = config.buffer_bytes,
                                                            .batch_bytes = config.batch_bytes,
                                                            .batch_wait = config.batch_wait});
}

}  // namespace logcap
