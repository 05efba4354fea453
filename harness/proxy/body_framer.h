// Where one HTTP/1.1 message body ends, so the counting proxy knows when a
// response (and with it a log stream) is over and the next message on a
// keep-alive connection begins: no body, a Content-Length, chunked coding
// (decoded on the side for the stamp tap) or the end of the connection.
// Not thread-safe; one per message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fakes/client/chunk_decoder.h"

namespace leakbench::proxy {

class BodyFramer {
 public:
  enum class Kind { kNone, kLength, kChunked, kUntilClose };

  static BodyFramer None() { return BodyFramer(Kind::kNone, 0); }
  static BodyFramer Length(std::uint64_t n) { return BodyFramer(Kind::kLength, n); }
  static BodyFramer Chunked() { return BodyFramer(Kind::kChunked, 0); }
  static BodyFramer UntilClose() { return BodyFramer(Kind::kUntilClose, 0); }

  // Consumes the bytes of `in` that belong to the body and hands the
  // payload (without chunk framing) to sink(std::string_view). Returns how
  // many bytes of `in` were the body's; the rest is the next message.
  template <typename Sink>
  std::size_t Feed(std::string_view in, Sink&& sink);

  Kind kind() const { return kind_; }
  bool done() const { return done_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  BodyFramer(Kind kind, std::uint64_t length) : kind_(kind), remaining_(length), done_(kind == Kind::kNone || (kind == Kind::kLength && length == 0)) {}

  Kind kind_;
  std::uint64_t remaining_;
  bool done_;
  fakedocker::ChunkDecoder chunks_;
  std::string error_;
};

template <typename Sink>
std::size_t BodyFramer::Feed(std::string_view in, Sink&& sink) {
  if (done_ || failed()) return 0;
  switch (kind_) {
    case Kind::kNone:
      return 0;
    case Kind::kUntilClose:
      sink(in);
      return in.size();
    case Kind::kLength: {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
      sink(in.substr(0, n));
      remaining_ -= n;
      done_ = remaining_ == 0;
      return n;
    }
    case Kind::kChunked: {
      std::size_t consumed = 0;
      const auto status = chunks_.Feed(in, sink, &consumed);
      if (status == fakedocker::ChunkDecoder::Status::kDone) {
        done_ = true;
        return consumed;
      }
      if (status == fakedocker::ChunkDecoder::Status::kError) {
        error_ = "bad chunked body: " + chunks_.error();
        return in.size();
      }
      return in.size();
    }
  }
  return 0;
}

}  // namespace leakbench::proxy
