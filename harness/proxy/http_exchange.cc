#include "harness/proxy/http_exchange.h"


namespace leakbench::proxy {

HttpExchange::HttpExchange(ProxyRecord& record) : record_(record), connection_(record.ConnectionOpened()) {}

HttpExchange::~HttpExchange() {
  ClientClosed();
  record_.ConnectionClosed(connection_);
}

void HttpExchange::FromClient(std::string_view bytes) {
  while (!bytes.empty()) {
    if (up_ == State::kRaw || up_ == State::kLost) return;
    if (up_ == State::kBody) {
      bytes.remove_prefix(up_body_.Feed(bytes, [](std::string_view) {}));
      if (up_body_.failed()) return Lose("request body: " + up_body_.error());
      if (up_body_.done()) up_ = State::kHead;
      continue;
    }
    const std::size_t before = up_head_.size();
    up_head_.append(bytes.substr(0, kMaxHeadBytes + 4));
    HttpHead head;
    const HeadResult r = ParseRequestHead(up_head_, &head);
    if (r.status == HeadStatus::kError) return Lose("request: " + r.error);
    if (r.status == HeadStatus::kNeedMore) return;
    bytes.remove_prefix(r.length - before);
    up_head_.clear();
    Pending p;
    p.method = head.method;
    p.target = head.target;
    p.what = ClassifyTarget(head.target);
    p.request = record_.RequestStarted(connection_, head.method, head.target);
    pending_.push_back(std::move(p));
    if (head.chunked) {
      up_body_ = BodyFramer::Chunked();
    } else if (head.content_length) {
      up_body_ = BodyFramer::Length(*head.content_length);
    } else {
      up_body_ = BodyFramer::None();
    }
    up_ = up_body_.done() ? State::kHead : State::kBody;
  }
}

void HttpExchange::FromDaemon(std::string_view bytes) {
  while (!bytes.empty()) {
    if (down_ == State::kRaw || down_ == State::kLost) return;
    if (down_ == State::kBody) {
      const std::size_t n = down_body_.Feed(bytes, [this](std::string_view payload) {
        body_bytes_ += payload.size();
        if (stream_ != 0) record_.StreamData(stream_, payload);
      });
      bytes.remove_prefix(n);
      if (down_body_.failed()) return Lose("response body: " + down_body_.error());
      if (down_body_.done()) EndResponse(kDaemonEnded);
      continue;
    }
    const std::size_t before = down_head_.size();
    down_head_.append(bytes.substr(0, kMaxHeadBytes + 4));
    HttpHead head;
    const HeadResult r = ParseResponseHead(down_head_, &head);
    if (r.status == HeadStatus::kError) return Lose("response: " + r.error);
    if (r.status == HeadStatus::kNeedMore) return;
    bytes.remove_prefix(r.length - before);
    down_head_.clear();
    if (pending_.empty()) return Lose("a response (" + std::to_string(head.status) + ") without a request");
    if (head.status >= 100 && head.status < 200 && head.status != 101) continue;  // 100 Continue: the answer follows
    const Pending& p = pending_.front();
    record_.RequestAnswered(p.request, head.status);
    if (head.status == 101) {  // upgraded: from now on raw bytes both ways
      record_.RequestEnded(p.request, 0);
      pending_.pop_front();
      up_ = down_ = State::kRaw;
      return;
    }
    const bool no_body = p.method == "HEAD" || head.status == 204 || head.status == 304;
    StartResponseBody(p, head, no_body);
  }
}

void HttpExchange::StartResponseBody(const Pending& p, const HttpHead& head, bool no_body) {
  responding_ = true;
  body_bytes_ = 0;
  stream_ = 0;
  if (no_body) {
    down_body_ = BodyFramer::None();
  } else if (head.chunked) {
    down_body_ = BodyFramer::Chunked();
  } else if (head.content_length) {
    down_body_ = BodyFramer::Length(*head.content_length);
  } else {
    // No length: the body runs to the end of the connection. For Docker
    // that is a hijacked connection (attach, exec start): the client's
    // further bytes are a container's stdin, not requests.
    down_body_ = BodyFramer::UntilClose();
    up_ = State::kRaw;
  }
  if (head.status == 200 && (p.what.endpoint == "logs" || p.what.endpoint == "events")) {
    stream_ = record_.StreamOpened(connection_, p.request, p.what.endpoint, p.what.follow, p.target,
                                   p.what.container, head.status, head.content_type);
  }
  if (down_body_.done()) {
    EndResponse(kDaemonEnded);
  } else {
    down_ = State::kBody;
  }
}

void HttpExchange::EndResponse(const char* reason) {
  if (!responding_) return;
  responding_ = false;
  if (stream_ != 0) record_.StreamClosed(stream_, reason);
  stream_ = 0;
  if (!pending_.empty()) {
    record_.RequestEnded(pending_.front().request, body_bytes_);
    pending_.pop_front();
  }
  if (down_ == State::kBody) down_ = State::kHead;
}

void HttpExchange::Lose(const std::string& why) {
  if (lost_reason_.empty()) lost_reason_ = why.substr(0, 300);
  if (responding_) EndResponse(kUndecodable);
  for (const Pending& p : pending_) record_.RequestEnded(p.request, 0);
  pending_.clear();
  up_ = down_ = State::kLost;
}

void HttpExchange::ClientClosed() {
  if (closed_) return;
  closed_ = true;
  if (responding_) EndResponse(kClientClosed);
  for (const Pending& p : pending_) record_.RequestEnded(p.request, 0);
  pending_.clear();
}

void HttpExchange::DaemonClosed() {
  if (closed_) return;
  closed_ = true;
  if (responding_) {
    EndResponse(down_body_.kind() == BodyFramer::Kind::kUntilClose ? kDaemonEnded : kDaemonClosed);
  }
  for (const Pending& p : pending_) record_.RequestEnded(p.request, 0);
  pending_.clear();
}

}  // namespace leakbench::proxy
