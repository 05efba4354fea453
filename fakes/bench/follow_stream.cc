#include "fakes/bench/follow_stream.h"

#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>

#include "fakes/bench/http_head.h"
#include "fakes/client/text.h"

namespace followload {

using fakedocker::ChunkDecoder;
using fakedocker::Printable;

namespace asio = boost::asio;
using Proto = asio::local::stream_protocol;

FollowStream::FollowStream(StreamHost& host, size_t index, Target& target)
    : host_(host), index_(index), target_(target), socket_(host.io()), lines_(target.cid12) {}

void FollowStream::Launch() {
  ++attempts_;
  boost::system::error_code ec;
  if (socket_.is_open()) socket_.close(ec);
  socket_.open(Proto(), ec);
  if (ec) return Fail("socket", ec.message());
  socket_.non_blocking(true, ec);
  // A Unix stream connect completes at once or fails with EAGAIN when the
  // listener's backlog is full; it never goes "in progress". So connect by
  // hand instead of asio's async_connect, which would take EAGAIN for "in
  // progress" and report success for a socket that never connected.
  Proto::endpoint ep(host_.cfg().socket);
  if (::connect(socket_.native_handle(), ep.data(), static_cast<socklen_t>(ep.size())) != 0) {
    int err = errno;
    if ((err == EAGAIN || err == EINTR) && attempts_ < host_.cfg().max_connect_attempts) {
      socket_.close(ec);
      host_.RetryLater(index_);
      return;
    }
    return Fail("connect", std::strerror(err));
  }
  state_ = State::kHead;
  host_.HeadPending();
  asio::async_write(socket_, asio::buffer(target_.request), [this](boost::system::error_code wec, size_t) {
    if (state_ != State::kHead) return;
    if (wec) return Fail("write request", wec.message());
    Wait();
  });
}

void FollowStream::Close() {
  if (state_ == State::kHead || state_ == State::kBody) state_ = State::kClosed;
  boost::system::error_code ec;
  socket_.close(ec);
}

void FollowStream::Wait() {
  socket_.async_wait(Proto::socket::wait_read, [this](boost::system::error_code ec) { OnReadable(ec); });
}

void FollowStream::OnReadable(boost::system::error_code ec) {
  if (state_ != State::kHead && state_ != State::kBody) return;
  if (ec) return Fail("wait", ec.message());
  auto& buf = host_.read_buffer();
  // A few reads per wake-up at most, so one busy stream cannot starve the rest.
  for (int round = 0; round < 8; ++round) {
    size_t n = socket_.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return Wait();
    if (ec == asio::error::eof) {
      if (state_ == State::kHead) return Fail("eof", "connection closed before the response head");
      return Ended("connection closed before the last chunk");
    }
    if (ec) return Fail("read", ec.message());
    OnData(std::string_view(buf.data(), n));
    if (state_ != State::kHead && state_ != State::kBody) return;
    // A short read drained the socket: the next data is a new readiness edge.
    if (n < buf.size()) return Wait();
  }
  asio::post(host_.io(), [this] { OnReadable({}); });
}

void FollowStream::OnData(std::string_view data) {
  host_.totals().wire_bytes += data.size();
  if (state_ == State::kBody) return OnBody(data);
  size_t old = head_.size();
  head_.append(data);
  size_t end = head_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
  if (end == std::string::npos) {
    if (head_.size() > 64 * 1024) Fail("protocol", "response head larger than 64 KiB");
    return;
  }
  std::string head = std::move(head_);
  head_ = std::string();
  std::string_view rest = std::string_view(head).substr(end + 4);
  OnHead(std::string_view(head).substr(0, end), rest);
  if (state_ == State::kBody && !rest.empty()) OnBody(rest);
}

void FollowStream::OnHead(std::string_view head, std::string_view body_start) {
  HttpHead parsed = ParseHead(head);
  if (!parsed.error.empty()) return Fail("protocol", parsed.error);
  if (parsed.status != 200) {
    return Fail("HTTP " + std::to_string(parsed.status), target_.id.substr(0, 12) + ": " + Printable(body_start, 200));
  }
  chunked_ = IsChunked(parsed.headers);
  tty_ = target_.tty;
  // API >= 1.42 names the body's framing; trust it over Config.Tty when present.
  if (auto ct = parsed.headers.find("content-type"); ct != parsed.headers.end()) {
    if (ct->second.find("vnd.docker.raw-stream") != std::string::npos) tty_ = true;
    if (ct->second.find("vnd.docker.multiplexed-stream") != std::string::npos) tty_ = false;
  }
  state_ = State::kBody;
  host_.StreamOpened();
}

void FollowStream::OnBody(std::string_view data) {
  if (!chunked_) return OnDecoded(data);
  size_t used = 0;
  auto s = chunks_.Feed(data, [this](std::string_view piece) { OnDecoded(piece); }, &used);
  if (s == ChunkDecoder::Status::kError) {
    return Fail("protocol", "chunked framing: " + chunks_.error());
  }
  if (s == ChunkDecoder::Status::kDone && (state_ == State::kBody)) Ended("the fake ended the response (last chunk)");
}

void FollowStream::OnDecoded(std::string_view data) {
  if (state_ != State::kBody) return;
  if (tty_) return OnText(data);
  bool ok = frames_.Feed(data, [this](uint8_t stream, std::string_view piece, bool first) {
    if (stream == 3) {  // an in-band error from the daemon: not a log line
      if (first) ++host_.totals().error_frames;
      return;
    }
    OnText(piece);
  });
  if (!ok) Fail("protocol", frames_.error());
}

void FollowStream::OnText(std::string_view text) {
  host_.totals().payload_bytes += text.size();
  lines_.Feed(text, host_.totals());
}

void FollowStream::Fail(const std::string& category, const std::string& detail) {
  State was = state_;
  state_ = State::kFailed;
  if (category == "protocol") ++host_.totals().protocol_errors;
  boost::system::error_code ec;
  socket_.close(ec);
  host_.StreamGone(was, category, detail);
}

void FollowStream::Ended(const std::string& why) {
  State was = state_;
  state_ = State::kEnded;
  boost::system::error_code ec;
  socket_.close(ec);
  host_.StreamGone(was, "ended", why);
}

}  // namespace followload
