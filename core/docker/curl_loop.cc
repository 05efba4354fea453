#include "core/docker/curl_loop.h"

#include "core/docker/socket_hint.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace logcap {

namespace {

constexpr std::size_t kMaxErrorBody = 64 << 10;

bool IsConnectFailure(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
         code == CURLE_COULDNT_RESOLVE_PROXY;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool HeaderNameIs(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view TransferKindName(TransferResult::Kind kind) {
  switch (kind) {
    case TransferResult::Kind::kComplete: return "complete";
    case TransferResult::Kind::kHttpError: return "http_error";
    case TransferResult::Kind::kTransport: return "transport";
    case TransferResult::Kind::kAborted: return "aborted";
    case TransferResult::Kind::kBadResponse: return "bad_response";
  }
  return "unknown";
}

struct CurlLoop::Shard {
  CurlLoop* loop = nullptr;
  std::uint32_t index = 0;
  leakbench::CurlMultiPtr multi;
  std::size_t transfers = 0;
  bool timer_set = false;
  Clock::time_point deadline{};
};

struct CurlLoop::Transfer {
  leakbench::CurlEasyPtr easy;
  Shard* shard = nullptr;
  TransferRequest request;
  TransferResult result;
  std::string collected;
  char errbuf[CURL_ERROR_SIZE] = {};
  bool status_known = false;
  bool aborted = false;
  bool too_large = false;
  std::string callback_error;  // an exception caught in a callback
};

namespace {
// curl_multi_assign's mark for "this socket is in the epoll set".
char kWatched = 0;
}  // namespace

CurlLoop::CurlLoop(std::size_t transfers_per_shard) : transfers_per_shard_(std::max<std::size_t>(1, transfers_per_shard)) {
  ShardForNewTransfer();  // the first multi handle: fail early if libcurl cannot make one
}

CurlLoop::~CurlLoop() {
  for (auto& [id, transfer] : by_id_) curl_multi_remove_handle(transfer->shard->multi.get(), transfer->easy.get());
  by_easy_.clear();
  by_id_.clear();
}

CurlLoop::Shard& CurlLoop::ShardForNewTransfer() {
  for (auto& shard : shards_) {
    if (shard->transfers < transfers_per_shard_) return *shard;
  }
  auto shard = std::make_unique<Shard>();
  shard->loop = this;
  shard->index = static_cast<std::uint32_t>(shards_.size());
  shard->multi.reset(curl_multi_init());
  if (!shard->multi) throw std::runtime_error("libcurl: curl_multi_init failed (out of memory?)");
  CURLM* multi = shard->multi.get();
  // Idle connections kept for reuse are bounded: a rotated stream's
  // connection is closed, never parked.
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 16L);
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlLoop::OnSocket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, shard.get());
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlLoop::OnTimer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, shard.get());
  shards_.push_back(std::move(shard));
  return *shards_.back();
}

void CurlLoop::Stop() {
  stop_.store(true);
  watch_.Wake();
}

void CurlLoop::Post(std::function<void()> task) {
  bool first = false;
  {
    std::lock_guard lock(posted_mutex_);
    first = posted_.empty();
    posted_.push_back(std::move(task));
  }
  // Later tasks ride on the first one's wake-up: the loop takes them all.
  if (first) watch_.Wake();
}

void CurlLoop::Run() {
  while (!stop_.load()) {
    RunPosted();
    RunDueTimers();
    RunCurlTimers();
    ProcessDone();
    if (stop_.load()) break;
    for (const SocketWatch::Ready& ready : watch_.Wait(WaitTimeout())) {
      if (ready.tag >= shards_.size()) continue;
      int events = 0;
      if (ready.in) events |= CURL_CSELECT_IN;
      if (ready.out) events |= CURL_CSELECT_OUT;
      if (ready.error) events |= CURL_CSELECT_ERR;
      SocketAction(*shards_[ready.tag], ready.fd, events);
    }
    ProcessDone();
  }
}

void CurlLoop::SocketAction(Shard& shard, curl_socket_t fd, int events) {
  if (fd != CURL_SOCKET_TIMEOUT) ++socket_events_;
  int running = 0;
  const CURLMcode mc = curl_multi_socket_action(shard.multi.get(), fd, events, &running);
  if (!callback_error_.empty()) {
    throw std::runtime_error("libcurl socket callback: " + std::exchange(callback_error_, std::string()));
  }
  // CURLM_BAD_SOCKET: the socket was closed while its event waited in the
  // same batch; there is nothing left to do for it.
  if (mc != CURLM_OK && mc != CURLM_BAD_SOCKET) {
    throw std::runtime_error(std::string("libcurl: curl_multi_socket_action failed: ") + curl_multi_strerror(mc));
  }
}

void CurlLoop::RunCurlTimers() {
  const auto now = Clock::now();
  for (auto& shard : shards_) {
    if (!shard->timer_set || shard->deadline > now) continue;
    shard->timer_set = false;
    SocketAction(*shard, CURL_SOCKET_TIMEOUT, 0);
  }
}

std::chrono::milliseconds CurlLoop::WaitTimeout() {
  using std::chrono::milliseconds;
  {
    std::lock_guard lock(posted_mutex_);
    if (!posted_.empty()) return milliseconds(0);
  }
  auto wait = Clock::duration(std::chrono::seconds(1));
  const auto now = Clock::now();
  for (const auto& shard : shards_) {
    if (shard->timer_set) wait = std::min(wait, shard->deadline - now);
  }
  if (!timers_.empty()) wait = std::min(wait, timers_.begin()->first.first - now);
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(wait));
}

int CurlLoop::OnSocket(CURL* /*easy*/, curl_socket_t fd, int what, void* user, void* socket_user) noexcept {
  auto* shard = static_cast<Shard*>(user);
  CurlLoop* self = shard->loop;
  try {
    if (what == CURL_POLL_REMOVE) {
      if (socket_user != nullptr) {
        self->watch_.Forget(fd);
        if (self->sockets_ > 0) --self->sockets_;
      }
      return 0;
    }
    const bool in = what == CURL_POLL_IN || what == CURL_POLL_INOUT;
    const bool out = what == CURL_POLL_OUT || what == CURL_POLL_INOUT;
    if (socket_user == nullptr) {
      self->watch_.Add(fd, shard->index, in, out);
      curl_multi_assign(shard->multi.get(), fd, &kWatched);
      ++self->sockets_;
    } else {
      self->watch_.Change(fd, shard->index, in, out);
    }
    return 0;
  } catch (const std::exception& e) {
    self->callback_error_ = e.what();
  } catch (...) {
    self->callback_error_ = "unknown exception";
  }
  return -1;
}

int CurlLoop::OnTimer(CURLM* /*multi*/, long timeout_ms, void* user) noexcept {
  auto* shard = static_cast<Shard*>(user);
  if (timeout_ms < 0) {
    shard->timer_set = false;
  } else {
    // 0 means "as soon as possible": the next loop turn, never from here.
    shard->timer_set = true;
    shard->deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

void CurlLoop::RunPosted() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(posted_mutex_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

void CurlLoop::RunDueTimers() {
  const auto now = Clock::now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    timer_when_.erase(node.key().second);
    node.mapped()();
  }
}

TimerId CurlLoop::After(Clock::duration delay, std::function<void()> callback) {
  return At(Clock::now() + delay, std::move(callback));
}

TimerId CurlLoop::At(Clock::time_point when, std::function<void()> callback) {
  const TimerId id = next_timer_++;
  timers_.emplace(std::make_pair(when, id), std::move(callback));
  timer_when_.emplace(id, when);
  return id;
}

void CurlLoop::CancelTimer(TimerId id) {
  auto it = timer_when_.find(id);
  if (it == timer_when_.end()) return;
  timers_.erase(std::make_pair(it->second, id));
  timer_when_.erase(it);
}

TransferId CurlLoop::Start(TransferRequest request) {
  auto transfer = std::make_unique<Transfer>();
  transfer->easy.reset(curl_easy_init());
  if (!transfer->easy) throw std::runtime_error("libcurl: curl_easy_init failed (out of memory?)");
  CURL* easy = transfer->easy.get();
  transfer->request = std::move(request);
  const TransferRequest& r = transfer->request;
  curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
  if (!r.unix_socket.empty()) curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, r.unix_socket.c_str());
  if (r.head) curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->errbuf);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout.count()));
  if (r.total_timeout.count() > 0) {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.total_timeout.count()));
  }
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &CurlLoop::OnWrite);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &CurlLoop::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "log-capturer/1.0");
  // Streams stay open for minutes with long silences; the kernel notices a
  // vanished TCP peer.
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  if (r.receive_buffer_bytes > 0) {
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, static_cast<long>(r.receive_buffer_bytes));
  }
  Shard& shard = ShardForNewTransfer();
  const CURLMcode mc = curl_multi_add_handle(shard.multi.get(), easy);
  if (mc != CURLM_OK) {
    throw std::runtime_error(std::string("libcurl: curl_multi_add_handle failed: ") + curl_multi_strerror(mc));
  }
  transfer->shard = &shard;
  ++shard.transfers;
  const TransferId id = next_id_++;
  by_easy_.emplace(easy, id);
  by_id_.emplace(id, std::move(transfer));
  return id;
}

bool CurlLoop::Cancel(TransferId id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  CURL* easy = it->second->easy.get();
  Shard& shard = *it->second->shard;
  curl_multi_remove_handle(shard.multi.get(), easy);
  --shard.transfers;
  by_easy_.erase(easy);
  by_id_.erase(it);
  return true;
}

void CurlLoop::Resume(TransferId id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  curl_easy_pause(it->second->easy.get(), CURLPAUSE_CONT);
}

void CurlLoop::ProcessDone() {
  // By index: an on_done may start a transfer, and with it a new shard.
  for (std::size_t i = 0; i < shards_.size(); ++i) ProcessDone(*shards_[i]);
}

void CurlLoop::ProcessDone(Shard& shard) {
  int left = 0;
  // One message at a time: an on_done may cancel another transfer, and
  // curl_multi_remove_handle drops that transfer's queued message.
  while (CURLMsg* msg = curl_multi_info_read(shard.multi.get(), &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    auto easy_it = by_easy_.find(easy);
    if (easy_it == by_easy_.end()) continue;
    auto node = by_id_.extract(easy_it->second);
    by_easy_.erase(easy_it);
    curl_multi_remove_handle(shard.multi.get(), easy);
    --shard.transfers;
    Transfer& t = *node.mapped();
    TransferResult result = std::move(t.result);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    result.http_status = status;
    result.curl_code = static_cast<int>(code);
    const bool http_error = status != 0 && (status < 200 || status >= 300);
    if (t.aborted) {
      result.kind = TransferResult::Kind::kAborted;
      result.message = "aborted by the reader";
    } else if (!t.callback_error.empty()) {
      result.kind = TransferResult::Kind::kTransport;
      result.message = "callback failed: " + t.callback_error;
    } else if (t.too_large) {
      result.kind = TransferResult::Kind::kTransport;
      result.message = "response body larger than " + std::to_string(t.request.max_collect_bytes) + " bytes";
    } else if (http_error) {
      result.kind = TransferResult::Kind::kHttpError;
      result.message = "HTTP " + std::to_string(status);
    } else if (code != CURLE_OK) {
      result.kind = TransferResult::Kind::kTransport;
      result.connect_failed = IsConnectFailure(code);
      result.message = curl_easy_strerror(code);
      if (t.errbuf[0] != '\0') result.message += std::string(": ") + t.errbuf;
      if (result.connect_failed && !t.request.unix_socket.empty()) {
        result.message += " (" + UnixSocketHint(t.request.unix_socket) + ")";
      }
    } else {
      result.kind = TransferResult::Kind::kComplete;
    }
    auto on_done = std::move(t.request.on_done);
    std::string collected = std::move(t.collected);
    node.mapped().reset();
    if (on_done) on_done(result, std::move(collected));
  }
}

std::size_t CurlLoop::OnWrite(char* data, std::size_t size, std::size_t n, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * n;
  try {
    if (!t->status_known) {
      long status = 0;
      curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &status);
      t->result.http_status = status;
      t->status_known = true;
    }
    const long status = t->result.http_status;
    if (status < 200 || status >= 300) {
      const std::size_t room = kMaxErrorBody - std::min(kMaxErrorBody, t->result.error_body.size());
      t->result.error_body.append(data, std::min(room, len));
      return len;
    }
    if (t->request.on_data) {
      switch (t->request.on_data(std::string_view(data, len))) {
        case DataResult::kConsumed:
          t->result.body_bytes += len;
          return len;
        case DataResult::kPause:
          return CURL_WRITEFUNC_PAUSE;
        case DataResult::kAbort:
          t->aborted = true;
          return 0;
      }
    }
    if (t->collected.size() + len > t->request.max_collect_bytes) {
      t->too_large = true;
      return 0;
    }
    t->collected.append(data, len);
    t->result.body_bytes += len;
    return len;
  } catch (const std::exception& e) {
    t->callback_error = e.what();
  } catch (...) {
    t->callback_error = "unknown exception";
  }
  return 0;
}

std::size_t CurlLoop::OnHeader(char* data, std::size_t size, std::size_t n, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * n;
  try {
    std::string_view line(data, len);
    if (line.starts_with("HTTP/")) {
      t->result.api_version.clear();  // a new response (after 1xx)
      t->status_known = false;
    } else if (line == "\r\n" || line == "\n") {
      // The end of a response's headers; a 1xx one is followed by another.
      long status = 0;
      curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &status);
      if (status >= 200 && status < 300 && t->request.on_answered) t->request.on_answered();
    } else if (HeaderNameIs(line, "Api-Version")) {
      t->result.api_version = std::string(Trim(line.substr(12)));
    }
  } catch (const std::exception& e) {
    t->callback_error = std::string("header callback failed: ") + e.what();
    return 0;
  } catch (...) {
    t->callback_error = "header callback failed";
    return 0;
  }
  return len;
}

}  // namespace logcap
