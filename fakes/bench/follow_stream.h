// One follow stream of follow-load: connect, send GET .../logs?follow=1, decode the body and check its lines.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/client/chunk_decoder.h"
#include "fakes/client/frame_decoder.h"
#include "fakes/bench/line_checker.h"
#include "fakes/bench/load_types.h"

namespace followload {

class StreamHost;

// Reading is readiness based: the stream waits until its socket is readable
// and then reads into the host's buffer shared by all streams, so an idle
// stream costs well under 1 KiB.
class FollowStream {
 public:
  enum class State { kIdle, kHead, kBody, kEnded, kFailed, kClosed };

  FollowStream(StreamHost& host, size_t index, Target& target);

  void Launch();  // connect and send the request
  void Refuse(const std::string& category, const std::string& detail) { Fail(category, detail); }
  void Close();  // the end of the run
  State state() const { return state_; }
  const Target& target() const { return target_; }
  uint64_t last_seq() const { return lines_.last_seq(); }
  uint64_t lines() const { return lines_.lines(); }
  size_t attempts() const { return attempts_; }

 private:
  void Wait();
  void OnReadable(boost::system::error_code ec);
  void OnData(std::string_view data);
  void OnHead(std::string_view head, std::string_view body_start);
  void OnBody(std::string_view data);
  void OnDecoded(std::string_view data);
  void OnText(std::string_view text);
  void Fail(const std::string& category, const std::string& detail);
  void Ended(const std::string& why);

  StreamHost& host_;
  size_t index_;
  Target& target_;
  boost::asio::local::stream_protocol::socket socket_;
  State state_ = State::kIdle;
  size_t attempts_ = 0;
  std::string head_;
  bool chunked_ = true;
  bool tty_ = false;
  fakedocker::ChunkDecoder chunks_;
  fakedocker::FrameDecoder frames_;
  LineChecker lines_;
};

// What a stream needs from the run that owns it.
class StreamHost {
 public:
  virtual ~StreamHost() = default;
  virtual boost::asio::io_context& io() = 0;
  virtual const Config& cfg() const = 0;
  virtual Totals& totals() = 0;
  virtual std::vector<char>& read_buffer() = 0;  // shared by all streams
  virtual void HeadPending() = 0;                // the request is out, the head not yet in
  virtual void StreamOpened() = 0;               // the head said 200: the body follows
  virtual void RetryLater(size_t index) = 0;     // connect met a full backlog
  virtual void StreamGone(FollowStream::State was, const std::string& category, const std::string& detail) = 0;
};

}  // namespace followload
