// Incremental decoder of HTTP/1.1 chunked transfer coding (RFC 9112, 7.1) for the fake's clients.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fakedocker {

// Input may arrive split anywhere; chunk data goes to the sink as it comes.
class ChunkDecoder {
 public:
  enum class Status { kMore, kDone, kError };

  // Consumes bytes of `in` and hands chunk data to sink(std::string_view).
  // Returns kDone once the last chunk and the trailer section have been read
  // (*consumed then says how many bytes of `in` belonged to the body), kError
  // at the first framing error (error() says what), kMore otherwise.
  template <typename Sink>
  Status Feed(std::string_view in, Sink&& sink, size_t* consumed = nullptr);
  const std::string& error() const { return error_; }

 private:
  enum class State { kSize, kExtension, kSizeLf, kData, kDataCr, kDataLf, kTrailer, kTrailerLf, kDone, kError };

  // One byte of framing (any state but kData): kMore to go on, or kDone/kError.
  Status Step(char c);
  Status Fail(std::string why);

  State state_ = State::kSize;
  uint64_t size_ = 0;
  int digits_ = 0;
  uint64_t remaining_ = 0;
  size_t trailer_line_ = 0;
  std::string error_;
};

template <typename Sink>
ChunkDecoder::Status ChunkDecoder::Feed(std::string_view in, Sink&& sink, size_t* consumed) {
  size_t i = 0;
  auto result = [&](Status s) {
    if (consumed != nullptr) *consumed = i;
    return s;
  };
  if (state_ == State::kDone) return result(Status::kDone);
  if (state_ == State::kError) return result(Status::kError);
  while (i < in.size()) {
    if (state_ == State::kData) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size() - i));
      sink(in.substr(i, n));
      i += n;
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::kDataCr;
      continue;
    }
    Status s = Step(in[i++]);
    if (s != Status::kMore) return result(s);
  }
  return result(Status::kMore);
}

}  // namespace fakedocker
